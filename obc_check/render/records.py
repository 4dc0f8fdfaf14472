"""Datasets and measures in words (RECORDS.md): the definitions a lawyer reads.

Each sentence says what the checker computes, in the same order of rules:
a record counts in the Contract Year that contains its ``by`` date (none when that date is
missing or outside the Term); a condition on a missing value is not met (only "is missing"
tests for one) and "it is not the case that" is met whenever its condition is not; the
Denominator, Numerator, mean or count is then as ``rules/measured.py`` takes it.

A field is named by its name in Title Case (``treated_on`` → Treated On), records by the
dataset's name in Title Case (``REFERRALS`` → Referrals).
"""

from __future__ import annotations

from obc_check.model import (
    And,
    Between,
    Compare,
    Cond,
    Contract,
    Dataset,
    DateValue,
    DaysBetween,
    Expr,
    FieldRef,
    FlagValue,
    Indicator,
    InList,
    IsMissing,
    IsTrue,
    Measure,
    Not,
    NumberValue,
    Or,
    Shift,
    TextValue,
    expr_type,
)
from obc_check.render import words
from obc_check.render.blocks import Block, Para, Table

_TYPE_WORDS = {"text": "text", "number": "number (exact decimal)", "date": "date",
               "flag": "true or false"}


def field_name(name: str) -> str:
    """``treated_on`` → ``Treated On``."""
    return " ".join(part.capitalize() for part in name.split("_") if part)


def records_name(ds_id: str) -> str:
    """``REFERRALS`` → ``Referrals``."""
    return " ".join(part.capitalize() for part in ds_id.split("_") if part)


# ---- expressions and conditions ------------------------------------------------------------
def expr_words(e: Expr) -> str:
    """A value in words."""
    if isinstance(e, FieldRef):
        return field_name(e.name)
    if isinstance(e, NumberValue):
        return words.plain(e.value)
    if isinstance(e, TextValue):
        return f"“{e.value}”"
    if isinstance(e, DateValue):
        return words.day(e.value)
    if isinstance(e, FlagValue):
        return "true" if e.value else "false"
    if isinstance(e, Shift):
        n = abs(e.amount)
        unit = e.unit[:-1] if n == 1 else e.unit
        side = "after" if e.amount >= 0 else "before"
        return f"{n:,} {unit} {side} {field_name(e.field.name)}"
    assert isinstance(e, DaysBetween)
    return f"the number of days from {field_name(e.start.name)} to {field_name(e.end.name)}"


_DATE_OPS = {"=": "is", "!=": "is not", "<": "is before", "<=": "is no later than",
             ">": "is after", ">=": "is no earlier than"}
_NUMBER_OPS = {"=": "is", "!=": "is not", "<": "is less than", "<=": "is at most",
               ">": "is more than", ">=": "is at least"}


def cond_words(c: Cond, nested: bool = False) -> str:
    """A condition in words; ``nested`` marks a group inside another (either … or …)."""
    if isinstance(c, And):
        text = " and ".join(cond_words(i, True) for i in c.items)
        return f"both {text}" if nested and len(c.items) == 2 else text
    if isinstance(c, Or):
        text = " or ".join(cond_words(i, True) for i in c.items)
        return f"either {text}" if nested else text
    if isinstance(c, Not):
        return f"it is not the case that {cond_words(c.item, True)}"
    if isinstance(c, IsTrue):
        return f"{field_name(c.field.name)} is true"
    if isinstance(c, IsMissing):
        return f"{field_name(c.field.name)} is {'missing' if c.missing else 'recorded'}"
    if isinstance(c, Compare):
        t = expr_type(c.left)
        ops = _DATE_OPS if t == "date" else _NUMBER_OPS
        return f"{expr_words(c.left)} {ops[c.op]} {expr_words(c.right)}"
    if isinstance(c, InList):
        values = [expr_words(v) for v in c.values]
        if len(values) == 1:
            return f"{expr_words(c.expr)} is {values[0]}"
        return f"{expr_words(c.expr)} is {words.join(values, 'or')}"
    assert isinstance(c, Between)
    return (f"{expr_words(c.expr)} is between {expr_words(c.low)} and {expr_words(c.high)} "
            "(both included)")


