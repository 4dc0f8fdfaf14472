"""Datasets, measures and conditions in words: one source for every place that states them.

``render`` writes a measure as the definition a lawyer reads; ``check --explain`` states the
same definition beside the year's counts; ``diff`` shows an old and a new condition. All three
take their words from here, so the Schedule, the explanation of a figure and the change log
can never describe one definition in two ways. This module sits in the model layer (below
the checker, render and diff, which all may import it) and knows only the model.

The words follow what the checker computes (RECORDS.md): a record counts in the Contract Year
that contains its ``by`` date; a condition on a missing value is not met (only "is missing"
tests for one) and "it is not the case that" is met whenever its condition is not; every
group inside another is in parentheses, so no sentence reads two ways (``cond_words``).

A field is named by its name in Title Case (``treated_on`` → Treated On), records by the
dataset's name in Title Case (``REFERRALS`` → Referrals).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from obc_check.model.contract import Indicator
from obc_check.model.records import (
    And,
    Between,
    Compare,
    Cond,
    Dataset,
    DateValue,
    DaysBetween,
    Expr,
    FieldRef,
    FlagValue,
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


# ---- plain words (render.words re-exports these: one house style) -------------------------
def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: ``4500000.0`` → ``4500000``.

    Trailing zeros are cut from the text, not by ``normalize()``: that rounds to the
    context's 28 digits, and a contract's amount may have 40 (LANGUAGE.md: exact).
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def day(date: dt.date) -> str:
    """A date as a contract writes it: ``1 April 2015``."""
    return f"{date.day} {date.strftime('%B')} {date.year}"


def join(items: list[str], word: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


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
        return plain(e.value)
    if isinstance(e, TextValue):
        return f"“{e.value}”"
    if isinstance(e, DateValue):
        return day(e.value)
    if isinstance(e, FlagValue):
        return "true" if e.value else "false"
    if isinstance(e, Shift):
        n = abs(e.amount)
        unit = e.unit[:-1] if n == 1 else e.unit
        side = "after" if e.amount >= 0 else "before"
        return f"{n:,} {unit} {side} {field_name(e.field.name)}"
    assert isinstance(e, DaysBetween)
    a, b = field_name(e.start.name), field_name(e.end.name)
    return f"the number of days from {a} to {b} (negative where {b} is before {a})"


_DATE_OPS = {"=": "is", "!=": "is not", "<": "is before", "<=": "is no later than",
             ">": "is after", ">=": "is no earlier than"}
_NUMBER_OPS = {"=": "is", "!=": "is not", "<": "is less than", "<=": "is at most",
               ">": "is more than", ">=": "is at least"}


def cond_words(c: Cond, nested: bool = False) -> str:
    """A condition in words, its grouping unmistakable (RECORDS.md's tree, not a reading).

    "A and B or C" reads two ways in English, so every part of an ``and`` or ``or`` that is
    itself a group (an ``and``, an ``or``, a ``not``, a list of values) is written in
    parentheses, and every ``or`` starts with "either": ``(A and B) or C`` is "either (A and
    B) or C", ``A and (B or C)`` is "A and (either B or C)". A ``not`` of a group brackets
    it too: ``not (A and B)`` is "it is not the case that (A and B)". ``nested`` is kept for
    callers; a group's own parentheses come from the group around it.
    """
    if isinstance(c, And):
        return " and ".join(_part(i) for i in c.items)
    if isinstance(c, Or):
        return "either " + " or ".join(_part(i) for i in c.items)
    if isinstance(c, Not):
        return f"it is not the case that {_part(c.item)}"
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
        return f"{expr_words(c.expr)} is {join(values, 'or')}"
    assert isinstance(c, Between)
    # each end on its side (SQL's BETWEEN low AND high): "between 65 and 14" would read as
    # 14 to 65 in English, but counts no record
    low, high = ("is no earlier than", "no later than") if expr_type(c.expr) == "date" else (
        "is at least", "at most")
    return f"{expr_words(c.expr)} {low} {expr_words(c.low)} and {high} {expr_words(c.high)}"


def _part(c: Cond) -> str:
    """A part of a group: in parentheses when it has parts of its own (see cond_words)."""
    grouped = isinstance(c, And | Or | Not) or (isinstance(c, InList) and len(c.values) > 1)
    return f"({cond_words(c, True)})" if grouped else cond_words(c, True)


def nodes(c: Cond | Expr | None) -> list[Cond | Expr]:
    """Every condition and value in a tree.

    Render says only the rules a definition uses; diff finds the fields a condition reads.
    """
    if c is None:
        return []
    out: list[Cond | Expr] = [c]
    if isinstance(c, And | Or):
        for i in c.items:
            out += nodes(i)
    elif isinstance(c, Not):
        out += nodes(c.item)
    elif isinstance(c, Compare):
        out += nodes(c.left) + nodes(c.right)
    elif isinstance(c, InList):
        out += nodes(c.expr)
    elif isinstance(c, Between):
        out += nodes(c.expr) + nodes(c.low) + nodes(c.high)
    elif isinstance(c, IsTrue | IsMissing | Shift):
        out += nodes(c.field)
    elif isinstance(c, DaysBetween):
        out += nodes(c.start) + nodes(c.end)
    return out


# ---- measures --------------------------------------------------------------------------------
def _where(cond: Cond | None) -> str:
    return f" and where {cond_words(cond)}" if cond is not None else ""


def measure_terms(ind: Indicator, m: Measure, ds: Dataset) -> str:
    """What the measure counts, without its source: "The Denominator is …; the Numerator …".

    The sentences of the definition that ``check --explain`` states beside the counts.
    """
    rec = records_name(ds.id)
    placed = f"whose {field_name(m.by)} falls in the Contract Year"
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
        return (f"The Denominator is {denominator}; the Numerator is {numerator}. "
                f"The Value is the Numerator divided by the Denominator{times}; it is missing "
                "where the Denominator is zero.")
    if m.shape == "mean":
        assert m.value is not None
        return (f"The Value is the mean of {expr_words(m.value)} over the {rec} "
                f"{placed}{_where(m.where)}, leaving out those for which it is missing: their "
                "sum divided by their number, which is the Denominator. It is missing where "
                "there are none.")
    who = (f"the number of people (each identified by {person}, counted once a Contract Year) "
           f"with at least one of the {rec}" if m.counting_people else f"the number of {rec}")
    return f"The Value is {who} {placed}{_where(m.where)}; none is a Value of 0."


def measure_definition(ind: Indicator, m: Measure, ds: Dataset, ref: str = "") -> str:
    """The whole definition of a measured Value: its source (clause ``ref``), then its terms."""
    source = f"The Value is computed from the records of Dataset {ds.id}" + (
        f" (clause {ref})" if ref else "") + "."
    return f"{source} {measure_terms(ind, m, ds)}"


def placing_rule(m: Measure, ds: Dataset) -> str:
    """Which records count in no year, how a missing value meets a condition, no dataset.

    RECORDS.md: a comparison with a missing value is false and ``not`` is plain negation, so
    "it is not the case that" is met by a missing value (a referral never treated is not
    treated within 14 days); the sentence says so where the measure has a ``not``, and states
    the month-end rule where it moves a date by months or years.
    """
    used = [n for c in (m.denominator, m.numerator, m.where, m.value) for n in nodes(c)]
    missing = ("A condition on a value that is missing is not met (only “is missing” is met "
               "by it)")
    if any(isinstance(n, Not) for n in used):
        missing += (", but “it is not the case that …” is met wherever the condition after "
                    "it is not met, also where that is because a value is missing")
    months = ""
    if any(isinstance(n, Shift) and n.unit in ("months", "years") for n in used):
        months = (" A date a number of months or years after or before another falls on the "
                  "same day of the month, or on the last day of the month where that month is "
                  "shorter (31 January 2020 plus 1 month is 29 February 2020).")
    return (f"A record whose {field_name(m.by)} is missing, or falls outside the Term, counts "
            f"in no Contract Year. {missing}.{months} Where Dataset {ds.id} is not provided, "
            "the Value is missing in every Contract Year.")
