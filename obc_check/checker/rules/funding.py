"""Who pays what (TERMS.md, "Who pays what: funding"): each year's payable split among payers.

Each year's **payable** is the sum of what the contract makes payable for it: the earned
outcome payment (after gateways), the rate card's payable for the year and, when a contract
has one, the capitation payable. :func:`year_payables` adds those up from any number of
sources (a mapping of year label → amount each), so a new kind of payable plugs in as one
more mapping. :func:`split_funding` then splits the years in time order:

1. each payer's part is payable × share, rounded half up to the penny; the difference
   between the payable and the sum of the rounded parts goes to (or comes from) the first
   payer listed;
2. a payer whose parts over the term would pass its cap pays up to the cap; the excess is
   split again by rule 1 among the payers still under their caps, in proportion to their
   shares (the penny difference to the first listed of them), as often as needed; a payer
   that lands exactly on its cap drops out; what no payer can take is ``unfunded``.

Choices where TERMS.md is silent (docs/checking.md, "Funding"): the penny rule's "first payer
listed" is the first listed of the payers taking part in that split (a payer already at its
cap takes no part, not even a penny); a re-split's shares are the payers' own shares over
the sum of the shares still taking part, exactly; a year appears when any source lists it,
even with a payable of £0.00.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from obc_check.checker.data.money import (
    ZERO,
    difference,
    money_total,
    percent_of,
    pounds,
    round_money,
)
from obc_check.checker.report.model import FundingYear
from obc_check.model import ContractYear, Funding


def year_payables(years: Sequence[ContractYear],
                  sources: Iterable[Mapping[str, Decimal]]) -> list[tuple[ContractYear, Decimal]]:
    """The payable of each year that any source lists, in time order: the sum of sources.

    A source is one kind of payable by year label: the earned outcome payments, the rate
    card's years, the capitation payable. Years no source lists are left out.
    """
    total: dict[str, Decimal] = {}
    for source in sources:
        for label, amount in source.items():
            total[label] = total.get(label, ZERO) + amount
    return [(y, total[y.label]) for y in years if y.label in total]


def _split(amount: Decimal, shares: Sequence[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Rule 1: ``amount`` × each share (over the shares' sum), to the penny.

    The penny difference goes to (or comes from) the first listed.
    """
    whole = sum((s for _, s in shares), Decimal(0))
    parts = {p: round_money(Fraction(amount) * Fraction(s) / Fraction(whole))
             for p, s in shares}
    first = shares[0][0]
    parts[first] = money_total((parts[first], difference(amount, money_total(parts.values()))))
    return parts


def split_year(funding: Funding, payable: Decimal,
               left: dict[str, Decimal | None]) -> tuple[dict[str, Decimal], Decimal, list[str]]:
    """One year's parts under the caps still ``left`` (updated in place).

    Returns the parts, the unfunded rest and the steps in words.
    """
    parts = {p.party: ZERO for p in funding.payers}
    words: list[str] = []
    amount = payable
    taking = [(p.party, p.share) for p in funding.payers
              if (left[p.party] is None or (left[p.party] or ZERO) > 0) and p.share > 0]
    while amount != 0 and taking:
        split = _split(amount, taking)
        excess = ZERO
        for party, part in split.items():
            cap_left = left[party]
            if cap_left is not None and part > cap_left:
                words.append(f"{party}'s part {pounds(part)} cut to {pounds(cap_left)} left "
                             "under its cap")
                excess = money_total((excess, difference(part, cap_left)))
                part = cap_left
            parts[party] = money_total((parts[party], part))
            if cap_left is not None:
                left[party] = difference(cap_left, part)
        taking = [(p, s) for p, s in taking if left[p] is None or (left[p] or ZERO) > 0]
        amount = excess
        if excess and taking:
            words.append(f"{pounds(excess)} split again among {', '.join(p for p, _ in taking)}")
    unfunded = amount
    if unfunded:
        words.append(f"{pounds(unfunded)} no payer can take (every cap reached): unfunded")
    return parts, unfunded, words


def split_funding(funding: Funding,
                  payables: Sequence[tuple[ContractYear, Decimal]]) -> list[FundingYear]:
    """Every year's split, earliest first, the caps running down over the term."""
    left: dict[str, Decimal | None] = {p.party: p.cap for p in funding.payers}
    out: list[FundingYear] = []
    shares = ", ".join(f"{p.party} {percent_of(p.share)}" for p in funding.payers)
    for year, payable in payables:
        parts, unfunded, words = split_year(funding, payable, left)
        steps = "; ".join([f"payable {pounds(payable)} split {shares}", *words])
        listed = ", ".join(f"{p} {pounds(a)}" for p, a in parts.items())
        out.append(FundingYear(year=year.label, payable=payable, payers=parts,
                               unfunded=unfunded,
                               derivation=f"{year.label}: {steps} → {listed}; unfunded "
                                          f"{pounds(unfunded)}"))
    return out


def payer_parts(funding: Funding | None, commissioners: Sequence[str],
                payables: Sequence[tuple[ContractYear, Decimal]],
                split: Sequence[FundingYear] | None) -> dict[str, dict[str, Decimal]]:
    """Each commissioner's part of each year's payable (payer → year label → part).

    With ``funding``, the parts of the split; without, a sole commissioner owes the whole
    payable (several commissioners without ``funding`` are a static error for the payout
    duty, so nothing is owed here).
    """
    if funding is not None and split is not None:
        return {p.party: {row.year: row.payers[p.party] for row in split}
                for p in funding.payers}
    if len(commissioners) == 1:
        return {commissioners[0]: {y.label: amount for y, amount in payables}}
    return {}
