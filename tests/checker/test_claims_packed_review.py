"""Review probes of the sixth session's claims changes (packed merge sort, masks, tally).

The decision sort's packed halves (``_merged_halves``) against the one-thread sort at the
edges of its bit widths; ``decide`` against ``decide_in_order`` on inputs drawn directly
(£0 prices, caps met exactly, people over the person cap); the tally's counts off the
buffers for chunked and null-free columns.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import obc_check.checker.data.claims as claims_data
from obc_check.checker.data import columnar_claims, kernels, twocores
from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import ClaimTable, ParticipantTable, claim_codes
from obc_check.checker.data.convert import write_csv
from obc_check.checker.data.load import load_bundle
from obc_check.checker.report import claim_summary
from obc_check.checker.rules.claims import Inputs, decide, decide_in_order
from obc_check.dsl import compile_text
from obc_check.model import Contract
from tests.checker.test_claims_properties import START, card

pytestmark = pytest.mark.usefixtures("claim_paths")  # kernels and numpy (conftest)


def _table(price: np.ndarray, person: np.ndarray, day: np.ndarray, prices: tuple[str, ...]
           ) -> pa.Table:
    names = np.array([f"P{i:06d}" for i in range(int(person.max(initial=0)) + 1)])
    return pa.table({"price": pa.array(np.array(prices)[price].tolist(), pa.string()),
                     "person": pa.array(names[person].tolist(), pa.string()),
                     "achieved_on": pa.array(day.astype(np.int32)).cast(pa.date32())})


def _same_codes(table: pa.Table, prices: tuple[str, ...], cores: bool = True) -> None:
    alone = claim_codes(table, prices, split=False)
    with mock.patch.object(twocores, "SPLIT_AT", 2), \
            mock.patch.object(twocores, "spare_core", lambda: cores):
        split = claim_codes(table, prices)
    for name in ("price", "person", "day", "order"):
        assert getattr(split, name).tolist() == getattr(alone, name).tolist(), name
        assert getattr(split, name).dtype == getattr(alone, name).dtype, name
    assert split.repeats == alone.repeats


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 70), p=st.integers(1, 5), q=st.integers(1, 9),
       span=st.sampled_from([0, 1, 2, 3, 4, 7, 8, 16, 1023, 1024]),
       first=st.integers(-800, 20_000), cores=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_packed_halves_equal_the_one_thread_sort(n: int, p: int, q: int, span: int,
                                                 first: int, cores: bool, seed: int) -> None:
    """1 price, 1 person, 1 claim, n = 2, spans of exactly a power of two, 2**k people."""
    rng = np.random.default_rng(seed)
    price = rng.integers(0, p, n)
    person = rng.integers(0, q, n)
    person[0] = q - 1  # the greatest code occurs: the person field is q's width
    day = first + rng.integers(0, span + 1, n)
    day[-1] = first + span
    prices = tuple(f"R{i}" for i in range(p))
    _same_codes(_table(price, person, day, prices), prices, cores)


@pytest.mark.parametrize("n", [8_192, 8_193, 16_384])
@pytest.mark.parametrize("q", [1, 2, 1_024, 1_025])
def test_packed_halves_of_radix_sorted_halves(n: int, q: int) -> None:
    """Halves of at least 4,096 keys (the radix sort), many repeated rows, one at the cut."""
    rng = np.random.default_rng(n + q)
    price = rng.integers(0, 3, n)
    person = rng.integers(0, q, n)
    day = 18_000 + rng.integers(0, 1 << 9, n)
    price[n // 2 - 1:n // 2 + 1] = 0
    person[n // 2 - 1:n // 2 + 1] = 0
    day[n // 2 - 1:n // 2 + 1] = 18_000 + (1 << 9)
    prices = ("A", "B", "C")
    _same_codes(_table(price, person, day, prices), prices)


def test_a_repeat_only_at_the_cut_of_the_merged_run() -> None:
    """The only repeated row sits either side of the merged run's middle (n // 2)."""
    day = np.array([6, 4, 0, 8, 2, 4, 1, 7, 3, 5])  # sorted: 0 1 2 3 4 | 4 5 6 7 8
    table = _table(np.zeros(10, np.int64), np.zeros(10, np.int64), day + 18_000, ("A",))
    _same_codes(table, ("A",))
    with mock.patch.object(twocores, "SPLIT_AT", 2), \
            mock.patch.object(twocores, "spare_core", lambda: True):
        assert claim_codes(table, ("A",)).repeats


