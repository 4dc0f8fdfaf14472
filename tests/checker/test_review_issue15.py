"""Issue 15 in the report: --explain PARTY, an insufficient gateway indicator, units."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from obc_check.cli import app

ROOT = Path(__file__).resolve().parents[2]
AMH = ROOT / "contracts" / "amh"
OLDER = ROOT / "contracts" / "older_people"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


def _amh(*args: str) -> tuple[int, str, str]:
    return run(str(AMH / "contract.obc"), "--data", str(AMH / "data"), "--as-of",
               "2018-09-30", *args)


def test_explain_party_gives_its_duties_breaches_and_penalties() -> None:
    # Was: "nothing to explain" for the party that owes every penalty.
    code, out, _ = _amh("--explain", "OH")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "OH — Oxford Health NHS Foundation Trust (lead provider)"
    assert ("  REPORT (Quarterly performance return, report): 10 met, 2 breached, 0 not due; "
            "penalties £2,000.00") in lines
    assert ("  PROMPT (Prompt payment of subcontractors, prompt payment): 14 met, 2 breached, "
            "0 not due; penalties £200.00") in lines
    assert "  penalties owed by OH: £2,200.00" in lines
    assert any("ELM-1501 from ELM" in ln and "breached" in ln for ln in lines)
    assert not any(": met (" in ln for ln in lines)  # breaches only, not every met row
    assert "nothing to explain" not in out


def test_explain_a_party_without_duties_says_so_and_shows_its_late_invoices() -> None:
    _, out, _ = _amh("--explain", "ELM")
    assert "ELM has no duties in this contract" in out
    assert "invoices from ELM paid late or not paid in time: 1" in out


def test_explain_an_alliance_member_shows_its_risk_share() -> None:
    _, out, _ = run(str(OLDER / "contract.obc"), "--data", str(OLDER / "data"), "--as-of",
                    "2018-09-30", "--explain", "OUH")
    assert "QUARTERLY" in out and "OUH 55% = £1,045,000.00" in out


def _eip14_gateway(tmp_path: Path) -> Path:
    text = (AMH / "contract.obc").read_text(encoding="utf-8")
    path = tmp_path / "amh.obc"
    path.write_text(text.replace("requires DQMI at least 95%", "requires EIP14 at least 60%"),
                    encoding="utf-8")
    return path


def test_an_insufficient_gateway_indicator_is_insufficient_not_missing(tmp_path: Path) -> None:
    contract = str(_eip14_gateway(tmp_path))
    args = [contract, "--data", str(AMH / "data"), "--as-of", "2018-09-30"]
    _, out, _ = run(*args)
    [row] = [ln for ln in out.splitlines() if ln.split()[:2] == ["2017/18", "DQ"]]
    assert row.split() == ["2017/18", "DQ", "77.7778%", "≥", "60%", "INSUFFICIENT",
                           "£1,949,062.50"]
    _, js, _ = run(*args, "--format", "json")
    gates = [g for y in json.loads(js)["outcome_payment"] for g in y["gateways"]]
    assert [(g["status"], g["unit"]) for g in gates][-1] == ("insufficient", "percent")


def test_gateway_values_and_levels_carry_their_unit() -> None:
    _, out, _ = _amh()
    [row] = [ln for ln in out.splitlines() if ln.split()[:2] == ["2016/17", "DQ"]]
    assert row.split()[2:6] == ["94%", "≥", "95%", "NOT"]


W006_DATA = ROOT / "tests" / "checker" / "bundles" / "amh-w006-fractions-for-points" / "data"


def test_fractions_for_points_are_warned_once_and_strict_exits_2() -> None:
    code, out, err = run(str(AMH / "contract.obc"), "--data", str(W006_DATA), "--as-of",
                         "2018-09-30")
    assert code == 1 and "BREACH" in out  # a warning: the check still runs
    assert err.count("warning[W006]") == 1 and "write 96.2 for 96.2%" in err
    assert run(str(AMH / "contract.obc"), "--data", str(W006_DATA), "--as-of", "2018-09-30",
               "--strict")[0] == 2


def test_points_are_not_warned_nor_fractions_where_the_contract_sets_levels_under_1(
        tmp_path: Path) -> None:
    _, _, err = _amh()
    assert "W006" not in err  # the library's DQMI is in points
    text = (AMH / "contract.obc").read_text(encoding="utf-8")
    low = tmp_path / "amh.obc"
    low.write_text(text.replace("requires DQMI at least 95%",
                                "requires DQMI at least 0.9%  # obc: allow W005"),
                   encoding="utf-8")
    _, _, err = run(str(low), "--data", str(W006_DATA), "--as-of", "2018-09-30")
    assert "W006" not in err and "W005" not in err
