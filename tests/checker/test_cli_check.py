"""``obc-check check``: exit statuses, --strict, --explain, bad input without tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from obc_check.cli import app

ROOT = Path(__file__).resolve().parents[2]
AMH = ROOT / "contracts" / "amh"

SMALL = """
contract S "Small" {
  version "1"
  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Provider" role lead_provider sector nhs
  annual_value £1,000,000
  outcome_payment 10%
  outcome A "A" weight 100% {
    indicator X "X" {
      unit percent
      higher is better
      floor 50%
      target 60%
    }
  }
}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "s.obc").write_text(SMALL)
    (tmp_path / "data").mkdir()
    return tmp_path


def test_compliant_exits_0(small: Path) -> None:
    (small / "data" / "indicators.csv").write_text(
        "indicator,period,value,numerator,denominator\nX,2016/17,55,,\n")
    code, out, _ = run(str(small / "s.obc"), "--data", str(small / "data"), "--as-of",
                       "2017-06-30")
    assert code == 0
    assert "COMPLIANT" in out and "£50,000.00" in out


def test_incomplete_exits_0_or_1_with_strict(small: Path) -> None:
    args = [str(small / "s.obc"), "--data", str(small / "data"), "--as-of", "2017-06-30"]
    code, out, _ = run(*args)
    assert (code, "INCOMPLETE" in out) == (0, True)
    code, _, _ = run(*args, "--strict")
    assert code == 1


def test_before_any_year_ends_nothing_is_assessed(small: Path) -> None:
    code, out, _ = run(str(small / "s.obc"), "--data", str(small / "data"), "--as-of",
                       "2017-03-30", "--format", "json", "--strict")
    assert code == 0
    assert '"outcome_payment": []' in out


def test_breach_exits_1() -> None:
    code, out, _ = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--as-of",
                       "2018-09-30", "--format", "markdown")
    assert code == 1
    assert out.startswith("## ❌ obc-check: AMH")


def test_explain_prints_the_derivation() -> None:
    code, out, _ = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--as-of",
                       "2018-09-30", "--explain", "EIP14")
    assert code == 1  # the check's status still decides the exit code
    assert ("2016/17: allocation £337,500.00 = pot £4,500,000.00 × ACCESS 15% × EIP14 50%; "
            "value 62.5% = 70 / 112 over 2016/17 Q1–Q4; between floor 55% and target 65% → "
            "achievement 0.75 → earned £253,125.00") in out
    code, out, _ = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--as-of",
                       "2018-09-30", "--explain", "PROMPT")
    assert "ELM-1501 from ELM, £600,000.00: received 2015-10-05, due within 30 days by " \
           "2015-11-04; paid 2015-11-05, 31 days after receipt, 1 day late: breached" in out


@pytest.mark.parametrize(("ident", "suggestion"), [("EIP41", "EIP14"), ("prompt", "PROMPT"),
                                                   ("DQM", "DQMI")])
def test_explain_unknown_id_suggests(ident: str, suggestion: str) -> None:
    code, out, err = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--as-of",
                         "2018-09-30", "--explain", ident)
    assert code == 2 and out == ""
    assert f"did you mean {suggestion}" in err


@pytest.mark.parametrize(("as_of", "message"), [
    ("2018-02-30", "is not a real date"), ("30/09/2018", "write it as YYYY-MM-DD"),
    ("today", "write it as YYYY-MM-DD")])
def test_bad_as_of_exits_2(as_of: str, message: str) -> None:
    code, _, err = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--as-of", as_of)
    assert code == 2 and message in err


def test_bad_format_and_missing_data_exit_2() -> None:
    code, _, err = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--format", "pdf")
    assert code == 2 and "not one of text, json, junit, markdown" in err
    code, _, _ = run(str(AMH / "contract.obc"))
    assert code == 2  # --data is required


def test_bad_data_exits_2_with_diagnostics(small: Path) -> None:
    (small / "data" / "indicators.csv").write_text(
        "indicator,period,value,numerator,denominator\nY,2016/17,55,,\n")
    code, out, err = run(str(small / "s.obc"), "--data", str(small / "data"))
    assert code == 2 and out == ""
    assert "indicators.csv" in err and "nothing was checked" in err


def test_contract_that_does_not_compile_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.obc").write_text(SMALL.replace("weight 100%", "weight 90%"))
    code, _, err = run(str(tmp_path / "bad.obc"), "--data", str(tmp_path))
    assert code == 2 and "E012" in err


def test_text_is_plain_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--as-of",
                    "2018-09-30")
    assert "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize(("ident", "suggestion"), [("gm0001", "GM0001"), ("GM00001", "GM0001")])
def test_explain_of_a_person_mistyped_suggests_the_person(ident: str, suggestion: str) -> None:
    sib = AMH.parent / "sib_claims"
    code, out, err = run(str(sib / "contract.obc"), "--data", str(sib / "data"), "--as-of",
                         "2020-09-30", "--explain", ident)
    assert code == 2 and out == ""
    assert "did you mean" in err and suggestion in err.split("did you mean", 1)[1]


def test_explain_of_no_such_person_says_no_claim_is_for_them() -> None:
    """With a claims-paid rate card ``--explain`` takes a person too; the error says both."""
    sib = AMH.parent / "sib_claims"
    code, out, err = run(str(sib / "contract.obc"), "--data", str(sib / "data"), "--as-of",
                         "2020-09-30", "--explain", "NOBODY")
    assert code == 2 and out == ""
    assert ("the contract declares no identifier 'NOBODY' and no claim is for a person of "
            "that name") in err
    code, _, err = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--as-of",
                       "2018-09-30", "--explain", "NOBODY")
    assert code == 2 and "no claim" not in err  # no claims, no persons to name
