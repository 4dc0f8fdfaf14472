"""Working days in England: Monday to Friday except England's bank holidays.

Report obligations fall due on the Nth working day after a period ends (LANGUAGE.md,
Obligations). Bank holidays come from the ``holidays`` package (GB, subdivision ENG), which
includes substitute days such as "Christmas Day (observed)", so a return due over Christmas,
New Year or Easter moves as a finance team would expect.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    """England's bank holidays of one calendar year (cached: the package builds them slowly)."""
    table = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(table.keys())


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(after: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``after`` (``after`` itself never counts).

    A day past 9999-12-31 has no Python date: such a deadline is 9999-12-31, which no as-of
    date passes, so no status changes (as for prompt payment's due dates).
    """
    day = after
    counted = 0
    while counted < n:
        if day == dt.date.max:
            return day
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def add_days(day: dt.date, n: int) -> dt.date:
    """``day`` + ``n`` days, or 9999-12-31 when that is past the calendar's end (see above)."""
    if n > (dt.date.max - day).days:
        return dt.date.max
    return day + dt.timedelta(days=n)


def bank_holidays_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Bank holidays on weekdays in ``start..end`` (for explaining why a date moved)."""
    out: list[dt.date] = []
    for year in range(start.year, end.year + 1):
        out.extend(d for d in _bank_holidays(year) if start <= d <= end and d.weekday() < 5)
    return sorted(out)
