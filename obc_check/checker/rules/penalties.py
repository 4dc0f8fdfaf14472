"""Penalties: per breach or per day late, and capped per contract year (TERMS.md).

- **Per breach**: a breached row costs the obligation's penalty.
- **Per day late** (report obligations only): a breached return costs the rate × its days
  late: the calendar days from the due date to the submission date (a return one day late
  is one day late), or, when it was not submitted, to the as-of date.
- **Capped per year**: the penalties of one obligation in one contract year (the year of
  the row's period; for prompt payment, the year containing the invoice's due date, or the
  last contract year when it falls due after the term) are taken in order of due date, then
  of the row's period or invoice (as text, by code point), and each is cut so that the
  year's sum does not pass the cap. The row shows the penalty after the cap.

Choice where TERMS.md is silent (docs/checking.md, "Penalties"): an invoice that falls due
before the term starts counts in the first contract year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from obc_check.checker.data.money import ZERO, pounds
from obc_check.checker.report.rows import ObligationRow, ObligationStatus
from obc_check.model import Contract, ContractYear, Obligation


def penalty_of(ob: Obligation, status: ObligationStatus, days_late: int | None = None) -> Decimal:
    """The penalty of one row before any cap: per breach, or the rate × days late."""
    if status != "breached" or ob.penalty is None:
        return ZERO
    if ob.penalty_basis == "per_day_late":
        return ob.penalty * max(days_late or 0, 0)
    return ob.penalty


def penalty_words(ob: Obligation, status: ObligationStatus, penalty: Decimal,
                  days_late: int | None = None) -> str:
    """``; penalty £150.00 (3 days late × £50.00)`` for a breached row, else nothing."""
    if status != "breached":
        return ""
    if ob.penalty is None:
        return "; no penalty set"
    if ob.penalty_basis == "per_day_late":
        days = max(days_late or 0, 0)
        return (f"; penalty {pounds(penalty)} ({days} day{'s' if days != 1 else ''} late × "
                f"{pounds(ob.penalty)})")
    return f"; penalty {pounds(penalty)}"


def days_late(due: dt.date, submitted: dt.date | None, as_of: dt.date) -> int:
    """Calendar days from the due date to the submission (or the as-of date)."""
    return ((submitted or as_of) - due).days


def cap_year(contract: Contract, row: ObligationRow) -> ContractYear:
    """The contract year a row's penalty counts in, for the cap per year."""
    years = contract.term.years
    if row.period is not None:
        for y in years:
            if row.period == y.label or row.period.startswith(y.label + " "):
                return y
    day = row.due
    if day is None or day > years[-1].end:
        return years[-1]
    return next((y for y in years if y.start <= day <= y.end), years[0])


def _order(row: ObligationRow) -> tuple[dt.date, str]:
    return (row.due or dt.date.min, row.period if row.period is not None else row.invoice or "")


def capped(ob: Obligation, contract: Contract,
           rows: Iterable[ObligationRow]) -> list[ObligationRow]:
    """The rows with each year's penalties cut so that their sum does not pass the cap.

    Rows keep their order; only the penalties (and derivations) of cut rows change.
    """
    rows = list(rows)
    cap = ob.penalty_cap
    if cap is None:
        return rows
    taken: dict[int, Decimal] = {}
    out: dict[int, ObligationRow] = {}
    for i in sorted(range(len(rows)), key=lambda i: _order(rows[i])):
        row = rows[i]
        if not row.penalty:
            continue
        year = cap_year(contract, row)
        before = taken.get(year.number, ZERO)
        allowed = max(min(row.penalty, cap - before), ZERO)
        taken[year.number] = before + allowed
        if allowed != row.penalty:
            note = (f"; cut to {pounds(allowed)} by the cap of {pounds(cap)} per year "
                    f"({year.label}: {pounds(before)} before this row)")
            out[i] = dataclasses.replace(row, penalty=allowed,
                                         derivation=row.derivation + note)
    return [out.get(i, row) for i, row in enumerate(rows)]

