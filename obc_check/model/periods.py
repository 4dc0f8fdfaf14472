"""Contract years, quarters and months as values with methods.

LANGUAGE.md: contract year 1 starts on the term's start; each year runs twelve months; a year
that starts on 1 January is labelled by its calendar year (``2017``), any other by the
financial-year form (``2015/16``). Quarters and months are labelled ``2015/16 Q1`` and
``2015/16 M1``. Everything that needs a period label or boundary asks these classes, so the
rules live in one place.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

PeriodKind = Literal["year", "quarter", "month"]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def year_label(start: dt.date) -> str:
    """The label of a contract year that starts on ``start``."""
    if start.month == 1 and start.day == 1:
        return str(start.year)
    return f"{start.year}/{(start.year + 1) % 100:02d}"


class Period(BaseModel):
    """A contract year, quarter or month: a label and its first and last day."""

    model_config = ConfigDict(frozen=True)

    kind: PeriodKind
    label: str
    year: int
    index: int
    start: dt.date
    end: dt.date

    def ended_by(self, as_of: dt.date) -> bool:
        """A period is assessed only once it has ended on or before ``as_of``."""
        return self.end <= as_of


class ContractYear(BaseModel):
    """Contract year ``number`` (1-based) of a term."""

    model_config = ConfigDict(frozen=True)

    number: int
    label: str
    start: dt.date
    end: dt.date

    def _split(self, kind: PeriodKind, months: int, count: int) -> tuple[Period, ...]:
        letter = "Q" if kind == "quarter" else "M"
        return tuple(
            Period(
                kind=kind,
                label=f"{self.label} {letter}{i + 1}",
                year=self.number,
                index=i + 1,
                start=add_months(self.start, i * months),
                end=add_months(self.start, (i + 1) * months) - dt.timedelta(days=1),
            )
            for i in range(count)
        )

    def quarters(self) -> tuple[Period, ...]:
        """The four three-month blocks of the year."""
        return self._split("quarter", 3, 4)

    def months(self) -> tuple[Period, ...]:
        """The twelve months of the year."""
        return self._split("month", 1, 12)

    def as_period(self) -> Period:
        """The year itself as a period."""
        return Period(kind="year", label=self.label, year=self.number, index=1,
                      start=self.start, end=self.end)

    def periods(self, kind: PeriodKind) -> tuple[Period, ...]:
        """The year's periods of one kind."""
        if kind == "year":
            return (self.as_period(),)
        return self.quarters() if kind == "quarter" else self.months()


def contract_years(start: dt.date, end: dt.date) -> tuple[ContractYear, ...] | None:
    """The contract years of a term, or None when the term is not whole years."""
    years: list[ContractYear] = []
    n = 1
    while True:
        y_start = add_months(start, 12 * (n - 1))
        y_end = add_months(start, 12 * n) - dt.timedelta(days=1)
        if y_start > end:
            return None
        years.append(ContractYear(number=n, label=year_label(y_start), start=y_start, end=y_end))
        if y_end == end:
            return tuple(years)
        if y_end > end or n > 200:
            return None
        n += 1


def find_period(label: str, years: tuple[ContractYear, ...]) -> Period | None:
    """The period a label names (``2015/16``, ``2015/16 Q3``, ``2017 M11``), or None."""
    year_part, _, sub = label.strip().partition(" ")
    year = next((y for y in years if y.label == year_part), None)
    if year is None:
        return None
    if not sub:
        return year.as_period()
    kind: PeriodKind | None = {"Q": "quarter", "M": "month"}.get(sub[:1])  # type: ignore[assignment]
    if kind is None or not sub[1:].isdigit() or sub[1:].startswith("0"):
        return None
    index = int(sub[1:])
    periods = year.periods(kind)
    return periods[index - 1] if 1 <= index <= len(periods) else None