def _numpy_sorted(day: np.ndarray, price: np.ndarray, person: np.ndarray, first: int, p: int,
                  q: int) -> claims_data._Merged | None:
    return claims_data._merged_halves(day, price, person, first, p, q)


def _kernel_sorted(day: np.ndarray, price: np.ndarray, person: np.ndarray, first: int, p: int,
                   q: int) -> claims_data._Merged | None:
    if not kernels.available():
        pytest.skip("the compiled claims kernels are not built")
    return claims_data._kernel_sorted(day, price, person, first, p, q, True)


@pytest.mark.parametrize("sort", [_numpy_sorted, _kernel_sorted], ids=["numpy", "kernels"])
@pytest.mark.parametrize("cores", [False, True])
def test_packed_fields_of_exactly_63_bits(cores: bool, sort: Callable[..., object]) -> None:
    """A key of 47 bits and 16 bits of position: the packed value's top bit is 62 (the
    numpy merge and the compiled sort alike)."""
    n = 40_000
    rng = np.random.default_rng(3)
    span = (1 << 31) - 1 - 5
    day = rng.integers(0, span + 1, n).astype(np.int32)
    day[0], day[1] = 0, span
    price = rng.integers(0, 4, n).astype(np.int32)
    person = rng.integers(0, 1 << 14, n).astype(np.int32)
    person[2] = (1 << 14) - 1
    price[3] = 3
    with mock.patch.object(twocores, "spare_core", lambda: cores):
        merged = sort(day, price, person, 0, 4, 1 << 14)
    assert isinstance(merged, claims_data._Merged)
    order = np.lexsort((np.arange(n), person, price, day))
    assert merged.order.tolist() == order.tolist()
    assert merged.day.tolist() == day[order].tolist()
    assert merged.price.tolist() == price[order].tolist()
    assert merged.person.tolist() == person[order].tolist()
    # one bit more and it falls back
    assert sort(day, price, person, 0, 4, (1 << 14) + 1) is None


@st.composite
def decision_inputs(draw: st.DrawFn) -> Inputs:
    n = draw(st.integers(0, 60))
    p = draw(st.integers(1, 4))
    q = draw(st.integers(1, 6))
    amounts = draw(st.lists(st.sampled_from([0, 1, 50, 100, 250, 999]), min_size=p,
                            max_size=p))
    day = np.sort(np.array(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)),
                           np.int32))
    person_cap = draw(st.one_of(st.none(), st.sampled_from([0, 1, 100, 150, 300])))
    return Inputs(
        price=np.array(draw(st.lists(st.integers(0, p - 1), min_size=n, max_size=n)),
                       np.int32),
        person=np.array(draw(st.lists(st.integers(0, q - 1), min_size=n, max_size=n)),
                        np.int32),
        day=day, started=np.zeros(q, np.int32), window_end=np.zeros(q, np.int32),
        amounts=np.array(amounts, np.int64),
        once=np.array(draw(st.lists(st.booleans(), min_size=p, max_size=p)), bool),
        limit=np.array(draw(st.lists(st.sampled_from([-1, -1, 0, 1, 2]), min_size=p,
                                     max_size=p)), np.int64),
        person_cap=person_cap, term_cap=draw(st.sampled_from([0, 1, 100, 250, 500, 2_000])),
        term=(2, 28), as_of=draw(st.integers(10, 30)), window=False)


@settings(max_examples=400, deadline=None)
@given(x=decision_inputs())
def test_decide_is_the_loop_on_drawn_inputs(x: Inputs) -> None:
    """£0 prices, caps of 0 and met exactly, limits of 0: the term cap's run, the paid
    reasons by multiplication and the compressed repeats give the loop's decisions."""
    fast, slow = decide(x), decide_in_order(x)
    assert fast[0].tolist() == slow[0].tolist()
    assert fast[1].tolist() == slow[1].tolist()


