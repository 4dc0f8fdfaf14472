"""How the schedule names a Contract Year, Quarter or Month: its label, with dates if needed.

A label such as ``2016/17`` reads, to anyone in the public sector, as a financial year from
1 April, and ``2016/17 Q1`` as April to June. When a contract's years start on another day
(1 October, 1 July), the bare label would be misread, so every table and clause then gives
the dates with it: ``2016/17 (1 October 2016 to 30 September 2017)``. Years that start on
1 April, or on 1 January (labelled by the calendar year, ``2017``), keep the bare label.
"""

from __future__ import annotations

from obc_check.model import Contract, ContractYear
from obc_check.model.periods import Period
from obc_check.render import words


def needs_dates(c: Contract) -> bool:
    """True when the contract years start on a day other than 1 April or 1 January."""
    start = c.term.start
    return (start.month, start.day) not in ((4, 1), (1, 1))


def span(period: ContractYear | Period) -> str:
    """``1 October 2016 to 30 September 2017``."""
    return f"{words.day(period.start)} to {words.day(period.end)}"


def year_name(c: Contract, year: ContractYear) -> str:
    """``2015/16``, or ``2016/17 (1 October 2016 to 30 September 2017)`` (module doc)."""
    return f"{year.label} ({span(year)})" if needs_dates(c) else year.label


def period_name(c: Contract, period: Period) -> str:
    """A Quarter or Month by its label, with its dates when the years need them."""
    return f"{period.label} ({span(period)})" if needs_dates(c) else period.label

