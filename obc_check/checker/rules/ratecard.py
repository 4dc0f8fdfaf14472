"""Rate card: outcome counts × price, in time order, under per-price and total caps.

LANGUAGE.md: both caps apply in time order — earlier periods first, within one period the
prices in declaration order — so the period that crosses a cap is paid only up to it.
Choices (docs/checking.md): periods are ordered by end date, then start date (a year row
before the quarters that end with it); a price's ``at most N`` caps the outcomes counted;
the total cap limits money, so the crossing line is paid the part of its sum that fits, which
may be part of one person's price. Only periods ended by the as-of date are paid.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from obc_check.checker.data.money import ZERO, as_money, pounds
from obc_check.checker.data.tables import OutcomeRow
from obc_check.checker.report.model import RateCardLine, RateCardResult, RateCardYear
from obc_check.model import Contract, RateCard


def _line(row: OutcomeRow, price_amount: Decimal, price_left: int | None,
          cap_left: Fraction) -> tuple[RateCardLine, int]:
    counted = row.count if price_left is None else min(row.count, price_left)
    # exact: a price times a large count has more digits than Decimal's default 28
    exact_full = Fraction(price_amount) * counted
    full, amount = as_money(exact_full), as_money(min(exact_full, cap_left))
    words = [f"{row.period.label} {row.price}: {row.count} × {pounds(price_amount)}"]
    if counted < row.count:
        words.append(f"only {counted} counted under the price's `at most` cap")
    if amount < full:
        words.append(f"{pounds(full)} cut to {pounds(amount)} left under the total cap")
    line = RateCardLine(period=row.period.label, price=row.price, count=row.count,
                        counted=counted, amount=amount,
                        derivation="; ".join(words) + f" → {pounds(amount)} ({row.ref})")
    return line, counted


def rate_card(contract: Contract, card: RateCard, rows: Iterable[OutcomeRow],
              as_of: dt.date) -> RateCardResult:
    """Payable per year and in total for periods ended by ``as_of``."""
    order = {p.id: i for i, p in enumerate(card.prices)}
    prices = {p.id: p for p in card.prices}
    ended = sorted((r for r in rows if r.period.ended_by(as_of) and r.price in prices),
                   key=lambda r: (r.period.end, r.period.start, order[r.price]))
    left: dict[str, int | None] = {p.id: p.at_most for p in card.prices}
    cap_left = Fraction(card.cap)
    lines: list[RateCardLine] = []
    by_year: dict[int, Fraction] = {}
    for row in ended:
        line, counted = _line(row, prices[row.price].amount, left[row.price], cap_left)
        remaining = left[row.price]
        if remaining is not None:
            left[row.price] = remaining - counted
        cap_left -= Fraction(line.amount)
        by_year[row.period.year] = by_year.get(row.period.year, Fraction(0)) + Fraction(
            line.amount)
        lines.append(line)
    per_year = Counter(line_row.period.year for line_row in ended)
    years = [
        RateCardYear(year=y.label, payable=as_money(by_year.get(y.number, ZERO)),
                     derivation=f"{y.label}: sum of {per_year[y.number]} price lines of "
                                f"periods ended by {as_of.isoformat()}")
        for y in contract.term.years if y.start <= as_of
    ]
    total = as_money(sum((Fraction(y.payable) for y in years), Fraction(0)))
    hit = " (the cap is reached)" if total == card.cap else ""
    derivation = (f"total {pounds(total)} of the cap {pounds(card.cap)} over the term{hit}; "
                  + ", ".join(f"{y.year} {pounds(y.payable)}" for y in years))
    return RateCardResult(cap=card.cap, years=years, total=total, lines=lines,
                          derivation=derivation)
