"""The typed condition tree → SQL text with bound parameters, engine-neutral.

One compiler for every engine: it writes standard SQL (``CASE``, ``COALESCE``, ``FILTER``,
``CAST``) and leaves to the engine layer only what differs between engines — how a name is
quoted, the exact decimal type, how a date moves by months. Nothing from a contract or a
data file is ever pasted into the text: columns are the engine layer's own internal names
(``f0``, ``f1``, …) and every value (texts, decimals, dates, counts) is a ``?`` parameter.

Semantics of RECORDS.md (Conditions) are made explicit here so that SQL's three-valued logic
never leaks: every condition compiles to an expression that is TRUE or FALSE, never NULL —
a comparison, ``in`` or ``between`` with a missing operand is FALSE (``COALESCE(…, FALSE)``),
``not`` is plain negation of that, and only ``is missing`` / ``is present`` test for NULL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from obc_check.model import (
    And,
    Between,
    Compare,
    Cond,
    DateValue,
    DaysBetween,
    Expr,
    FieldRef,
    FlagValue,
    InList,
    IsMissing,
    IsTrue,
    Not,
    NumberValue,
    Or,
    Shift,
    TextValue,
)


@dataclass(frozen=True, slots=True)
class Sql:
    """A piece of SQL and the values of its ``?`` placeholders, in order."""

    text: str
    params: tuple[object, ...] = ()

    def __add__(self, other: Sql | str) -> Sql:
        if isinstance(other, str):
            return Sql(self.text + other, self.params)
        return Sql(self.text + other.text, self.params + other.params)

    def __radd__(self, other: str) -> Sql:
        return Sql(other + self.text, self.params)


def join(parts: Iterable[Sql | str], sep: str = ", ") -> Sql:
    """The parts with ``sep`` between them, parameters kept in order."""
    out = Sql("")
    first = True
    for part in parts:
        if not first:
            out = out + sep
        out = out + part
        first = False
    return out


def param(value: object, cast: str | None = None) -> Sql:
    """A bound value, cast to ``cast`` (so that its type never depends on the driver)."""
    return Sql(f"CAST(? AS {cast})" if cast else "?", (value,))


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between engines: names, the exact decimal type, month arithmetic.

    ``shift_months(date_sql, months_sql)`` moves a date by a number of months, clamping to
    the month's last day (2020-01-31 + 1 month = 2020-02-29).
    """

    quote: Callable[[str], str]
    decimal: str
    shift_months: Callable[[Sql, Sql], Sql]


class ConditionCompiler:
    """Compiles conditions and expressions over the columns named in ``columns``.

    ``columns`` maps each field name to the SQL of its typed value (an internal column of
    the engine's typed view: NULL when missing, DECIMAL for numbers, DATE for dates,
    BOOLEAN for flags).
    """

    def __init__(self, columns: Mapping[str, str], dialect: Dialect) -> None:
        self.columns = columns
        self.dialect = dialect

    def cond(self, c: Cond) -> Sql:
        """SQL that is TRUE or FALSE for every record, never NULL."""
        if isinstance(c, And):
            return "(" + join((self.cond(i) for i in c.items), " AND ") + ")"
        if isinstance(c, Or):
            return "(" + join((self.cond(i) for i in c.items), " OR ") + ")"
        if isinstance(c, Not):
            return "(NOT " + self.cond(c.item) + ")"
        if isinstance(c, IsMissing):
            return Sql(f"({self.field(c.field)} IS {'' if c.missing else 'NOT '}NULL)")
        if isinstance(c, IsTrue):
            return Sql(f"COALESCE({self.field(c.field)}, FALSE)")
        if isinstance(c, Compare):
            return "COALESCE(" + self.expr(c.left) + f" {_OPS[c.op]} " + self.expr(
                c.right) + ", FALSE)"
        if isinstance(c, InList):
            return "COALESCE(" + self.expr(c.expr) + " IN (" + join(
                self.expr(v) for v in c.values) + "), FALSE)"
        if isinstance(c, Between):
            return ("COALESCE(" + self.expr(c.expr) + " BETWEEN " + self.expr(c.low)
                    + " AND " + self.expr(c.high) + ", FALSE)")
        raise AssertionError(f"unknown condition {c!r}")  # pragma: no cover

    def field(self, ref: FieldRef) -> str:
        """The typed column of a field."""
        return self.columns[ref.name]

    def expr(self, e: Expr) -> Sql:
        """A value: NULL when missing; numbers as the exact decimal type."""
        d = self.dialect
        if isinstance(e, FieldRef):
            return Sql(self.field(e))
        if isinstance(e, NumberValue):
            return param(format(e.value, "f"), d.decimal)
        if isinstance(e, TextValue):
            return param(e.value, "VARCHAR")
        if isinstance(e, DateValue):
            return param(e.value.isoformat(), "DATE")
        if isinstance(e, FlagValue):
            return Sql("TRUE" if e.value else "FALSE")
        if isinstance(e, Shift):
            date = Sql(self.field(e.field))
            if e.unit in ("days", "weeks"):
                days = e.amount * (7 if e.unit == "weeks" else 1)
                return "(" + date + " + " + param(days, "INTEGER") + ")"
            months = e.amount * (12 if e.unit == "years" else 1)
            return d.shift_months(date, param(months, "INTEGER"))
        if isinstance(e, DaysBetween):
            return Sql(f"CAST(({self.field(e.end)} - {self.field(e.start)}) AS {d.decimal})")
        raise AssertionError(f"unknown expression {e!r}")  # pragma: no cover


_OPS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
