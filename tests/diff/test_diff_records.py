"""``diff`` of datasets and measures: definitions in words, stricter/looser only when certain."""

from __future__ import annotations

import pytest

from obc_check.diff import Changes, diff_contracts, to_text
from obc_check.diff.records import compare_conditions
from obc_check.dsl import compile_text
from obc_check.model import Contract

BASE = """
contract S "Small" {
  version "1"
  currency GBP
  term 2020-04-01 to 2021-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Provider" role lead_provider sector nhs
  annual_value £1,000,000
  outcome_payment 10%
  dataset R "Records" {
    field rid    text
    field who    text
    field seen   date
    field later  date
    field age    number
    field urgent flag
    key    rid
    person who
  }
  outcome A "A" weight 100% {
    indicator X "X" weight 50% {
      unit percent
      DIRECTION is better
      floor FLOOR
      target TARGET
      measure R by seen {
        denominator DENOMINATOR
        numerator where NUMERATOR
      }
    }
    indicator N "N" weight 50% {
      unit count
      higher is better
      floor 1
      target 3
      measure R by seen COUNTING {
        count where WHERE
      }
    }
  }
}
"""
DEFAULTS = {"DIRECTION": "higher", "FLOOR": "50%", "TARGET": "60%",
            "DENOMINATOR": "where age >= 14", "NUMERATOR": "urgent", "COUNTING": "",
            "WHERE": "urgent"}


def contract(**parts: str) -> Contract:
    text = BASE
    for key, value in {**DEFAULTS, **parts}.items():
        text = text.replace(key, value)
    result = compile_text(text)
    assert result.contract is not None, result.diagnostics
    return result.contract


def changes(**parts: str) -> Changes:
    return diff_contracts(contract(), contract(**parts))


def effects(ch: Changes) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.path, c.effect, c.old, c.new) for c in ch.changes]


def test_a_numerator_that_only_adds_a_requirement_is_stricter_when_higher_is_better() -> None:
    ch = changes(NUMERATOR="urgent and age >= 18")
    assert effects(ch) == [("indicator.X.measure.numerator", "stricter", "Urgent is true",
                            "Urgent is true and Age is at least 18")]
    text = to_text(ch)
    assert "indicator X measure numerator changed" in text
    assert "was: Urgent is true\n" in text
    assert "now: Urgent is true and Age is at least 18\n" in text


def test_the_same_change_is_looser_when_lower_is_better() -> None:
    lower = {"DIRECTION": "lower", "FLOOR": "60%", "TARGET": "50%"}
    old = contract(**lower)
    new = contract(**lower, NUMERATOR="urgent and age >= 18")
    assert [c.effect for c in diff_contracts(old, new).changes] == ["looser"]


def test_an_alternative_in_the_numerator_is_looser() -> None:
    ch = changes(NUMERATOR="urgent or age >= 18")
    assert [c.effect for c in ch.changes] == ["looser"]


def test_a_numerator_narrowed_with_its_denominator_changed_is_not_judged() -> None:
    ch = changes(NUMERATOR="urgent and age >= 18", DENOMINATOR="where age >= 16")
    assert {c.path: c.effect for c in ch.changes} == {
        "indicator.X.measure.denominator": "neutral",
        "indicator.X.measure.numerator": "neutral"}


def test_a_denominator_is_never_judged() -> None:
    ch = changes(DENOMINATOR="where age >= 14 and urgent")
    assert effects(ch) == [("indicator.X.measure.denominator", "neutral",
                            "Age is at least 14", "Age is at least 14 and Urgent is true")]
    assert "a denominator moves a proportion either way" in ch.changes[0].why


def test_a_changed_comparison_is_changed_not_stricter() -> None:
    """``age >= 14`` → ``age >= 18`` is narrower in fact, but not by structure: "changed"."""
    ch = changes(NUMERATOR="age >= 18")
    assert [c.effect for c in ch.changes] == ["neutral"]
    assert "depends on the records" in ch.changes[0].why


def test_a_count_that_counts_fewer_or_people_is_stricter() -> None:
    assert [c.effect for c in changes(WHERE="urgent and age > 1").changes] == ["stricter"]
    ch = changes(COUNTING="counting people")
    assert effects(ch) == [("indicator.N.measure.counting_people", "stricter", "each record",
                            "each person once a Contract Year")]


def test_by_and_datasets_in_words() -> None:
    ch = diff_contracts(contract(), contract().model_copy())
    assert ch.empty
    text = BASE.replace("measure R by seen {", "measure R by later {")
    for key, value in DEFAULTS.items():
        text = text.replace(key, value)
    text = text.replace('field age    number', 'field age    number from "Age"')
    new = compile_text(text).contract
    assert new is not None
    found = effects(diff_contracts(contract(), new))
    assert ("indicator.X.measure.by", "neutral", "the Contract Year of Seen",
            "the Contract Year of Later") in found
    assert ("dataset.R.field.age", "neutral", "Age (age), number",
            'Age (age), number from "Age"') in found
    assert next(c for c in diff_contracts(contract(), new).changes
                if c.path == "dataset.R.field.age").breaks_data


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("urgent", "urgent", "same"),
    ("urgent", "urgent and age > 1", "narrower"),
    ("urgent and age > 1", "urgent", "wider"),
    ("urgent or age > 1", "urgent", "narrower"),
    ("urgent", "age > 1 or urgent", "wider"),
    ("urgent", "age > 1", "other"),
    ("urgent and age > 1", "urgent and age > 2", "other"),
    (None, "urgent", "narrower"),
    ("urgent", None, "wider"),
])
def test_compare_conditions(old: str | None, new: str | None, expected: str) -> None:
    def cond(text: str | None) -> object:
        if text is None:
            return None
        m = contract(NUMERATOR=text).indicator("X")
        assert m is not None and m.measure is not None
        return m.measure.numerator

    assert compare_conditions(cond(old), cond(new)) == expected  # type: ignore[arg-type]