def test_reason_counts_of_chunked_columns_and_no_validity() -> None:
    words = pa.array(["repeat", "person_cap", "term_cap"])
    one = pa.DictionaryArray.from_arrays(pa.array([0, None, 2, 2], pa.int8()), words)
    other = pa.DictionaryArray.from_arrays(pa.array([1, 1, 0], pa.int8()), words)
    column = pa.chunked_array([one.slice(1), other])
    assert claim_summary._reason_counts(column) == (
        1, {"repeat": 1, "person_cap": 2, "term_cap": 2})
    # a second chunk with its own dictionary: the words are unified, not misread
    flipped = pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int8()),
                                             pa.array(["term_cap", "repeat"]))
    mixed = pa.chunked_array([one, flipped])
    counted = claim_summary._reason_counts(mixed)
    assert counted is not None
    assert counted[0] == 1
    assert {w: n for w, n in counted[1].items() if n} == {"repeat": 2, "term_cap": 3}
    plain = pa.DictionaryArray.from_arrays(pa.array([0, 1, 1], pa.int8()), words)
    assert plain.buffers()[0] is None
    assert claim_summary._reason_counts(plain.slice(1)) == (
        0, {"repeat": 0, "person_cap": 2, "term_cap": 0})
    empty = claim_summary._reason_counts(pa.chunked_array([], one.type))
    assert empty is not None and empty[0] == 0 and not any(empty[1].values())


def test_claim_codes_from_two_threads_at_once() -> None:
    """Two checks' decision sorts at once share the one halves' worker: both right."""
    rng = np.random.default_rng(11)
    n = 70_000
    tables = [_table(rng.integers(0, 3, n), rng.integers(0, 5_000, n),
                     18_000 + rng.integers(0, 700, n), ("A", "B", "C")) for _ in range(2)]
    want = [claim_codes(t, ("A", "B", "C"), split=False).order.tolist() for t in tables]
    got: list[list[int]] = [[], []]

    def run(i: int) -> None:
        for _ in range(2):
            got[i] = claim_codes(tables[i], ("A", "B", "C")).order.tolist()

    with mock.patch.object(twocores, "spare_core", lambda: True):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert got == want


_WINDOW_CARD = """\
    cap £100,000 over term
    claims within 6 months of start
    price R0 "Outcome" £100 per person
"""


def _window_bundle(folder: Path, shift: int) -> Path:
    people = [(f"P{i:03d}", START + dt.timedelta(days=7 * i + shift)) for i in (5, 0, 3, 8, 1)]
    claims = [("R0", p, START + dt.timedelta(days=40 + i)) for i, (p, _d) in
              enumerate(people * 2)]
    return write_csv(Bundle(source="t", claims=ClaimTable.of(claims),
                            participants=ParticipantTable.of(people)), folder)


def _starts_of(folder: Path, c: Contract) -> list[int]:
    loaded, diags = load_bundle(folder, c)
    assert loaded is not None and loaded.claims is not None, diags
    assert loaded.claims.codes is not None and loaded.claims.codes.started is not None
    return [int(d) for d in loaded.claims.codes.started.tolist()]


def test_loads_from_two_threads_at_once_and_after_a_failed_one(tmp_path: Path) -> None:
    """The side lanes are shared by the process: two loads at once (each lane's tasks
    queued behind the other load's) get their own start days, and a load whose sort fails
    leaves the lanes working for the next."""
    c = compile_text(card(_WINDOW_CARD)).contract
    assert c is not None
    folders = [_window_bundle(tmp_path / f"b{i}", 3 * i) for i in range(2)]
    want = [_starts_of(f, c) for f in folders]
    assert want[0] != want[1]
    got: list[list[int]] = [[], []]

    def run(i: int) -> None:
        for _ in range(5):
            got[i] = _starts_of(folders[i], c)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert got == want

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("sort failed")

    with mock.patch.object(columnar_claims, "claim_codes", broken), \
            pytest.raises(RuntimeError, match="sort failed"):
        load_bundle(folders[0], c)
    assert _starts_of(folders[1], c) == want[1]
