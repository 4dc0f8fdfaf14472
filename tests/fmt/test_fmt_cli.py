"""``obc-check fmt``: rewriting in place, ``--check`` exit codes and messages, bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from obc_check.cli import app

HERE = Path(__file__).parent
runner = CliRunner()


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / f"{name}.obc"
    shutil.copy(HERE / "cases" / f"{name}.obc", target)
    return target


def test_check_lists_files_that_would_change_and_exits_1(tmp_path: Path) -> None:
    messy = _copy(tmp_path, "one_line_blocks")
    tidy = tmp_path / "tidy.obc"
    tidy.write_text((HERE / "golden" / "msk.obc").read_text(encoding="utf-8"), encoding="utf-8")
    before = messy.read_text(encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(messy), str(tidy)])
    assert result.exit_code == 1
    assert result.stdout == f"would reformat {messy}\n"
    assert "1 file would be reformatted, 1 file already formatted" in result.stderr
    assert messy.read_text(encoding="utf-8") == before


def test_check_exits_0_when_everything_is_formatted(tmp_path: Path) -> None:
    tidy = tmp_path / "tidy.obc"
    tidy.write_text((HERE / "golden" / "amh.obc").read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(tidy)])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_fmt_rewrites_in_place_then_check_passes(tmp_path: Path) -> None:
    messy = _copy(tmp_path, "comments_everywhere")
    result = runner.invoke(app, ["fmt", str(messy)])
    assert result.exit_code == 0
    assert result.stdout == f"reformatted {messy}\n"
    expected = (HERE / "golden" / "comments_everywhere.obc").read_text(encoding="utf-8")
    assert messy.read_text(encoding="utf-8") == expected
    again = runner.invoke(app, ["fmt", "--check", str(messy)])
    assert again.exit_code == 0


def test_a_file_that_does_not_compile_is_left_alone_with_diagnostics(tmp_path: Path) -> None:
    bad = tmp_path / "bad.obc"
    text = 'contract X "t" {\n  version "1"  currency GBP\n}\n'
    bad.write_text(text, encoding="utf-8")
    good = _copy(tmp_path, "odd_spacing")
    result = runner.invoke(app, ["fmt", str(bad), str(good)])
    assert result.exit_code == 2
    assert "error[E008]" in result.stderr and "Traceback" not in result.stderr
    assert f"{bad}: not formatted; the file is unchanged" in result.stderr
    assert bad.read_text(encoding="utf-8") == text
    # the other file is still formatted
    assert good.read_text(encoding="utf-8") == (HERE / "golden" / "odd_spacing.obc").read_text(
        encoding="utf-8")


def test_check_with_a_bad_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.obc"
    result = runner.invoke(app, ["fmt", "--check", str(missing)])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_stdin_to_stdout() -> None:
    text = (HERE / "cases" / "unsorted_schedules.obc").read_text(encoding="utf-8")
    result = runner.invoke(app, ["fmt", "-"], input=text)
    assert result.exit_code == 0
    assert result.stdout == (HERE / "golden" / "unsorted_schedules.obc").read_text(
        encoding="utf-8")
    assert "already formatted" not in result.stderr  # no file summary for a stream
