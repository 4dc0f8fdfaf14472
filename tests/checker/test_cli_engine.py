"""``obc-check check --engine``: DuckDB (the default) runs; Spark is refused, clearly, exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from obc_check.cli import app

ROOT = Path(__file__).resolve().parents[2]
EIP = ROOT / "contracts" / "eip_records"
GOLDENS = Path(__file__).parent / "goldens_cli"
ARGS = [str(EIP / "contract.obc"), "--data", str(EIP / "data"), "--as-of", "2019-09-30"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


def test_duckdb_is_the_default_engine() -> None:
    default = run(*ARGS, "--format", "json")
    assert default[0] == 1 and default[1]  # eip_records has a breach
    assert run(*ARGS, "--format", "json", "--engine", "duckdb") == default


def test_engines_not_available_are_refused(golden: Callable[[Path, str], None]) -> None:
    cases = [["--engine", "spark"], ["--engine", "spark", "--spark-remote", "sc://spark:15002"],
             ["--engine", "oracle"], ["--spark-remote", "sc://spark:15002"]]
    out = []
    for extra in cases:
        code, stdout, stderr = run(*ARGS, *extra)
        assert code == 2 and stdout == ""
        out.append(f"$ obc-check check eip_records {' '.join(extra)}\n{stderr}exit {code}\n")
    golden(GOLDENS / "engine.txt", "\n".join(out))
