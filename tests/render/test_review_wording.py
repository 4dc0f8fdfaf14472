"""Review of #11's words (model/wording.py) against what check counts (RECORDS.md, Conditions).

A lawyer signs the Schedule's definition of a measured Value, so two conditions that count
different records must never read the same, and no sentence may say a record is left out
that check counts. Each test ties a wording to the count of the Python evaluator the engine
is held to (tests/checker/test_records_engine.py: engine = evaluator on random trees).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from obc_check.dsl import compile_text
from obc_check.model import (
    And,
    Between,
    Compare,
    Cond,
    DateValue,
    DaysBetween,
    FieldRef,
    InList,
    IsTrue,
    Measure,
    Not,
    NumberValue,
    Or,
    Shift,
    TextValue,
)
from obc_check.model.wording import cond_words, expr_words, measure_terms, placing_rule
from tests.checker.test_records_engine import Row, holds, run_engine, run_python

A = IsTrue(field=FieldRef(name="urgent", type="flag"))
B = IsTrue(field=FieldRef(name="first_episode", type="flag"))
C = IsTrue(field=FieldRef(name="signed_off", type="flag"))
LEAVES = (A, B, C)
# every combination of the three flags: two trees that read alike must count alike on each
ROWS: list[Row] = [dict(zip(("urgent", "first_episode", "signed_off"), v, strict=True))
                   for v in itertools.product((True, False), repeat=3)]

trees = st.recursive(st.sampled_from(LEAVES), lambda inner: st.one_of(
    st.builds(lambda c: Not(item=c), inner),
    st.builds(lambda cs: And(items=tuple(cs)), st.lists(inner, min_size=2, max_size=3)),
    st.builds(lambda cs: Or(items=tuple(cs)), st.lists(inner, min_size=2, max_size=3))),
    max_leaves=5)


def truth(c: Cond) -> tuple[bool, ...]:
    return tuple(holds(c, r) for r in ROWS)


def test_not_of_three_requirements_and_a_first_requirement_negated_read_differently() -> None:
    whole = Not(item=And(items=(A, B, C)))  # not (A and B and C)
    first = And(items=(Not(item=A), B, C))  # (not A) and B and C
    assert truth(whole) != truth(first)
    assert cond_words(whole) != cond_words(first), cond_words(whole)


def test_three_requirements_inside_an_alternative_read_apart_from_their_grouping() -> None:
    grouped = Or(items=(And(items=(A, B, C)), Not(item=A)))  # (A and B and C) or not A
    other = And(items=(A, B, Or(items=(C, Not(item=A)))))  # A and B and (C or not A)
    assert truth(grouped) != truth(other)
    assert cond_words(grouped) != cond_words(other), cond_words(grouped)


def test_an_alternative_inside_a_requirement_is_closed_before_the_next_requirement() -> None:
    # (A or B) and C  against  A or (B and C): "either A or B and C" reads as both
    first = And(items=(Or(items=(A, B)), C))
    words = cond_words(first)
    second = Or(items=(A, And(items=(B, C))))
    assert truth(first) != truth(second)
    assert words != cond_words(second)
    assert "either" not in words or "(" in words, words  # the group's end is marked


@settings(max_examples=400, deadline=None)
@given(trees, trees)
def test_conditions_that_read_alike_count_alike(c1: Cond, c2: Cond) -> None:
    """The words decide the records: equal words, equal truth on every record."""
    if cond_words(c1) == cond_words(c2):
        assert truth(c1) == truth(c2), cond_words(c1)


_LEAF_WORDS = {cond_words(leaf): leaf for leaf in LEAVES}
_NOT = "it is not the case that "


def read_back(words: str) -> Cond:
    """A reader of the words that knows only their stated convention: a group inside
    another is in parentheses, an ``or`` starts with "either", "it is not the case that"
    takes what follows it (a leaf or a parenthesised group)."""
    pos = 0

    def group() -> Cond:
        nonlocal pos
        either = words.startswith("either ", pos)
        if either:
            pos += len("either ")
        items, joins = [part()], set()
        while words.startswith((" and ", " or "), pos):
            word = " and " if words.startswith(" and ", pos) else " or "
            joins.add(word)
            pos += len(word)
            items.append(part())
        assert len(joins) <= 1, words  # never "A and B or C" at one level
        if not joins:
            assert not either, words
            return items[0]
        assert either == (joins == {" or "}), words  # every or, and only an or, has either
        return Or(items=tuple(items)) if either else And(items=tuple(items))

    def part() -> Cond:
        nonlocal pos
        if words.startswith(_NOT, pos):
            pos += len(_NOT)
            return Not(item=part())
        if words.startswith("(", pos):
            pos += 1
            inner = group()
            assert words.startswith(")", pos), words
            pos += 1
            return inner
        for text, leaf in _LEAF_WORDS.items():
            if words.startswith(text, pos):
                pos += len(text)
                return leaf
        raise AssertionError(f"unreadable at {pos}: {words}")

    tree = group()
    assert pos == len(words), words
    return tree


@settings(max_examples=300, deadline=None)
@given(trees)
def test_the_words_read_back_by_their_convention_count_what_the_tree_counts(c: Cond) -> None:
    """Stronger than comparing random pairs: any tree's words, read by the convention alone
    (no knowledge of the tree), count on every record what the tree counts."""
    assert truth(read_back(cond_words(c))) == truth(c), cond_words(c)


EIP = Path(__file__).resolve().parents[2] / "contracts" / "eip_records" / "contract.obc"
EIP14_MEASURE = re.compile(r"measure REFERRALS by referred_on \{\n\s*denominator where first_"
                           r"episode.*?\n\s*\}", re.S)


def _measure_text(denominator: str, numerator: str) -> tuple[str, str]:
    """EIP14's terms and placing rule with its measure's conditions replaced."""
    block = (f"measure REFERRALS by referred_on {{\n denominator {denominator}\n"
             f" numerator where {numerator}\n}}")
    src, n = EIP14_MEASURE.subn(block, EIP.read_text(encoding="utf-8"), count=1)
    assert n == 1
    result = compile_text(src, "w.obc")
    c = result.contract
    assert c is not None, result.diagnostics
    ind = c.indicator("EIP14")
    assert ind is not None and ind.measure is not None
    ds = c.dataset("REFERRALS")
    assert ds is not None
    return measure_terms(ind, ind.measure, ds), placing_rule(ind.measure, ds)


def test_the_year_stays_a_requirement_beside_an_alternative() -> None:
    """"… falls in the Contract Year and where A or B": the year must not read as one side."""
    terms, _ = _measure_text('where first_episode or team = "North"',
                               "treated_on is present")
    assert "falls in the Contract Year and where First Episode is true or" not in terms, terms


def test_a_negated_comparison_on_a_missing_value_is_said_to_be_met() -> None:
    """`not (treated_on <= referred_on + 14 days)` counts a referral never treated
    (RECORDS.md); the placing rule must not say a condition on a missing value is not met
    without excepting "it is not the case that"."""
    m = Measure(dataset="R", by="a", shape="count",
                where=Not(item=Compare(op="<=", left=FieldRef(name="b", type="date"),
                                       right=Shift(field=FieldRef(name="a", type="date"),
                                                   amount=14, unit="days"))))
    rows: list[Row] = [{"a": dt.date(2020, 3, 1), "b": None, "n": None, "f": None, "t": None}]
    assert run_engine(rows, {"C": m})["C"][0][3] == 1 == run_python(rows, {"C": m})["C"][0][3]
    _, rule = _measure_text("", "not (treated_on <= referred_on + 14 days)")
    assert "A condition on a value that is missing is not met (only “is missing” is met by " \
           "it)." not in rule, rule
    assert "it is not the case that" in rule, rule


def test_a_move_by_months_says_how_a_short_month_ends() -> None:
    """31 January + 1 month is 29 February 2020 (RECORDS.md): the words must say so."""
    _, rule = _measure_text("", "treated_on <= referred_on + 1 months")
    assert "last day" in rule, rule
    a = FieldRef(name="a", type="date")
    b = FieldRef(name="b", type="date")
    m = Measure(dataset="R", by="a", shape="count",
                where=Compare(op="<=", left=b, right=Shift(field=a, amount=1, unit="months")))
    # 31 January 2021 + 1 month is 28 February 2021 (the term's year 2 starts that day)
    late: Row = {"a": dt.date(2021, 1, 31), "b": dt.date(2021, 3, 1), "n": None, "f": None,
            "t": None}  # 1 March would be "a month after" read loosely
    on_time: Row = {**late, "b": dt.date(2021, 2, 28)}
    assert [y[3] for y in run_engine([late, on_time], {"C": m})["C"]] == [0, 1]


def test_days_from_a_to_b_says_it_is_negative_when_b_is_first() -> None:
    """`days from A to B` is B minus A (RECORDS.md): a referral treated before it was
    referred has a negative number of days, which "is at most 14" counts."""
    words = expr_words(DaysBetween(start=FieldRef(name="referred_on", type="date"),
                                   end=FieldRef(name="treated_on", type="date")))
    assert "negative" in words or "minus" in words, words


def test_a_list_of_values_inside_requirements_reads_as_one_requirement() -> None:
    team = FieldRef(name="team", type="text")
    listed = And(items=(InList(expr=team, values=(TextValue(value="North"),
                                                 TextValue(value="South"))), A))
    split = Or(items=(Compare(op="=", left=team, right=TextValue(value="North")),
                      And(items=(Compare(op="=", left=team, right=TextValue(value="South")),
                                 A))))
    rows: list[Row] = [{"team": "North", "urgent": False}]
    assert holds(listed, rows[0]) != holds(split, rows[0])
    # "Team is “North” or “South” and Urgent is true" also reads as the second tree
    assert " or “South” and " not in cond_words(listed), cond_words(listed)


def test_numbers_and_dates_in_words_are_the_values_compared() -> None:
    age = FieldRef(name="age", type="number")
    assert cond_words(Compare(op=">=", left=age, right=NumberValue(value=Decimal("14.50")))) \
        == "Age is at least 14.5"
    on = FieldRef(name="referred_on", type="date")
    assert cond_words(Compare(op="<", left=on, right=DateValue(value=dt.date(2020, 4, 1)))) \
        == "Referred On is before 1 April 2020"


def test_a_range_whose_ends_are_reversed_reads_as_the_empty_range_it_counts() -> None:
    """`age between 65 and 14` counts no record (RECORDS.md: both ends included, SQL's
    BETWEEN low AND high); "Age is between 65 and 14 (both included)" reads as 14 to 65.
    The words must give each end its side."""
    n = FieldRef(name="n", type="number")
    c = Between(expr=n, low=NumberValue(value=Decimal(5)), high=NumberValue(value=Decimal(-5)))
    rows: list[Row] = [{"a": dt.date(2020, 3, 1), "b": None, "n": Decimal(0), "f": None,
                        "t": None}]
    m = Measure(dataset="R", by="a", shape="count", where=c)
    assert run_engine(rows, {"C": m})["C"][0][3] == 0 == run_python(rows, {"C": m})["C"][0][3]
    words = cond_words(c)
    assert "between" not in words and "at least 5" in words and "at most -5" in words, words
    on = FieldRef(name="readmitted_on", type="date")
    out = FieldRef(name="discharged_on", type="date")
    assert cond_words(Between(expr=on, low=out, high=Shift(field=out, amount=30, unit="days"))
                      ) == ("Readmitted On is no earlier than Discharged On and no later than "
                            "30 days after Discharged On")
