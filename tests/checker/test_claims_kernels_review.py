"""Review probes of the compiled claims kernels (``obc_check/checker/data/kernels``).

The radix sort at every count of passes and at exactly 63 bits with the bits mostly in the
price and person fields; each end of the two-ended merge writing only its own half (the
two run on two threads); the five rules on hand-worked edges, where the kernel, the loop
and the numpy steps must give the very reasons and amounts RECORDS.md gives; when
``decide`` may use the kernel; every wrapper argument's check; and the C code built with
AddressSanitizer and UBSan, driven through the wrappers (a read or write one byte past a
buffer, or a shift of a negative value, fails it).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import obc_check.checker.data.claims as claims_data
import obc_check.checker.rules.claims as rules_claims
from obc_check.checker.data import kernels, twocores
from obc_check.checker.rules.claims import (
    AFTER_AS_OF,
    BEFORE_START,
    OUTSIDE_TERM,
    OUTSIDE_WINDOW,
    PAID,
    PERSON_CAP,
    PRICE_LIMIT,
    REPEAT,
    TERM_CAP,
    Inputs,
    decide,
    decide_in_order,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "obc_check" / "checker" / "data" / "kernels" / "claims.c"
needs_kernels = pytest.mark.skipif(not kernels.available(),
                                   reason="the compiled claims kernels are not built")
NO_START, NO_END = np.iinfo(np.int32).min, np.iinfo(np.int32).max


def _sorted(day: np.ndarray, price: np.ndarray, person: np.ndarray, first: int, p: int,
            q: int, split: bool) -> claims_data._Merged | None:
    with mock.patch.object(twocores, "SPLIT_AT", 2), \
            mock.patch.object(twocores, "spare_core", lambda: True):
        return claims_data._kernel_sorted(day, price, person, first, p, q, split)


# (day bits, price bits, person bits, claims): kb = 1 .. 63 over 0 .. 6 radix passes of at
# most 11 bits, and key + position bits of exactly 63 with n = 1, 2, 3, 4, 8
WIDTHS = [(1, 0, 0, 5), (0, 11, 0, 9), (0, 6, 6, 9), (12, 0, 0, 33), (11, 11, 0, 17),
          (0, 0, 23, 7), (32, 1, 0, 65), (20, 12, 12, 6), (32, 12, 12, 3), (32, 15, 15, 2),
          (32, 16, 15, 1), (32, 15, 14, 4), (31, 16, 13, 8), (5, 28, 28, 4), (0, 31, 30, 3),
          (31, 16, 14, 3)]


@needs_kernels
@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize(("day_bits", "pb", "qb", "n"), WIDTHS)
def test_the_radix_sort_at_every_pass_count_and_at_63_bits(day_bits: int, pb: int, qb: int,
                                                           n: int, split: bool) -> None:
    rng = np.random.default_rng(day_bits * 1000 + pb * 100 + qb * 10 + n)
    p, q = 1 << pb, 1 << qb
    first = int(NO_START) if day_bits == 32 else -17
    span = (1 << day_bits) - 1
    day = first + rng.integers(0, span + 1, n, dtype=np.int64)
    day[0], day[-1] = first, first + span  # the widest day field occurs
    price = rng.integers(0, p, n).astype(np.int32)
    person = rng.integers(0, q, n).astype(np.int32)
    price[0], person[-1] = p - 1, q - 1  # and the widest price and person
    if n > 3:  # a repeated row
        day[2], price[2], person[2] = day[1], price[1], person[1]
    day32 = day.astype(np.int32)
    nb = max(n - 1, 0).bit_length()
    merged = _sorted(day32, price, person, first, p, q, split)
    assert merged is not None, (day_bits + pb + qb, nb)
    order = np.lexsort((np.arange(n), person, price, day32))
    assert merged.order.tolist() == order.tolist()
    assert merged.day.tolist() == day32[order].tolist()
    assert merged.price.tolist() == price[order].tolist()
    assert merged.person.tolist() == person[order].tolist()
    keys = set(zip(day32.tolist(), price.tolist(), person.tolist(), strict=True))
    assert merged.repeats == (len(keys) < n)
    if day_bits + pb + qb + nb == 63:  # one person more than a power of two: 64 bits
        assert _sorted(day32, price, person, first, p, q + 1, split) is None


def _runs(n: int, cut: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs of distinct packed values (a key above 4 position bits), and the
    keys of the whole merge in order."""
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 6, n)  # small: many equal keys (repeated rows)
    values = (keys << 4) | np.arange(n)
    values[:cut].sort()
    values[cut:].sort()
    return values.astype(np.int64), np.sort(values) >> 4


