"""``obc-check render``: formats, output file, and exit 2 on bad input without a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from typer.testing import CliRunner

from obc_check.cli import app

ROOT = Path(__file__).resolve().parents[2]
AMH = ROOT / "contracts" / "amh" / "contract.obc"
runner = CliRunner()


def test_markdown_to_stdout_by_default() -> None:
    result = runner.invoke(app, ["render", str(AMH)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Adult Mental Health Outcomes Based Contract\n")
    assert "## 6 Outcome Payment" in result.stdout


def test_html_to_file(tmp_path: Path) -> None:
    out = tmp_path / "amh.html"
    result = runner.invoke(app, ["render", str(AMH), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "http://" not in page and "https://" not in page  # self-contained


def test_docx_to_file_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "amh.docx"
    result = runner.invoke(app, ["render", str(AMH), "--format", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = docx.Document(io.BytesIO(out.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["1\tBackground", "2\tDefinitions and interpretation", "3\tParties"]


def test_docx_needs_an_output_file() -> None:
    result = runner.invoke(app, ["render", str(AMH), "--format", "docx"])
    assert result.exit_code == 2
    assert "needs -o FILE" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unknown_format_is_exit_2() -> None:
    result = runner.invoke(app, ["render", str(AMH), "--format", "pdf"])
    assert result.exit_code == 2
    assert "not one of markdown, html, docx" in result.stderr


def test_bad_contract_prints_diagnostics_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.obc"
    bad.write_text('contract X "Broken" {\n  version "1"\n}\n', encoding="utf-8")
    result = runner.invoke(app, ["render", str(bad)])
    assert result.exit_code == 2
    assert "error[E008]" in result.stderr
    assert "the contract does not compile" in result.stderr
    assert result.stdout == ""
    assert isinstance(result.exception, SystemExit)


def test_missing_contract_and_unwritable_output_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(tmp_path / "nothere.obc")])
    assert result.exit_code == 2 and "no such file" in result.stderr
    result = runner.invoke(app, ["render", str(AMH), "-o", str(tmp_path / "no" / "x.md")])
    assert result.exit_code == 2 and "cannot write" in result.stderr


def test_refuses_to_overwrite_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "c.obc"
    copy.write_bytes(AMH.read_bytes())
    result = runner.invoke(app, ["render", str(copy), "-o", str(copy)])
    assert result.exit_code == 2
    assert copy.read_bytes() == AMH.read_bytes()
