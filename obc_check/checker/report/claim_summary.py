"""Summaries of a claims-paid rate card, read off the claim columns for every format.

Text, markdown and JUnit show the same figures (claims paid and rejected by reason, each
price's claims per year, the people closest to the person cap), and ``--explain`` walks one
person's claims or summarises one price's: all computed here, with pyarrow over the columns,
so that a million claims are summarised without a Python object each.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data.money import pounds
from obc_check.checker.report.claim_rows import ClaimRow, ClaimRows, PersonPaid
from obc_check.checker.report.model import RateCardResult

REASON_WORDS = {
    "outside_term": "achieved outside the term",
    "after_as_of": "achieved after the as-of date",
    "before_start": "achieved before the person's start",
    "outside_window": "achieved after the claim window",
    "repeat": "already paid once for the person",
    "price_limit": "the price's `at most` count already paid",
    "person_cap": "the person cap used up",
    "term_cap": "the term cap used up",
}
"""Each reason a claim is rejected, in the order of the rules, in words."""


def _claims(n: int) -> str:
    """``1 claim``, ``2 claims``."""
    return f"{n} claim" + ("" if n == 1 else "s")


def _money(units: int) -> Decimal:
    return Decimal(int(units)).scaleb(-2)


@dataclass(frozen=True)
class Tally:
    """Claims of one group: how many paid (and for how much, how many capped), rejected."""

    paid: int
    amount: Decimal
    capped: int
    rejected: dict[str, int]

    @property
    def claims(self) -> int:
        """Every claim of the group."""
        return self.paid + sum(self.rejected.values())

    def words(self) -> str:
        """``12 paid (£7,200.00, 1 capped); rejected: 3 repeat``."""
        capped = f", {self.capped} capped" if self.capped else ""
        out = f"{self.paid} paid ({pounds(self.amount)}{capped})"
        if self.rejected:
            out += "; rejected: " + ", ".join(f"{n} {r}" for r, n in self.rejected.items())
        return out


def _tally(table: pa.Table) -> Tally:
    """Every row's tally: counts of the reason codes, sums over the columns.

    Each reason is counted by one comparison over the codes in their own (small) integer
    type: a bincount would first widen a million codes to 8 bytes each.
    """
    counted = _reason_counts(table.column("reason"))
    if counted is None:
        reason, words = _codes(table.column("reason"), widen=False)
        counted = (int(np.count_nonzero(reason < 0)),
                   {w: int(np.count_nonzero(reason == i)) for i, w in enumerate(words)})
    paid, by_word = counted
    rejected = {r: by_word.get(r, 0) for r in REASON_WORDS}
    capped = pc.sum(table.column("capped")).as_py() or 0
    return Tally(paid=paid, amount=_money(pc.sum(table.column("amount")).as_py() or 0),
                 capped=int(capped), rejected={r: n for r, n in rejected.items() if n})


def _reason_counts(column: pa.ChunkedArray | pa.Array) -> tuple[int, dict[str, int]] | None:
    """The nulls (paid claims) and each word's count of a dictionary column, or None.

    Read off the indices' buffer, a null row's code made -1 by its validity bit: no copy
    of the column with the nulls filled in (1.2 ms a million), no boolean selection of the
    set rows (2 ms). None for a column that is not a dictionary with one-byte codes (the
    claim rows' reasons are int8): the caller then codes it.
    """
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not isinstance(array, pa.DictionaryArray) or array.indices.type != pa.int8():
        return None
    words = [str(w) for w in array.dictionary.to_pylist()]
    n, start = len(array), array.offset
    if not n:
        return 0, dict.fromkeys(words, 0)
    validity, data = array.indices.buffers()[0], array.indices.buffers()[1]
    codes = np.frombuffer(data, np.int8, n, start)
    if validity is not None and array.null_count:
        bits = np.frombuffer(validity, np.uint8)
        valid = np.unpackbits(bits, count=start + n, bitorder="little")[start:].view(bool)
        # the code OR-ed with 0 where the row is set and with -1 (every bit) where it is null
        codes = codes | np.negative(np.logical_not(valid).view(np.int8))
    # one comparison a word in the codes' own type (a bincount widens each to 8 bytes)
    return int(array.null_count), {w: int(np.count_nonzero(codes == i))
                                   for i, w in enumerate(words)}


def claims_of(card: RateCardResult) -> ClaimRows:
    """The card's claims (an empty set for a card paid from outcome counts)."""
    return card.claims if card.claims is not None else ClaimRows.of([])


def tally(card: RateCardResult) -> Tally:
    """All the card's claims."""
    return _tally(claims_of(card).table)


def _codes(column: pa.ChunkedArray | pa.Array, widen: bool = True
           ) -> tuple[np.ndarray, list[str]]:
    """A string (or dictionary) column as integer codes into its distinct words; null -1.

    ``widen``: as int64 (to compute with); otherwise in the indices' own type.
    """
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not isinstance(array, pa.DictionaryArray):
        array = pc.dictionary_encode(array)
    codes = np.asarray(array.indices.fill_null(-1), np.int64 if widen else None) \
        if len(array) else np.zeros(0, np.int64)
    return codes, [str(w) for w in array.dictionary.to_pylist()]


def by_price_year(card: RateCardResult, prices: list[str],
                  years: list[str]) -> Iterator[tuple[str, str, Tally]]:
    """Each price's claims in each contract year (claims outside the term belong to none).

    One pass over integer codes (``bincount``; sums of pence with ``np.add.at`` on int64,
    exact), not a filter of the whole table for every price and year.
    """
    return _tallies(claims_of(card).table, prices, years)


_BLOCK = 1 << 16
"""Rows a block in :func:`_tallies`: each block's temporaries stay in the cache, where
whole-column int64 temporaries of a million rows were fresh pages each (about 6 ms apiece)."""


def _tallies(table: pa.Table, prices: list[str],
             years: list[str]) -> Iterator[tuple[str, str, Tally]]:
    """The tallies of ``prices`` × ``years``.

    No boolean selection of the rows (``group[paid]`` costs about 4 ms a million when the
    mask is unpredictable): every count is one bincount of a combined index, a block of
    rows at a time.
    """
    n_rows = table.num_rows
    price, price_words = _codes(table.column("price"), widen=False)
    year, year_words = _codes(table.column("year"), widen=False)
    reason, reason_words = _codes(table.column("reason"), widen=False)
    status, status_words = _codes(table.column("status"), widen=False)
    paid_code = status_words.index("paid") if "paid" in status_words else -2
    capped = np.asarray(table.column("capped").combine_chunks().fill_null(False), bool) \
        if n_rows else np.zeros(0, bool)
    amount = np.asarray(table.column("amount").combine_chunks(), np.int64) if n_rows \
        else np.zeros(0, np.int64)
    ys, rs = len(year_words) + 1, len(reason_words) + 1
    n = max(len(price_words), 1) * ys
    by_flag = np.zeros(n * 4, np.int64)  # by group and flag: 0 rejected, 1 paid, 3 capped
    amounts = np.zeros(n, np.int64)
    by_reason = np.zeros(n * rs, np.int64)  # by group and reason + 1 (0: paid, reason null)
    for at in range(0, n_rows, _BLOCK):
        part = slice(at, at + _BLOCK)
        paid = status[part] == paid_code
        group = price[part].astype(np.int64)
        group *= ys
        group += year[part]
        group += 1
        flag = paid.astype(np.int64)
        flag += np.logical_and(paid, capped[part]) * 2
        flag += group * 4
        by_flag += np.bincount(flag, minlength=n * 4)
        # a rejected claim's amount is 0; multiplied by "paid" all the same
        np.add.at(amounts, group, amount[part] * paid)
        why = reason[part].astype(np.int64)
        why += 1
        why *= np.logical_not(paid)
        group *= rs
        why += group
        by_reason += np.bincount(why, minlength=n * rs)
    flags = by_flag.reshape(n, 4)
    claims = flags.sum(axis=1)
    paid_n = flags[:, 1] + flags[:, 3]
    capped_n = flags[:, 3]
    rejected = by_reason.reshape(n, rs)
    order = [r for r in REASON_WORDS if r in reason_words]
    for p in prices:
        for y in years:
            if p not in price_words or y not in year_words:
                yield p, y, Tally(paid=0, amount=_money(0), capped=0, rejected={})
                continue
            g = price_words.index(p) * ys + year_words.index(y) + 1
            if not claims[g]:
                yield p, y, Tally(paid=0, amount=_money(0), capped=0, rejected={})
                continue
            counts = {r: int(rejected[g, reason_words.index(r) + 1]) for r in order}
            yield p, y, Tally(paid=int(paid_n[g]), amount=_money(int(amounts[g])),
                              capped=int(capped_n[g]),
                              rejected={r: c for r, c in counts.items() if c})


def closest_to_cap(card: RateCardResult, n: int = 5) -> list[PersonPaid]:
    """The ``n`` people paid most (closest to the person cap), most first, then by person."""
    return card.people.most_paid(n) if card.people is not None else []


def person_claims(card: RateCardResult, person: str) -> list[ClaimRow]:
    """One person's claims, in decision order."""
    table = claims_of(card).table
    return list(ClaimRows(table.filter(pc.equal(table.column("person"), person))))


def explain_person(card: RateCardResult, person: str) -> list[str]:
    """One participant's claims in order, each with its decision and the running total."""
    rows = person_claims(card, person)
    total = Decimal("0.00")
    lines: list[str] = []
    for r in rows:
        head = f"{r.achieved_on.isoformat()} {r.price}"
        if r.status == "paid":
            total += r.amount
            cut = ""
            if r.capped:
                which = ("the person cap" if card.person_cap is not None
                         and total == card.person_cap else "the term cap")
                cut = f", capped: {which} left only this"
            lines.append(f"{head}: paid {pounds(r.amount)}{cut}; the person's total "
                         f"{pounds(total)}")
        else:
            reason = r.reason or ""
            lines.append(f"{head}: rejected, {reason} ({REASON_WORDS.get(reason, reason)})")
    cap = f" of the person cap {pounds(card.person_cap)}" if card.person_cap is not None else ""
    lines.append(f"total paid {pounds(total)}{cap} over {_claims(len(rows))}")
    return lines


def explain_price(card: RateCardResult, price: str, years: list[str]) -> list[str]:
    """One price's claims summarised: in all, then per contract year with any claim."""
    table = claims_of(card).table
    of_price = table.filter(pc.equal(table.column("price"), price))
    lines = [f"{_claims(of_price.num_rows)}: {_tally(of_price).words()}"]
    for _p, year, t in by_price_year(card, [price], years):
        if t.claims:
            lines.append(f"{year}: {t.words()}")
    outside = of_price.filter(pc.is_null(of_price.column("year")))
    if outside.num_rows:
        lines.append(f"outside the term: {_claims(outside.num_rows)}, all rejected")
    return lines
