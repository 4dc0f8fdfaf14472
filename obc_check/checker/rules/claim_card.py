"""A person-level rate card's report section: claims decided, years, total, people.

:mod:`~obc_check.checker.rules.claims` decides every claim over integer columns; this
module turns the decisions into the report's ``rate_card`` (RECORDS.md): one claim row each
in decision order (held as columns), the payable of each contract year with a paid claim
(the year that contains ``achieved_on``), the total, and what each person was paid.
Money stays in whole pence until it becomes a Decimal for the report, so every sum is exact.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import numpy as np
import pyarrow as pa

from obc_check.checker.data import pooled, twocores
from obc_check.checker.data.claims import ClaimTable, ParticipantTable
from obc_check.checker.data.money import pounds
from obc_check.checker.report.claim_rows import ClaimRows, PeopleRows
from obc_check.checker.report.model import RateCardResult, RateCardYear
from obc_check.checker.rules.claims import (
    PAID,
    REASONS,
    Inputs,
    Ordered,
    decide,
    group_sums,
    inputs,
)
from obc_check.model import Contract, RateCard

_EPOCH = dt.date(1970, 1, 1)


def _money(units: int) -> Decimal:
    return Decimal(int(units)).scaleb(-2)


def _bits(mask: np.ndarray) -> pa.Buffer:
    """A bool mask as Arrow's bitmap (bit ``i`` of byte ``i // 8``, least significant first).

    ``np.packbits`` packs a million in 0.06 ms; ``pa.array(values, mask=...)`` took 3 ms
    to turn the same mask into a validity bitmap, and 0.6 ms for a bool column.
    """
    return pa.py_buffer(np.packbits(mask, bitorder="little"))


def _flags(mask: np.ndarray) -> pa.Array:
    """A bool numpy array as a pyarrow bool column (:func:`_bits`)."""
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, _bits(mask)])


def _dictionary(codes: np.ndarray, words: list[str], null: np.ndarray | None = None) -> pa.Array:
    """Codes into ``words`` as a dictionary column (no Python string a row).

    Null where ``null`` is true. The codes keep their integer type (int8 for a few words).
    Every caller's codes are places in ``words`` by construction, so pyarrow does not check
    each again (``safe=False``: 0.5 ms a million).
    """
    if null is None:
        indices = pa.array(codes)
    else:
        codes = np.ascontiguousarray(codes)
        indices = pa.Array.from_buffers(pa.from_numpy_dtype(codes.dtype), len(codes),
                                        [_bits(~null), pa.py_buffer(codes)])
    return pa.DictionaryArray.from_arrays(indices, pa.array(words, pa.string()), safe=False)


def _year_runs(day: np.ndarray, starts: list[int]) -> list[int]:
    """Where each contract year's claims begin and end among claims sorted by day.

    Decision order sorts by ``achieved_on`` first, so the claims of each year are one run
    of rows: year ``i`` is rows ``runs[i]:runs[i + 1]`` (the first year also takes the days
    before it, the last the days after it; the caller masks days outside the term). A
    binary search per year, instead of a comparison or a search per claim.
    """
    cuts = np.searchsorted(day, np.array(starts[1:], day.dtype), side="left")  # no widened copy
    return [0, *(int(c) for c in cuts), len(day)]


def claim_rate_card(contract: Contract, card: RateCard, claims: ClaimTable | None,
                    people: ParticipantTable | None, as_of: dt.date) -> RateCardResult:
    """The rate card paid from ``claims`` as things stood at the end of ``as_of``."""
    table = claims if claims is not None else ClaimTable.of([])
    term = (contract.term.start, contract.term.end)
    x, ordered, unit = inputs(card, table, people, term, as_of)
    assert unit == 100  # money is written with at most two decimals (E004)
    reason, amount = decide(x)
    n = len(x.day)
    rejected = np.not_equal(reason, PAID, out=pooled.empty(n, bool))
    paid = np.logical_not(rejected, out=pooled.empty(n, bool))
    labels = [y.label for y in contract.term.years]
    runs = _year_runs(x.day, [(y.start - _EPOCH).days for y in contract.term.years])
    # the claim columns here while each person's total is summed on a thread of its own
    # (numpy lets go of the GIL), from twocores.SPLIT_AT claims
    rows, people_rows = twocores.both(
        lambda: _claim_rows(x, ordered, labels, runs, reason, amount, rejected, paid),
        lambda: _people(ordered.persons, x.person, amount), together=n >= twocores.SPLIT_AT)
    # a rejected claim's amount is 0, so a year's payable is the sum over its run of rows
    counts = [int(np.count_nonzero(paid[a:b])) for a, b in itertools.pairwise(runs)]
    sums = [int(amount[a:b].sum()) for a, b in itertools.pairwise(runs)]
    years = [RateCardYear(year=labels[i], payable=_money(sums[i]),
                          derivation=f"{labels[i]}: {counts[i]} paid claims achieved in "
                                     f"the year, {pounds(_money(sums[i]))}")
             for i in range(len(labels)) if counts[i]]
    total = _money(int(amount.sum()))
    return RateCardResult(
        cap=card.cap, person_cap=card.person_cap, claim_months=card.claim_months,
        years=years, total=total, lines=[], claims=rows,
        people=people_rows,
        derivation=_derivation(card, total, reason, len(x.day)))


def _claim_rows(x: Inputs, ordered: Ordered, labels: list[str], runs: list[int],
                reason: np.ndarray, amount: np.ndarray, rejected: np.ndarray,
                paid: np.ndarray) -> ClaimRows:
    """The report's claim columns, in decision order.

    Written into pooled arrays, each mask made once: for a million claims every temporary
    is a MB or more.
    """
    n = len(x.day)
    year_of = np.repeat(np.arange(len(labels), dtype=np.int8 if len(labels) <= 100 else np.int64),
                        np.diff(runs))
    outside = pooled.full(n, True, bool)
    day_of = x.day.dtype.type
    outside[int(np.searchsorted(x.day, day_of(x.term[0]), side="left")):
            int(np.searchsorted(x.day, day_of(x.term[1]), side="right"))] = False
    why = np.subtract(reason, 1, out=pooled.empty(n, np.int8), dtype=np.int8)
    np.maximum(why, 0, out=why)
    capped = np.less(amount, pooled.take(x.amounts, x.price), out=pooled.empty(n, bool))
    capped &= paid
    return ClaimRows(pa.table({
        "price": ordered.price, "person": ordered.person, "achieved_on": ordered.achieved_on,
        "year": _dictionary(year_of, labels, outside),
        "status": _dictionary(rejected.view(np.int8), ["paid", "rejected"]),
        "reason": _dictionary(why, list(REASONS), paid),
        "amount": pa.array(amount, pa.int64()),
        "capped": _flags(capped),
        "row": ordered.row,
    }))


def _people(persons: pa.Array, codes: np.ndarray, amount: np.ndarray) -> PeopleRows:
    """One row per person with any claim, by person (``persons`` is in code point order)."""
    n = len(persons)
    totals = group_sums(codes, amount, n)
    counts = np.bincount(codes, minlength=n).astype(np.int64, copy=False)
    return PeopleRows(pa.table({"person": persons, "paid": pa.array(totals, pa.int64()),
                                "claims": pa.array(counts, pa.int64())}))


def _derivation(card: RateCard, total: Decimal, reason: np.ndarray, n: int) -> str:
    # a count of each code: no widened copy of the million int8 codes, as bincount makes
    counts = [int(np.count_nonzero(reason == code)) for code in range(len(REASONS) + 1)]
    parts = [f"{int(counts[0])} of {n} claims paid"]
    parts += [f"{int(counts[i + 1])} {r}" for i, r in enumerate(REASONS) if counts[i + 1]]
    hit = " (the cap is reached)" if total == card.cap else ""
    return (f"total {pounds(total)} of the cap {pounds(card.cap)} over the term{hit}; "
            + ", ".join(parts))
