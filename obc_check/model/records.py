"""Datasets, measures and their conditions (RECORDS.md) as a typed, frozen expression tree.

The builder (``dsl/records.py``) resolves every field a condition names against its dataset,
so each node here already knows its type: the engine compiles the tree to a query without
looking anything up, and render states it in words. Parentheses are not kept (the tree's
shape says what they said); spans are, for diagnostics, and stay out of ``compile`` output.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from obc_check.model.node import Node

FieldType = Literal["text", "number", "date", "flag"]
DurationUnit = Literal["days", "weeks", "months", "years"]
CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
Shape = Literal["proportion", "mean", "count"]


class DataField(Node):
    """``field NAME TYPE [from "Column"]``: ``column`` is the column in the data."""

    name: str
    type: FieldType
    column: str


class Dataset(Node):
    """The shape of a table of records: one row per referral, discharge, episode ..."""

    id: str
    title: str
    fields: tuple[DataField, ...]
    key: str | None = None
    person: str | None = None
    text: tuple[str, ...] = ()

    def field(self, name: str) -> DataField | None:
        """The field called ``name``, if any."""
        return next((f for f in self.fields if f.name == name), None)


# ---- expressions -------------------------------------------------------------------------
class FieldRef(Node):
    """A field's value in the record (missing when its cell is empty)."""

    kind: Literal["field"] = "field"
    name: str
    type: FieldType


class NumberValue(Node):
    """A number written in the condition, exact (may be negative)."""

    kind: Literal["number"] = "number"
    value: Decimal


class TextValue(Node):
    """A quoted text."""

    kind: Literal["text"] = "text"
    value: str


class DateValue(Node):
    """An ISO date."""

    kind: Literal["date"] = "date"
    value: dt.date


class FlagValue(Node):
    """``true`` or ``false``."""

    kind: Literal["flag"] = "flag"
    value: bool


class Shift(Node):
    """``FIELD + N UNIT`` (``amount`` negative for ``-``): months and years clamp to month end."""

    kind: Literal["shift"] = "shift"
    field: FieldRef
    amount: int
    unit: DurationUnit


class DaysBetween(Node):
    """``days from START to END``: END minus START in days; missing when either is."""

    kind: Literal["days_between"] = "days_between"
    start: FieldRef
    end: FieldRef


Expr = Annotated[FieldRef | NumberValue | TextValue | DateValue | FlagValue | Shift
                 | DaysBetween, Field(discriminator="kind")]


def expr_type(expr: FieldRef | NumberValue | TextValue | DateValue | FlagValue | Shift
              | DaysBetween) -> FieldType:
    """The type of an expression's value."""
    if isinstance(expr, FieldRef):
        return expr.type
    if isinstance(expr, NumberValue | DaysBetween):
        return "number"
    if isinstance(expr, TextValue):
        return "text"
    if isinstance(expr, DateValue | Shift):
        return "date"
    return "flag"


# ---- conditions -------------------------------------------------------------------------
class IsTrue(Node):
    """A bare flag field: true when the flag is present and true."""

    kind: Literal["is_true"] = "is_true"
    field: FieldRef


class Compare(Node):
    """``LEFT OP RIGHT``; false when either side is missing."""

    kind: Literal["compare"] = "compare"
    op: CompareOp
    left: Expr
    right: Expr


class IsMissing(Node):
    """``FIELD is missing`` (``missing`` true) or ``FIELD is present`` (false)."""

    kind: Literal["is_missing"] = "is_missing"
    field: FieldRef
    missing: bool


class InList(Node):
    """``EXPR in (V, ...)``; false when the expression is missing."""

    kind: Literal["in"] = "in"
    expr: Expr
    values: tuple[Expr, ...]


class Between(Node):
    """``EXPR between LOW and HIGH``, both ends included; false when any is missing."""

    kind: Literal["between"] = "between"
    expr: Expr
    low: Expr
    high: Expr


class Not(Node):
    """``not COND``: plain negation (so true when COND is false for a missing value)."""

    kind: Literal["not"] = "not"
    item: Cond


class And(Node):
    """Every item holds."""

    kind: Literal["and"] = "and"
    items: tuple[Cond, ...]


class Or(Node):
    """Some item holds."""

    kind: Literal["or"] = "or"
    items: tuple[Cond, ...]


Cond = Annotated[IsTrue | Compare | IsMissing | InList | Between | Not | And | Or,
                 Field(discriminator="kind")]

Not.model_rebuild()
And.model_rebuild()
Or.model_rebuild()


class Measure(Node):
    """An indicator's value defined over a dataset's records.

    - proportion: ``denominator`` (None: every record of the year) and ``numerator`` (None:
      every denominator record);
    - mean: ``value`` over the records meeting ``where`` whose value is present;
    - count: the records meeting ``where``.
    ``counting_people`` counts each person at most once a year (proportion and count).
    """

    dataset: str
    by: str
    counting_people: bool = False
    shape: Shape
    denominator: Cond | None = None
    numerator: Cond | None = None
    value: Expr | None = None
    where: Cond | None = None
