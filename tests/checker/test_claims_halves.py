"""The claims path's two-thread halves (:mod:`twocores`) give what one thread gives.

From ``SPLIT_AT`` claims the persons' byte passes, the decision key, the sort's passes and
the gathers run as two halves at once; the properties elsewhere draw at most 60 claims, so
here the threshold (and the pieces the persons are read in) are lowered until every small
bundle is split, and the whole report is held equal to the one-thread report.
"""

from __future__ import annotations

import os
import threading
import time
from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import obc_check.checker.data.claims as claims_data
from obc_check.checker.data import twocores
from obc_check.checker.data.claims import claim_codes, person_ranks, stable_order
from tests.checker.test_claims_properties import SETTINGS, bundles, cards, report_of

pytestmark = pytest.mark.usefixtures("claim_paths")  # kernels and numpy (conftest)

PRICES = ("A", "B", "C")


@SETTINGS
@given(data=st.data(), piece=st.integers(1, 7), cores=st.booleans())
def test_a_split_report_is_the_one_thread_report(data: st.DataObject, piece: int,
                                                 cores: bool) -> None:
    c, _window = data.draw(cards())
    claims, people = data.draw(bundles(c))
    with mock.patch.object(twocores, "SPLIT_AT", 1 << 40):
        alone = report_of(c, claims, people).to_jsonable()
    with mock.patch.object(twocores, "SPLIT_AT", 2), \
            mock.patch.object(claims_data, "_PIECE", piece), \
            mock.patch.object(twocores, "spare_core", lambda: cores):
        split = report_of(c, claims, people).to_jsonable()
    assert split == alone


@SETTINGS
@given(rows=st.lists(st.tuples(st.sampled_from(PRICES),
                               st.sampled_from(["P1", "P22", "Q3", "P1é", "P4"]),
                               st.integers(0, 6)), max_size=80))
def test_split_codes_and_sort_equal_the_one_thread_ones(
        rows: list[tuple[str, str, int]]) -> None:
    """Repeated rows too: ``repeats`` is found within each half as in the whole."""
    table = pa.table({"price": pa.array([r[0] for r in rows], pa.string()),
                      "person": pa.array([r[1] for r in rows], pa.string()),
                      "achieved_on": pa.array([r[2] for r in rows], pa.int32()).cast(pa.date32())})
    alone = claim_codes(table, PRICES, split=False)
    with mock.patch.object(twocores, "SPLIT_AT", 2), \
            mock.patch.object(claims_data, "_PIECE", 3), \
            mock.patch.object(twocores, "spare_core", lambda: True):
        split = claim_codes(table, PRICES)
        ranks = person_ranks(table.column("person"))
    for name in ("price", "person", "day", "order"):
        assert getattr(split, name).tolist() == getattr(alone, name).tolist(), name
    assert split.repeats == alone.repeats
    assert split.persons.to_pylist() == alone.persons.to_pylist()
    assert ranks[0].tolist() == person_ranks(table.column("person"), split=False)[0].tolist()
    order = np.lexsort((alone.person, alone.price, alone.day))
    assert order.tolist() == list(range(len(rows)))  # the codes are in decision order


@pytest.mark.parametrize("cores", [False, True])
def test_codes_of_many_claims_are_their_rows_in_decision_order(cores: bool) -> None:
    """20,000 claims: the radix sort's int32 order, widened once as the codes are taken
    into it (in two halves when a core is spare): each code is its row's, in order."""
    rng = np.random.default_rng(7)
    n = 20_000
    rows = sorted({(str(rng.choice(PRICES)), f"P{int(rng.integers(0, 3_000)):05d}",
                    int(rng.integers(0, 900))) for _ in range(n)}, key=lambda _r: rng.random())
    table = pa.table({"price": pa.array([r[0] for r in rows], pa.string()),
                      "person": pa.array([r[1] for r in rows], pa.string()),
                      "achieved_on": pa.array([r[2] for r in rows], pa.int32()).cast(pa.date32())})
    with mock.patch.object(twocores, "spare_core", lambda: cores), \
            mock.patch.object(twocores, "SPLIT_AT", 2 if cores else twocores.SPLIT_AT):
        codes = claim_codes(table, PRICES)
    assert codes.order.dtype == np.int64 and not codes.repeats
    persons = codes.persons.to_pylist()
    assert [(PRICES[p], persons[q], d) for p, q, d in
            zip(codes.price.tolist(), codes.person.tolist(), codes.day.tolist(), strict=True)] \
        == [rows[i] for i in codes.order.tolist()]
    assert sorted(rows, key=lambda r: (r[2], PRICES.index(r[0]), r[1].encode())) \
        == [rows[i] for i in codes.order.tolist()]


