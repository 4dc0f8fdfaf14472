"""``check`` shows the contract's warnings (W codes), and ``--strict`` makes any warning exit 2.

Also W007: ``check`` without ``--as-of`` under CI, where the result would change with the
day the job runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from obc_check.cli import app

ROOT = Path(__file__).resolve().parents[2]
AMH = ROOT / "contracts" / "amh"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def low_gateway(tmp_path: Path) -> Path:
    text = (AMH / "contract.obc").read_text(encoding="utf-8")
    path = tmp_path / "amh.obc"
    path.write_text(text.replace("at least 95%", "at least 0.95%"), encoding="utf-8")
    return path


def test_check_shows_contract_warnings_and_runs(low_gateway: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    code, out, err = run(str(low_gateway), "--data", str(AMH / "data"), "--as-of", "2018-09-30")
    assert code == 1 and "BREACH" in out  # the check ran: AMH has breaches
    assert "warning[W005]" in err and "did you mean 95%?" in err


def test_strict_turns_a_contract_warning_into_exit_2(low_gateway: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    code, out, _ = run(str(low_gateway), "--data", str(AMH / "data"), "--as-of", "2018-09-30",
                       "--strict")
    assert code == 2 and "BREACH" in out  # the report is still printed


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_no_as_of_in_ci_is_warned(ci: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", ci)
    args = [str(AMH / "contract.obc"), "--data", str(AMH / "data")]
    code, _, err = run(*args)
    assert code == 1 and "warning[W007]: no --as-of in CI" in err and "hint: pass --as-of" in err
    assert run(*args, "--strict")[0] == 2
    code, _, err = run(*args, "--as-of", "2018-09-30")
    assert "W007" not in err


@pytest.mark.parametrize("ci", ["", "false", "0"])
def test_no_as_of_outside_ci_is_not_warned(ci: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", ci)
    _, _, err = run(str(AMH / "contract.obc"), "--data", str(AMH / "data"))
    assert "W007" not in err


def test_no_as_of_in_ci_is_not_warned_when_nothing_was_checked(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CI", "true")
    code, _, err = run(str(AMH / "contract.obc"), "--data", str(tmp_path / "missing"))
    assert code == 2 and "W007" not in err