# ---- measures --------------------------------------------------------------------------------
def measure_words(c: Contract, ind: Indicator, ref: str) -> list[Block]:
    """The definition of a measured Indicator's Value, with its counts in words."""
    m = ind.measure
    assert m is not None
    ds = c.dataset(m.dataset)
    assert ds is not None
    return [Para(_definition(ind, m, ds, ref)), Para(_placing(m, ds))]


def _where(cond: Cond | None) -> str:
    return f" and where {cond_words(cond)}" if cond is not None else ""


def _definition(ind: Indicator, m: Measure, ds: Dataset, ref: str) -> str:
    rec = records_name(ds.id)
    placed = f"whose {field_name(m.by)} falls in the Contract Year"
    source = f"The Value is computed from the records of Dataset {ds.id}" + (
        f" (clause {ref})" if ref else "") + "."
    person = field_name(ds.person) if ds.person else ""
    if m.shape == "proportion":
        times = ", multiplied by 100" if ind.unit == "percent" else ""
        if m.counting_people:
            denominator = (f"the number of people (each identified by {person}) with at least "
                           f"one of the {rec} {placed}{_where(m.denominator)}")
            numerator = ("the number of those people with at least one such record"
                         + (f" where also {cond_words(m.numerator)}" if m.numerator else ""))
        else:
            denominator = f"the number of {rec} {placed}{_where(m.denominator)}"
            numerator = ("the number of those" + (f" where {cond_words(m.numerator)}"
                                                  if m.numerator else ""))
        return (f"{source} The Denominator is {denominator}; the Numerator is {numerator}. "
                f"The Value is the Numerator divided by the Denominator{times}; it is missing "
                "where the Denominator is zero.")
    if m.shape == "mean":
        assert m.value is not None
        return (f"{source} The Value is the mean of {expr_words(m.value)} over the {rec} "
                f"{placed}{_where(m.where)}, leaving out those for which it is missing: their "
                "sum divided by their number, which is the Denominator. It is missing where "
                "there are none.")
    who = (f"the number of people (each identified by {person}, counted once a Contract Year) "
           f"with at least one of the {rec}" if m.counting_people else f"the number of {rec}")
    return f"{source} The Value is {who} {placed}{_where(m.where)}; none is a Value of 0."


def _placing(m: Measure, ds: Dataset) -> str:
    return (f"A record whose {field_name(m.by)} is missing, or falls outside the Term, counts "
            f"in no Contract Year. A condition on a value that is missing is not met (only "
            f"“is missing” is met by it). Where Dataset {ds.id} is not provided, the Value is "
            "missing in every Contract Year.")


def minimum_rule(ind: Indicator, n: int) -> str:
    """The minimum denominator of a measured Indicator in words."""
    return (f"Where the Denominator for a Contract Year is below {n:,}, the Value for that "
            "Contract Year is insufficient.")


# ---- the Datasets clause ---------------------------------------------------------------------
def datasets_clause(c: Contract) -> list[Block]:
    """Each Dataset: what one record is, and its fields as a table."""
    blocks: list[Block] = [Para(
        "The Indicators with a Measure are computed from the following Datasets of records. "
        "A Dataset is provided as a table with one row per record and a column for each field "
        "below; other columns are ignored. An empty cell is a missing value.")]
    for ds in c.datasets:
        text = f"Dataset {ds.id} is “{ds.title}”."
        if ds.key:
            text += (f" Each record has its own {field_name(ds.key)}, which is never missing.")
        if ds.person:
            text += f" {field_name(ds.person)} identifies the person a record is about."
        blocks.append(Para(text))
        rows = tuple((field_name(f.name), f"“{f.column}”", _TYPE_WORDS[f.type])
                     for f in ds.fields)
        blocks.append(Table(f"Dataset {ds.id}: fields", ("Field", "Column", "Type"), rows))
        for t in ds.text:
            blocks.append(Para(" ".join(t.split())))
    return blocks
