"""The library's four contracts reproduce their expected.json, field by field.

The comparison is the acceptance check's own (/work/shared/tools/compare_report.py, imported
by path when present; otherwise the same rule re-stated here): every field expected.json
shows must be in our report with the same value, rows matched by their identifying fields,
and no breach that expected.json does not list.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from obc_check.checker.report.model import Report
from obc_check.cli import app
from obc_check.demo import differences

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["amh", "msk", "older_people", "rough_sleeping", "care_leavers_lcf", "msk_prime_terms",
         "sib_claims"]
SHARED = Path("/work/shared/tools/compare_report.py")


def _compare(expected: Any, actual: Any) -> list[str]:
    if SHARED.exists():
        spec = importlib.util.spec_from_file_location("compare_report", SHARED)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out: list[str] = []
        module.compare(expected, actual, "$", out)
        return out
    return differences(expected, actual)


@pytest.mark.parametrize("name", NAMES)
def test_library_report_matches_expected(name: str,
                                         library_report_of: Callable[[str], Report]) -> None:
    expected = json.loads((ROOT / "contracts" / name / "expected.json").read_text())
    actual = library_report_of(name).to_jsonable()
    assert _compare(expected, actual) == []
    assert differences(expected, actual) == []  # the demo's comparison agrees


@pytest.mark.parametrize("name", NAMES)
def test_cli_json_matches_expected_and_exits_1_on_breach(name: str) -> None:
    folder = ROOT / "contracts" / name
    expected = json.loads((folder / "expected.json").read_text())
    result = CliRunner().invoke(app, ["check", str(folder / "contract.obc"), "--data",
                                      str(folder / "data"), "--as-of", expected["as_of"],
                                      "--format", "json"])
    assert result.exit_code == 1, result.output  # every library bundle holds breaches
    assert _compare(expected, json.loads(result.stdout)) == []


def test_comparison_catches_a_wrong_figure(library_report_of: Callable[[str], Report]) -> None:
    expected = json.loads((ROOT / "contracts" / "amh" / "expected.json").read_text())
    actual = library_report_of("amh").to_jsonable()
    actual["outcome_payment"][1]["indicators"][0]["earned"] = "450000.01"
    actual["obligations"].append({"obligation": "PROMPT", "invoice": "X", "status": "breached"})
    problems = _compare(expected, actual)
    assert len(problems) == 2
    assert len(differences(expected, actual)) == 2


def test_sib_claims_rate_card_lists_are_expected_json_row_for_row(
        library_report_of: Callable[[str], Report]) -> None:
    """RECORDS.md's `claims`, `people` and `years` of sib_claims, field by field and nothing more.

    The comparison above allows rows that expected.json does not show (a report may hold
    more); for these lists a row too many is wrong: a claim decided twice, a person with no
    claim, a year with no paid claim. Each row carries only the fields RECORDS.md names,
    plus the two docs/checking.md adds (a claim's `year`, a person's `claims`).
    """
    expected = json.loads((ROOT / "contracts" / "sib_claims" / "expected.json").read_text())
    want, got = expected["rate_card"], library_report_of("sib_claims").to_jsonable()["rate_card"]
    assert got["total"] == want["total"]
    assert [{k: y[k] for k in ("year", "payable")} for y in got["years"]] == want["years"]
    assert [{k: v for k, v in c.items() if k != "year"} for c in got["claims"]] \
        == want["claims"]
    assert [{k: v for k, v in p.items() if k != "claims"} for p in got["people"]] \
        == want["people"]
    assert sum(p["claims"] for p in got["people"]) == len(got["claims"])
