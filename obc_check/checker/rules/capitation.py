"""Capitation (RECORDS.md): the year-of-care tariff, paid monthly on the caseload.

For each contract year and each of its months that has begun on or before the as-of date (a
month that starts on the as-of date has begun), each tier earns people × annual price / 12
for the month's caseload row. A tier's payable for the year is the exact sum over those
months, rounded half up to the penny once (never month by month: twelve roundings of a
twelfth could drift by pence from the annual price); the year's capitation is the sum of the
rounded tier payables. A begun month without a row for a tier pays nothing for it and is
named as missing (the report is then incomplete). Rows for months not yet begun are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction

from obc_check.checker.data.money import (
    is_whole_pence,
    money_total,
    pounds,
    round_money,
    shown_money,
    shown_number,
)
from obc_check.checker.data.tables import CaseloadRow
from obc_check.checker.report.model import CapitationMonth, CapitationTierYear, CapitationYear
from obc_check.model import Capitation, CapitationTier, Contract, ContractYear, Period

MONTHS_A_YEAR = 12


def begun_months(year: ContractYear, as_of: dt.date) -> tuple[Period, ...]:
    """The year's months that have begun by the end of ``as_of`` (its first day counts)."""
    return tuple(m for m in year.months() if m.start <= as_of)


def tier_year(tier: CapitationTier, year: ContractYear, months: tuple[Period, ...],
              rows: dict[tuple[str, str], CaseloadRow]) -> CapitationTierYear:
    """One tier's payable for one year: exact over the begun months, rounded once."""
    price = Fraction(tier.annual_price)
    total = Fraction(0)
    caseload: list[CapitationMonth] = []
    missing: list[str] = []
    for month in months:
        row = rows.get((tier.id, month.label))
        if row is None:
            missing.append(month.label)
            continue
        total += row.people * price / MONTHS_A_YEAR
        caseload.append(CapitationMonth(period=month.label, people=row.people))
    payable = round_money(total)
    people = sum(m.people for m in caseload)
    words = [f"{year.label} {tier.id}: {pounds(tier.annual_price)} per person per year / 12 "
             f"× {people:,} person-months over {len(caseload)} month"
             f"{'s' if len(caseload) != 1 else ''}"
             f" = {_exact_words(total)}, rounded half up to the penny once = {pounds(payable)}"]
    if missing:
        words.append(f"no caseload row for {', '.join(missing)}: nothing paid for "
                     f"{'that month' if len(missing) == 1 else 'those months'}")
    return CapitationTierYear(price=tier.id, annual_price=tier.annual_price, payable=payable,
                              months=len(caseload), missing=missing, caseload=caseload,
                              derivation="; ".join(words))


def _exact_words(x: Fraction) -> str:
    """An exact sum as people read it: pounds when whole pence, else four decimals and ``…``."""
    if is_whole_pence(x):
        return pounds(shown_money(x))
    whole, _, frac = shown_number(x, 4).partition(".")
    return f"£{int(whole):,}.{frac.ljust(2, '0')}… (exact)"


def capitation_years(contract: Contract, capitation: Capitation, rows: Iterable[CaseloadRow],
                     as_of: dt.date) -> list[CapitationYear]:
    """Every contract year with at least one begun month, in order."""
    by_key = {(r.price, r.period.label): r for r in rows}
    out: list[CapitationYear] = []
    for year in contract.term.years:
        months = begun_months(year, as_of)
        if not months:
            break  # later years begin later still
        tiers = [tier_year(t, year, months, by_key) for t in capitation.tiers]
        payable = money_total(t.payable for t in tiers)
        words = (f"{year.label}: {len(months)} of 12 months begun by {as_of.isoformat()}; "
                 f"capitation {pounds(payable)} = "
                 + " + ".join(f"{t.price} {pounds(t.payable)}" for t in tiers))
        out.append(CapitationYear(year=year.label, begun=len(months), payable=payable,
                                  tiers=tiers, derivation=words))
    return out


def capitation_budgets(years: Iterable[CapitationYear]) -> dict[str, Fraction]:
    """Each year's capitation payable as a risk-share budget, for complete years only.

    A year whose capitation misses a month has no budget, so no risk share: a missing
    return must not turn into an overspend the members bear (RECORDS.md).
    """
    return {y.year: Fraction(y.payable) for y in years if y.complete}