@needs_kernels
@pytest.mark.parametrize("n", range(10))
def test_each_end_of_the_merge_writes_only_its_half(n: int) -> None:
    """front: positions [0, n // 2); back: [n // 2, n); nothing else, for every cut.

    The two ends run on two threads at once: an end that wrote one position too many
    would race with the other (even writing the same value, it is a data race)."""
    for cut in range(n + 1):
        values, _keys = _runs(n, cut, n * 31 + cut)
        merged = np.sort(values)
        for front in (True, False):
            order = np.full(n, -1, np.int64)
            person, price, day = (np.full(n, -7, np.int32) for _ in range(3))
            kernels.merge_decode(values, cut, front, 100, (1, 2, 4), order, person, price,
                                 day)
            mine = slice(0, n // 2) if front else slice(n // 2, n)
            other = slice(n // 2, n) if front else slice(0, n // 2)
            assert order[mine].tolist() == (merged[mine] & 15).tolist(), (cut, front)
            assert person[mine].tolist() == ((merged[mine] >> 4) & 3).tolist()
            assert price[mine].tolist() == ((merged[mine] >> 6) & 1).tolist()
            assert day[mine].tolist() == ((merged[mine] >> 7) + 100).tolist()
            assert (order[other] == -1).all() and (person[other] == -7).all(), (cut, front)
            assert (price[other] == -7).all() and (day[other] == -7).all()


@needs_kernels
@pytest.mark.parametrize("n", range(10))
def test_each_end_reports_the_repeats_inside_its_half(n: int) -> None:
    """A repeat is two equal neighbouring keys inside an end's half; the pair across the
    middle is the caller's (``_kernel_sorted``)."""
    for cut in range(n + 1):
        values, keys = _runs(n, cut, n * 17 + cut)
        h = n // 2
        scratch = [np.empty(n, np.int64)] + [np.empty(n, np.int32) for _ in range(3)]
        front = kernels.merge_decode(values, cut, True, 0, (1, 2, 4), *scratch)
        back = kernels.merge_decode(values, cut, False, 0, (1, 2, 4), *scratch)
        assert front == bool((keys[1:h] == keys[:h - 1]).any()), (n, cut)
        assert back == bool((keys[h + 1:] == keys[h:-1]).any()), (n, cut)


def _inputs(claims: list[tuple[int, int, int]], amounts: list[int], *,
            once: list[bool] | None = None, limit: list[int] | None = None,
            person_cap: int | None = None, term_cap: int = 10**6,
            term: tuple[int, int] = (0, 100), as_of: int = 100,
            starts: list[int] | None = None, months_days: int = 10,
            window: bool = False) -> Inputs:
    """Claims as (day, price, person), already in decision order."""
    day, price, person = (np.array(c, np.int32).reshape(-1) for c in zip(*claims, strict=True))
    q = len(starts) if starts is not None else int(person.max()) + 1
    started = np.array(starts if starts is not None else [NO_START] * q, np.int32)
    window_end = np.where(started == NO_START, NO_END,
                          started.astype(np.int64) + months_days).astype(np.int32)
    p = len(amounts)
    return Inputs(price=price, person=person, day=day, started=started,
                  window_end=window_end, amounts=np.array(amounts, np.int64),
                  once=np.array(once or [False] * p, bool),
                  limit=np.array(limit or [-1] * p, np.int64), person_cap=person_cap,
                  term_cap=term_cap, term=term, as_of=as_of, window=window)


# (inputs, the reasons and amounts RECORDS.md's five rules give, claim by claim)
EDGES = {
    "term start, end and as-of days": (
        _inputs([(9, 0, 0), (10, 0, 1), (15, 0, 2), (16, 0, 3), (20, 0, 4), (21, 0, 5)],
                [100], term=(10, 20), as_of=15),
        [OUTSIDE_TERM, PAID, PAID, AFTER_AS_OF, AFTER_AS_OF, OUTSIDE_TERM],
        [0, 100, 100, 0, 0, 0]),
    "outside the term before after the as-of date": (
        _inputs([(10, 0, 0), (20, 0, 1), (21, 0, 2), (30, 0, 3)], [100], term=(10, 20),
                as_of=25),
        [PAID, PAID, OUTSIDE_TERM, OUTSIDE_TERM], [100, 100, 0, 0]),
    "window: the day before the start, the start, the end, the day after": (
        _inputs([(9, 0, 0), (10, 0, 0), (20, 0, 0), (21, 0, 0), (50, 0, 1)], [100],
                starts=[10, NO_START], window=True),
        [BEFORE_START, PAID, PAID, OUTSIDE_WINDOW, PAID], [0, 100, 100, 0, 100]),
    "no window: the same claims all paid": (
        _inputs([(9, 0, 0), (10, 0, 0), (20, 0, 0), (21, 0, 0), (50, 0, 1)], [100],
                starts=[10, NO_START], window=False),
        [PAID] * 5, [100] * 5),
    "the window is not looked at outside the term": (
        _inputs([(5, 0, 0), (12, 0, 0), (30, 0, 0)], [100], starts=[20], window=True,
                term=(10, 25), as_of=40),
        [OUTSIDE_TERM, BEFORE_START, OUTSIDE_TERM], [0, 0, 0]),
    "once per person, per price and per person": (
        _inputs([(1, 0, 0), (2, 0, 0), (3, 1, 0), (4, 1, 0), (5, 0, 1)], [100, 100],
                once=[True, False]),
        [PAID, REPEAT, PAID, PAID, PAID], [100, 0, 100, 100, 100]),
    "a once price never paid for the person is no repeat": (
        _inputs([(1, 1, 0), (2, 1, 0), (3, 0, 0), (4, 0, 0)], [100, 100],
                once=[True, False], person_cap=150),
        [PAID, PAID, PERSON_CAP, PERSON_CAP], [100, 50, 0, 0]),
    "at most 2 and at most 0": (
        _inputs([(1, 0, 0), (2, 0, 1), (3, 0, 2), (4, 1, 3)], [100, 100], limit=[2, 0]),
        [PAID, PAID, PRICE_LIMIT, PRICE_LIMIT], [100, 100, 0, 0]),
    "the price limit counts only paid claims": (
        _inputs([(1, 0, 0), (2, 0, 1)], [100], limit=[1], term_cap=0),
        [TERM_CAP, TERM_CAP], [0, 0]),
    "the person cap reached exactly": (
        _inputs([(1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 0, 0), (5, 0, 1)], [100],
                person_cap=300),
        [PAID, PAID, PAID, PERSON_CAP, PAID], [100, 100, 100, 0, 100]),
    "a person cap of 0": (
        _inputs([(1, 0, 0), (2, 0, 1)], [100], person_cap=0), [PERSON_CAP] * 2, [0, 0]),
    "a £0 price is not paid (person_cap, or term_cap once the term cap is used up)": (
        _inputs([(1, 0, 0), (2, 1, 0), (3, 0, 1)], [0, 100], term_cap=100),
        [PERSON_CAP, PAID, TERM_CAP], [0, 100, 0]),
    "the term cap used up by the claim that meets the person cap": (
        _inputs([(1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 0, 1)], [100], person_cap=200,
                term_cap=200),
        [PAID, PAID, TERM_CAP, TERM_CAP], [100, 100, 0, 0]),
    "the person cap met and the term cap not": (
        _inputs([(1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 0, 1)], [100], person_cap=200,
                term_cap=1000),
        [PAID, PAID, PERSON_CAP, PAID], [100, 100, 0, 100]),
    "the term cap cuts a claim, then is used up": (
        _inputs([(1, 0, 0), (2, 0, 1), (3, 0, 2)], [100], term_cap=150),
        [PAID, PAID, TERM_CAP], [100, 50, 0]),
    "a term cap of 0": (
        _inputs([(1, 0, 0)], [100], term_cap=0), [TERM_CAP], [0]),
}


@needs_kernels
@pytest.mark.parametrize("case", list(EDGES))
def test_the_rules_on_each_edge(case: str) -> None:
    x, reasons, amounts = EDGES[case]
    kernel, loop = decide(x), decide_in_order(x)
    with kernels.numpy_only():
        columns = decide(x)
    for got in (kernel, loop, columns):
        assert got[0].tolist() == reasons
        assert got[1].tolist() == amounts
        assert got[0].dtype == np.int8 and got[1].dtype == np.int64


@needs_kernels
def test_no_claims_and_no_participants() -> None:
    empty = replace(EDGES["a term cap of 0"][0], price=np.zeros(0, np.int32),
                    person=np.zeros(0, np.int32), day=np.zeros(0, np.int32),
                    started=np.zeros(0, np.int32), window_end=np.zeros(0, np.int32))
    for window in (False, True):
        reason, amount = decide(replace(empty, window=window))
        assert len(reason) == len(amount) == 0
        assert reason.dtype == np.int8 and amount.dtype == np.int64


@needs_kernels
def test_decide_uses_the_kernel_only_where_its_pair_table_is_allowed() -> None:
    x = _inputs([(1, 0, 64)], [100])  # 1 claim, 1 price, 65 people: 65 pairs > 64 a claim
    expected = decide_in_order(x)
    calls: list[int] = []
    real = kernels.decide

    def spy(*args: object, **kwargs: object) -> None:
        calls.append(1)
        real(*args, **kwargs)  # type: ignore[arg-type]

    with mock.patch.object(kernels, "decide", spy):
        with mock.patch.object(rules_claims, "_KERNEL_PAIRS", 0):
            got = decide(x)
        assert not calls
        assert [a.tolist() for a in got] == [a.tolist() for a in expected]
        got = decide(x)  # within the default allowance
        assert calls == [1]
        assert [a.tolist() for a in got] == [a.tolist() for a in expected]
        got = decide(replace(x, exact=True))  # money past int64: the loop of Python ints
        assert calls == [1]
        assert [a.tolist() for a in got] == [a.tolist() for a in expected]


def _decide_args() -> dict[str, object]:
    n = 3
    return {"price": np.zeros(n, np.int32), "person": np.array([0, 1, 1], np.int32),
            "day": np.array([1, 2, 3], np.int32), "started": np.zeros(2, np.int32),
            "window_end": np.full(2, 9, np.int32), "amounts": np.array([5, 7], np.int64),
            "once": np.array([True, False]), "limit": np.full(2, -1, np.int64),
            "person_cap": None,
            "term_cap": 100, "term": (0, 9), "as_of": 9, "window": True,
            "reason": np.zeros(n, np.int8), "amount": np.zeros(n, np.int64)}


def _spoilt(array: np.ndarray) -> list[np.ndarray]:
    """The array as another type, one item longer, and not contiguous (same values; at
    least two items, or numpy calls the strided view contiguous)."""
    wrong = np.int64 if array.dtype != np.int64 else np.int32
    spaced = np.zeros(2 * len(array), array.dtype)[::2]
    spaced[:] = array
    return [array.astype(wrong), np.concatenate([array, array[:1]]), spaced]


@needs_kernels
@pytest.mark.parametrize("name", ["price", "person", "day", "started", "window_end",
                                  "amounts", "limit", "reason", "amount", "once"])
def test_every_array_given_to_decide_is_checked(name: str) -> None:
    args = _decide_args()
    kernels.decide(**args)  # type: ignore[arg-type]
    assert np.asarray(args["reason"]).tolist() == [0, 0, REPEAT]
    spoilt = _spoilt(np.asarray(args[name]))
    if name == "once":  # copied to a contiguous uint8 array: only the length must agree
        spoilt = spoilt[1:2]
    for bad in spoilt:
        with pytest.raises(ValueError, match="kernel"):
            kernels.decide(**{**args, name: bad})  # type: ignore[arg-type]


@needs_kernels
@pytest.mark.parametrize(("name", "bad"), [("price", [0, 2, 0]), ("price", [0, -1, 0]),
                                           ("person", [0, 2, 0]), ("person", [-1, 0, 0])])
def test_codes_out_of_range_are_refused(name: str, bad: list[int]) -> None:
    with pytest.raises(ValueError, match="out of range"):
        kernels.decide(**{**_decide_args(), name: np.array(bad, np.int32)})  # type: ignore[arg-type]


@needs_kernels
@pytest.mark.parametrize("at", range(4))
def test_every_array_given_to_the_sort_is_checked(at: int) -> None:
    arrays: list[np.ndarray] = [np.arange(4, dtype=np.int32), np.zeros(4, np.int32),
                                np.zeros(4, np.int32), np.zeros(4, np.int64)]
    day, price, person, out = arrays
    kernels.sort_claims(day, price, person, 0, (0, 0, 2, 2), 0, out)
    assert out.tolist() == [i << 2 | i for i in range(4)]
    for bad in _spoilt(arrays[at]):
        spoilt = [*arrays]
        spoilt[at] = bad
        with pytest.raises(ValueError, match="kernel"):
            kernels.sort_claims(spoilt[0], spoilt[1], spoilt[2], 0, (0, 0, 2, 2), 0, spoilt[3])
    with pytest.raises(ValueError, match="bits"):
        kernels.sort_claims(day, price, person, 0, (-1, 0, 2, 2), 0, out)


@needs_kernels
@pytest.mark.parametrize("at", range(5))
def test_every_array_given_to_the_merge_is_checked(at: int) -> None:
    arrays: list[np.ndarray] = [np.arange(4, dtype=np.int64), np.zeros(4, np.int64),
                                np.zeros(4, np.int32), np.zeros(4, np.int32),
                                np.zeros(4, np.int32)]
    kernels.merge_decode(arrays[0], 2, True, 0, (0, 0, 2), *arrays[1:])
    for bad in _spoilt(arrays[at]):
        spoilt = [*arrays]
        spoilt[at] = bad
        with pytest.raises(ValueError, match="kernel"):
            kernels.merge_decode(spoilt[0], 2, True, 0, (0, 0, 2), *spoilt[1:])
    for cut in (-1, 5):
        with pytest.raises(ValueError, match="cut"):
            kernels.merge_decode(arrays[0], cut, True, 0, (0, 0, 2), *arrays[1:])


DRIVER = textwrap.dedent('''
    """Drive a sanitized build of claims.c through the wrappers (argv: the library)."""
    import string
    import sys
    from pathlib import Path
    from unittest import mock

    import numpy as np
    import pyarrow as pa

    from obc_check.checker.data import kernels, twocores
    import obc_check.checker.data.claims as claims_data
    from obc_check.checker.rules.claims import Inputs, decide, decide_in_order

    kernels.LIBRARY = Path(sys.argv[1])
    kernels._LIBRARY = kernels._load()
    assert kernels.available()
    rng = np.random.default_rng(7)
    low = int(np.iinfo(np.int32).min)
    # the sort and both ends of the merge: one run and two, on two threads, n odd and even
    with mock.patch.object(twocores, "SPLIT_AT", 2), \\
            mock.patch.object(twocores, "spare_core", lambda: True):
        for day_bits, pb, qb, n in [(0, 0, 0, 1), (0, 0, 0, 2), (1, 0, 0, 3), (11, 0, 0, 9),
                                    (12, 3, 2, 65), (32, 15, 14, 4), (32, 16, 15, 1),
                                    (5, 28, 28, 4), (20, 6, 9, 4097)]:
            p, q = 1 << pb, 1 << qb
            first = low if day_bits == 32 else -3
            day = (first + rng.integers(0, 1 << day_bits, n, dtype=np.int64)).astype(np.int32)
            price = rng.integers(0, p, n).astype(np.int32)
            person = rng.integers(0, q, n).astype(np.int32)
            for split in (False, True):
                merged = claims_data._kernel_sorted(day, price, person, first, p, q, split)
                order = np.lexsort((np.arange(n), person, price, day))
                assert merged is not None and merged.order.tolist() == order.tolist()
    # the rules, with (price, person) pair tables of 1 to 35 bits (not whole bytes)
    for p, q in [(1, 1), (1, 3), (3, 3), (5, 7), (2, 9)]:
        for _ in range(60):
            n = int(rng.integers(0, 40))
            started = rng.choice(np.array([low, 0, 4, 9], np.int64), q).astype(np.int32)
            x = Inputs(
                price=rng.integers(0, p, n).astype(np.int32),
                person=rng.integers(0, q, n).astype(np.int32),
                day=np.sort(rng.integers(0, 20, n)).astype(np.int32), started=started,
                window_end=np.where(started == low, np.iinfo(np.int32).max,
                                    started + 5).astype(np.int32),
                amounts=rng.choice(np.array([0, 1, 60, 100]), p).astype(np.int64),
                once=rng.random(p) < 0.6, limit=rng.choice(np.array([-1, 0, 1, 3]), p),
                person_cap=[None, 0, 100, 150][int(rng.integers(0, 4))],
                term_cap=int(rng.choice([0, 100, 300, 10**6])), term=(2, 17), as_of=15,
                window=bool(rng.random() < 0.5))
            fast, slow = decide(x), decide_in_order(x)
            assert fast[0].tolist() == slow[0].tolist() and fast[1].tolist() == slow[1].tolist()
    # the persons' position codes and ranks: identifiers of one width, sliced columns
    letters = np.array(list(string.ascii_letters + string.digits + "é"))
    for width in (1, 2, 3, 7, 8, 15, 16):
        for n in (1, 2, 3, 300):
            ids = ["".join(rng.choice(letters[:5], width)) for _ in range(n + 3)]
            column = pa.array(ids)[1:n + 1]  # an offset into the buffers
            ranks, persons = claims_data.person_ranks(column)
            want, wanted = claims_data._hashed_ranks(column)
            assert ranks.tolist() == want.tolist() and persons.equals(wanted), width
    print("clean")
''')


def _sanitizer_runtime(compiler: list[str]) -> list[str] | None:
    """The sanitizer libraries to preload into Python for ``compiler``'s -fsanitize build."""
    found = []
    for name in ("libasan.so", "libubsan.so"):
        try:
            path = subprocess.run([*compiler, f"-print-file-name={name}"],
                                  capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return None
        if not os.path.isabs(path) or not os.path.exists(path):
            return None
        found.append(path)
    return found


def sanitized_run(source: Path, folder: Path) -> subprocess.CompletedProcess[str] | None:
    """``source`` built with -fsanitize=address,undefined and driven by :data:`DRIVER`;
    None when the machine cannot build or preload it."""
    compiler = shlex.split(os.environ.get("CC") or "cc")
    runtime = _sanitizer_runtime(compiler)
    if runtime is None:
        return None
    library, driver = folder / "sanitized.so", folder / "drive.py"
    built = subprocess.run([*compiler, "-O1", "-g", "-std=c99", "-fPIC", "-shared",
                            "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
                            "-fno-omit-frame-pointer",
                            f'-DOBC_SOURCE="{kernels.source_digest(source.read_bytes())}"',
                            "-o", str(library), str(source)],
                           capture_output=True, text=True, check=False)
    if built.returncode:
        return None
    driver.write_text(DRIVER)
    env = {**os.environ, "LD_PRELOAD": ":".join(runtime), "ASAN_OPTIONS": "detect_leaks=0",
           "PYTHONPATH": str(ROOT), "OBC_NATIVE": ""}
    probe = subprocess.run([sys.executable, "-c", "pass"], env=env, capture_output=True,
                           text=True, check=False)
    if probe.returncode:
        return None
    return subprocess.run([sys.executable, str(driver), str(library)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=600)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the sanitizers are preloaded (Linux)")
def test_the_kernels_under_address_and_undefined_behaviour_sanitizers(tmp_path: Path) -> None:
    done = sanitized_run(SOURCE, tmp_path)
    if done is None:
        pytest.skip("no compiler with AddressSanitizer and UBSan runtimes")
    assert done.returncode == 0 and "clean" in done.stdout, done.stderr[-4000:]
    assert "runtime error" not in done.stderr, done.stderr[-4000:]