@pytest.mark.parametrize("bits", [11, 12, 24, 33, 36])
@pytest.mark.parametrize("n", [4_096, 4_097, 20_001])
def test_a_split_stable_order_is_numpys_stable_argsort(bits: int, n: int) -> None:
    """Odd and even lengths: the halves meet in the middle of a digit pass."""
    rng = np.random.default_rng(bits + n)
    keys = rng.integers(0, 1 << bits, n)
    keys[rng.integers(0, n, n // 10)] = keys[0]  # many equal keys: stability shows
    keys[-1] = (1 << bits) - 1
    with mock.patch.object(twocores, "SPLIT_AT", 2), \
            mock.patch.object(twocores, "spare_core", lambda: True):
        split = stable_order(keys)
    assert np.array_equal(split, np.argsort(keys, kind="stable"))
    assert np.array_equal(stable_order(keys, split=False), split)


def test_halves_cover_every_position_once() -> None:
    for n in (0, 1, 2, 7, 10):
        seen = np.zeros(n, np.int64)

        def mark(at: slice, seen: np.ndarray = seen) -> int:
            seen[at] += 1
            return int(at.stop - at.start)

        with mock.patch.object(twocores, "spare_core", lambda: True):
            counts = twocores.halves(n, mark)
        assert seen.tolist() == [1] * n and sum(counts) == n
        assert len(counts) == (2 if n >= 2 else 1)
        assert twocores.halves(n, lambda at: (at.start, at.stop), together=False) == [(0, n)]


def test_both_runs_the_second_on_another_thread_and_joins_it() -> None:
    names: list[str] = []

    def here() -> int:
        names.append(threading.current_thread().name)
        return 1

    def there() -> str:
        names.append(threading.current_thread().name)
        return "two"

    with mock.patch.object(twocores, "spare_core", lambda: True):
        assert twocores.both(here, there) == (1, "two")
    assert len(set(names)) == 2 and threading.current_thread().name in names
    names.clear()
    assert twocores.both(here, there, together=False) == (1, "two")
    assert names == [threading.current_thread().name] * 2


def test_both_raises_either_error_after_both_ran() -> None:
    ran: list[str] = []

    def bad() -> None:
        ran.append("bad")
        raise ValueError("second")

    def good() -> int:
        ran.append("good")
        return 0

    with mock.patch.object(twocores, "spare_core", lambda: True):
        with pytest.raises(ValueError, match="second"):
            twocores.both(good, bad)
        assert sorted(ran) == ["bad", "good"]
        ran.clear()
        with pytest.raises(ValueError, match="second"):
            twocores.both(bad, good)
        assert sorted(ran) == ["bad", "good"]


def test_both_inside_the_worker_runs_in_turn_instead_of_waiting_on_itself() -> None:
    """The worker is one thread: a split asked for on it must not queue behind itself."""
    with mock.patch.object(twocores, "spare_core", lambda: True):
        inner = twocores.both(lambda: 0, lambda: twocores.both(
            lambda: threading.current_thread().name,
            lambda: threading.current_thread().name))
    here, (first, second) = inner
    assert here == 0 and first == second and first.startswith("obc-half")


@pytest.mark.parametrize(("cores", "running", "spare"),
                         [(1, 1, False), (2, 1, True), (2, 2, False), (4, 3, True),
                          (2, None, True)])
def test_a_core_is_spare_by_affinity_and_what_runs_now(cores: int, running: int | None,
                                                       spare: bool) -> None:
    with mock.patch.object(os, "sched_getaffinity", lambda _pid: set(range(cores))), \
            mock.patch.object(twocores, "_running", lambda: running):
        assert twocores.spare_core() is spare


def test_what_runs_now_is_read_from_the_kernel() -> None:
    running = twocores._running()
    assert running is None or running >= 1  # this thread runs while it asks


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(0, 1 << 40), unique=True, max_size=60),
       cut=st.integers(0, 60), cores=st.booleans())
def test_two_sorted_runs_merged_are_the_sorted_values(values: list[int], cut: int,
                                                      cores: bool) -> None:
    """The decision sort's merge of its two halves, cut anywhere, on one core or two."""
    array = np.array(values, np.int64)
    cut = min(cut, len(values))
    array[:cut].sort()
    array[cut:].sort()
    with mock.patch.object(twocores, "spare_core", lambda: cores):
        merged = claims_data._merge_runs(array.copy(), cut)
    assert merged.tolist() == sorted(values)


def test_codes_too_wide_to_pack_take_the_whole_sort() -> None:
    """Fields over 63 bits (here a day span of 2**40) fall back to one sort of the key."""
    day = np.array([0, 1 << 40, 5, 3], np.int64)
    assert claims_data._merged_halves(day, np.zeros(4, np.int32), np.zeros(4, np.int32),
                                      0, 3, 1 << 20) is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_starts_its_own_kept_threads() -> None:
    """Work for the kept threads runs in a child made by fork (it would wait forever)."""
    # the parent's kept threads exist: the halves' worker and a side lane
    with mock.patch.object(twocores, "spare_core", lambda: True):
        assert twocores.both(lambda: 1, lambda: 2) == (1, 2)
    assert twocores.side(0).submit(lambda: 1).result() == 1
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if both kinds of kept thread do its work
        ok = False
        try:
            with mock.patch.object(twocores, "spare_core", lambda: True):
                ok = (twocores.both(lambda: 1, lambda: 2) == (1, 2)
                      and twocores.side(0).submit(lambda: 3).result(timeout=20) == 3)
        finally:
            os._exit(0 if ok else 1)
    for _ in range(400):  # up to 20 s
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child's work for the kept threads never ran")
