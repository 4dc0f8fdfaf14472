"""Review findings: syntax errors that were reported as a cascade of echoes, or misleadingly.

Each case is one typical author mistake in the AMH contract. It must give exactly one
diagnostic (the real one), at the right place, with a helpful hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from obc_check.diagnostics import Diagnostic
from obc_check.dsl import compile_text

ROOT = Path(__file__).resolve().parent.parent.parent
AMH = (ROOT / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")


_LAST: list[str] = [""]


def _diags(old: str, new: str) -> list[Diagnostic]:
    assert old in AMH
    src = AMH.replace(old, new, 1)
    _LAST[0] = src
    result = compile_text(src, "amh.obc")
    assert not result.ok
    return result.diagnostics


def _at(d: Diagnostic, line_text: str, token: str) -> None:
    """``d`` points at ``token`` in the line of the last source that holds ``line_text``."""
    assert d.span is not None
    lines = _LAST[0].split("\n")
    line_no = next(i for i, line in enumerate(lines, 1) if line_text in line)
    assert d.span.line == line_no
    assert lines[line_no - 1][d.span.column - 1:].startswith(token.split()[0])


def test_misspelt_role_is_one_error_with_did_you_mean() -> None:
    # Was: "unknown setting `lead` in the contract block", then nine errors of the form
    # "`party` is not a setting of the contract block / `party` belongs in a contract block".
    [d] = _diags("role lead_provider sector nhs", "role lead provider sector nhs")
    assert d.code == "E001"
    assert "after `role`" in d.message and "found `lead`" in d.message
    assert d.hint == "did you mean `lead_provider`?"
    _at(d, 'party OH   "Oxford Health', "lead")


def test_missing_role_is_one_error() -> None:
    [d] = _diags("role lead_provider sector nhs", "role sector nhs")
    assert d.code == "E001"
    assert "after `role`" in d.message and "found `sector`" in d.message
    assert "lead_provider" in d.message


@pytest.mark.parametrize(("old", "new", "found"), [
    ("at least 8% of annual_value", "at least 8 of annual_value", "`8`"),
    ("at least 8% of annual_value", "at least 8% annual_value", "`annual_value`"),
    ("withhold 50% of outcome_payment", "withhold 50 of outcome_payment", "`50`"),
    ("withhold 50% of outcome_payment", "50% of outcome_payment", "`50%`"),
])
def test_error_before_a_keyword_inside_a_sentence_is_not_echoed(old: str, new: str,
                                                                 found: str) -> None:
    # Was: a second error "`annual_value` cannot stand inside the obligation block / did you
    # forget a `}`" (the `annual_value` of the sentence taken for a new statement).
    [d] = _diags(old, new)
    assert d.code == "E001" and f"found {found}" in d.message


def test_missing_shall_is_one_error() -> None:
    # Was three errors: the `penalty` line and the closing `}` were echoes.
    [d] = _diags("OH shall report within 15", "OH report within 15")
    assert d.code == "E001" and "expected `shall` after `OH`, found `report`" in d.message


def test_missing_in_before_a_baseline_year_names_in() -> None:
    # Was: "expected a setting of the indicator block, found `2014/15`" (LALR's merged
    # lookahead), then the real error as a second one.
    [d] = _diags("baseline 3.6 in 2014/15", "baseline 3.6 2014/15")
    assert d.code == "E001"
    assert d.message == "expected `in` after `3.6`, found `2014/15`"
    _at(d, "baseline 3.6", "2014/15")


def test_member_loss_cap_without_pound_is_one_error() -> None:
    src = (ROOT / "contracts" / "older_people" / "contract.obc").read_text(encoding="utf-8")
    bad = src.replace("member loss cap £3,000,000 per year", "member loss cap per year")
    result = compile_text(bad, "opa.obc")
    [d] = result.diagnostics  # `cap` is the rate card's keyword too: no echo for `member loss`
    assert d.code == "E001" and "found `per`" in d.message


def test_misspelt_role_keyword_is_one_error() -> None:
    # Was a second error: "`commissioner` is not a setting of the contract block".
    [d] = _diags('Group" role commissioner', 'Group" rol commissioner')
    assert d.code == "E001" and "found `rol`" in d.message and d.hint == "did you mean `role`?"


@pytest.mark.parametrize(("old", "new"), [
    ("at least 8% of annual_value", "at least 8% of annual_valu"),
    ("at least 8% of annual_value", "at least 8% of to"),
    ("withhold 50% of outcome_payment", "withhold 50% of outcome_paymen"),
])
def test_misspelt_keyword_inside_a_sentence_is_one_error(old: str, new: str) -> None:
    # Was "unknown setting `annual_valu` in the obligation block" and an echo at its `}`.
    [d] = _diags(old, new)
    assert d.code == "E001" and "after `of`" in d.message and "setting" not in d.message


def test_a_missing_percent_in_a_list_is_one_error() -> None:
    # Was three: the missing `%`, then "mixes plain numbers and percentages" twice.
    [d] = _diags("outcome_payment 5% in year 1", "outcome_payment 5 in year 1")
    assert d.code == "E015" and d.hint == "write 5%"


@pytest.mark.parametrize(("old", "new"), [
    ("cap £1,800,000 over term", "£1,800,000 over term"),
    ("cap £1,800,000 over term", "ca £1,800,000 over term"),
    ('price SUST6 "Settled', 'pric SUST6 "Settled'),
])
def test_over_term_is_not_taken_for_a_term_statement(old: str, new: str) -> None:
    # Was a second error: "`term` cannot stand inside the rate_card block / did you forget
    # a `}`", the `term` of `over term` taken for the contract's term statement.
    src = (ROOT / "contracts" / "rough_sleeping" / "contract.obc").read_text(encoding="utf-8")
    assert old in src
    [d] = compile_text(src.replace(old, new, 1), "rso.obc").diagnostics
    assert d.code == "E001" and "term" not in d.message


def test_missing_contract_keyword_is_one_error() -> None:
    # Was also "E002 the file holds no contract" at line 1.
    [d] = _diags('contract AMH "Adult', 'AMH "Adult')
    assert d.code == "E001" and d.message == "expected `contract`, found `AMH`"
