"""`obc-check validate` end to end: exit codes, text and JSON output, unreadable files.

These run the real console entry point in a subprocess, so a traceback anywhere (import,
typer, rendering) would show up on stderr and fail the test.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AMH = ROOT / "contracts" / "amh" / "contract.obc"


def run(*args: str | Path, cwd: Path = ROOT, limit_mb: int | None = None
        ) -> subprocess.CompletedProcess[str]:
    def bound_memory() -> None:  # pragma: no cover - runs in the child
        if limit_mb is not None:
            cap = limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return subprocess.run(
        [sys.executable, "-m", "obc_check.cli", *map(str, args)], cwd=cwd, text=True,
        capture_output=True, timeout=120, preexec_fn=bound_memory,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


def test_validate_good_file_exits_0() -> None:
    proc = run("validate", AMH)
    no_traceback(proc)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"{AMH}: ok"


def test_validate_bad_file_prints_golden_text_and_exits_2() -> None:
    rel = "tests/dsl/bad/many_errors_one_file.obc"
    proc = run("validate", rel)
    no_traceback(proc)
    assert proc.returncode == 2
    expected = (ROOT / rel).with_suffix(".txt").read_text(encoding="utf-8")
    assert proc.stderr == expected


def test_validate_several_files_reports_each_and_fails_if_any_fails() -> None:
    bad = "tests/dsl/bad/e012_outcome_weights.obc"
    proc = run("validate", AMH, bad)
    no_traceback(proc)
    assert proc.returncode == 2
    assert f"{AMH}: ok" in proc.stdout
    assert f"{bad}:13:11: error[E012]" in proc.stderr


def test_validate_json_format() -> None:
    rel = "tests/dsl/bad/e003_invalid_dates.obc"
    proc = run("validate", "--format", "json", rel)
    no_traceback(proc)
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert doc["diagnostics"] == [
        {"file": rel, "line": 4, "column": 8, "end_line": 4, "end_column": 18,
         "severity": "error", "code": "E003", "message": "`2015-02-30` is not a valid date",
         "hint": "write an ISO date that exists, e.g. 2015-04-01"},
        {"file": rel, "line": 4, "column": 22, "end_line": 4, "end_column": 32,
         "severity": "error", "code": "E003", "message": "`2018-13-01` is not a valid date",
         "hint": "write an ISO date that exists, e.g. 2015-04-01"},
    ]


def test_validate_json_format_good_file_has_no_diagnostics() -> None:
    proc = run("validate", "--format", "json", AMH)
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"diagnostics": []}


def test_compile_bad_file_exits_2_with_diagnostics() -> None:
    proc = run("compile", "tests/dsl/bad/e026_currency.obc")
    no_traceback(proc)
    assert proc.returncode == 2
    assert "error[E026]: currency `USD` is not supported" in proc.stderr
    assert proc.stdout == ""


# ---- files that cannot be read: one clear line each, exit 2, no traceback ----------------
def _one_error_line(proc: subprocess.CompletedProcess[str], path: Path, message: str) -> None:
    no_traceback(proc)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0] == f"{path}: error[E090]: {message}"
    assert len(lines) == 2 and lines[1].startswith("   hint: ")


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.obc"
    _one_error_line(run("validate", path), path, "no such file")


def test_directory(tmp_path: Path) -> None:
    _one_error_line(run("validate", tmp_path), tmp_path, "is a directory, not a contract file")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.obc"
    path.write_text("  \n\n", encoding="utf-8")
    _one_error_line(run("validate", path), path, "is empty")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.obc"
    path.write_bytes(AMH.read_bytes().replace("£".encode(), b"\xa3", 1))
    line = AMH.read_text(encoding="utf-8").split("£")[0].count("\n") + 1
    _one_error_line(run("validate", path), path,
                    f"is not UTF-8 text (byte 0xa3 on line {line})")


@pytest.mark.slow
def test_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.obc"
    with path.open("wb") as fh:  # sparse where the file system allows: cheap to make
        fh.seek(50 * 1024 * 1024 - 1)
        fh.write(b"\n")
    # 300 MB of address space is plenty for Python + lark + pydantic, but reading 50 MB and
    # decoding it (bytes + str + parse) would not fit comfortably; mostly, no traceback.
    proc = run("validate", path, limit_mb=600)
    _one_error_line(proc, path, "is larger than 8,388,608 bytes, the most a contract file may be")


def test_read_source_bounds_the_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when the size on disk lies (a growing file), at most MAX_BYTES + 1 are read."""
    import obc_check.dsl as dsl

    monkeypatch.setattr(dsl, "MAX_BYTES", 100)
    path = tmp_path / "grows.obc"
    path.write_text("x" * 50, encoding="utf-8")
    real_stat = Path.stat

    def small_stat(self: Path, **kw: bool) -> os.stat_result:
        st = real_stat(self, **kw)
        return os.stat_result((st.st_mode, *st[1:6], 10, *st[7:]))

    path.write_text("x" * 5000, encoding="utf-8")
    monkeypatch.setattr(Path, "stat", small_stat)
    text, problem = dsl.read_source(path)
    assert text is None and problem is not None and problem.code == "E090"
    assert "larger than 100 bytes" in problem.message
