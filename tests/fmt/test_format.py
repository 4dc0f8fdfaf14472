"""fmt: golden output for the library and messy inputs, idempotence, meaning and comments kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from obc_check.dsl import compile_text
from obc_check.dsl.format import format_text, lit_text
from obc_check.dsl.syntax import Lit
from tests.fmt.comments import comments_of

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
LIBRARY = sorted((ROOT / "contracts").glob("*/contract.obc"))
CASES = sorted((HERE / "cases").glob("*.obc"))
ALL = [*LIBRARY, *CASES]


def _name(path: Path) -> str:
    return path.parent.name if path.name == "contract.obc" else path.stem


def _fmt(text: str) -> str:
    result = format_text(text, "t.obc")
    assert result.text is not None, result.diagnostics
    return result.text


@pytest.mark.parametrize("path", ALL, ids=_name)
def test_golden(path: Path, golden: Callable[[Path, str], None]) -> None:
    golden(HERE / "golden" / f"{_name(path)}.obc", _fmt(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", ALL, ids=_name)
def test_idempotent(path: Path) -> None:
    once = _fmt(path.read_text(encoding="utf-8"))
    assert _fmt(once) == once


@pytest.mark.parametrize("path", ALL, ids=_name)
def test_same_contract(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    before, after = compile_text(text), compile_text(_fmt(text))
    assert before.contract is not None and after.contract is not None
    assert after.contract.model_dump(mode="json") == before.contract.model_dump(mode="json")


@pytest.mark.parametrize("path", ALL, ids=_name)
def test_every_comment_survives_in_order(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert comments_of(_fmt(text)) == comments_of(text)


def test_library_is_nearly_canonical() -> None:
    """The library contracts were written by hand in this layout: only alignment moves."""
    for path in LIBRARY:
        text = path.read_text(encoding="utf-8")
        out = _fmt(text)
        before = [line.split() for line in text.splitlines()]
        after = [line.split() for line in out.splitlines()]
        assert before == after, path


def test_comments_attach_to_their_statements() -> None:
    text = (ROOT / "tests/fmt/cases/comments_everywhere.obc").read_text(encoding="utf-8")
    lines = _fmt(text).splitlines()
    assert '  version "1.0"  # trailing on version' in lines
    assert "      unit percent  # percent!" in lines
    i = lines.index("      # a comment about the target")
    assert lines[i + 1] == "      target 50%"
    assert lines[-1] == "# the last comment in the file"
    assert lines[0].startswith("#!/usr/bin/env obc-check")
    # a whole-line comment before `}` stays inside the block, indented as its body
    j = lines.index("    # dangling at the end of the outcome")
    assert lines[j + 1] == "  }"


def test_hash_in_strings_is_text_not_comment() -> None:
    out = _fmt((ROOT / "tests/fmt/cases/comments_everywhere.obc").read_text(encoding="utf-8"))
    assert 'text "A one-line text # with a hash that is not a comment"  # but this is' in out
    assert 'obligation R "Report # not a comment" {' in out


def test_schedules_in_year_order_steps_as_written() -> None:
    out = _fmt((ROOT / "tests/fmt/cases/unsorted_schedules.obc").read_text(encoding="utf-8"))
    assert "      target 60% in year 1, 65% in year 2, 70% in year 3" in out
    assert "      floor  50% in year 1, 55% in year 2, 60% in year 3" in out
    assert "  annual_value £1,000,000 in year 1, £2,000,000 in year 2, £3,000,000 in year 3" in out
    assert "      pays in steps 100% at 10, 25% at 30, 50% at 20" in out


def test_one_line_contract_is_laid_out() -> None:
    out = _fmt((ROOT / "tests/fmt/cases/one_line_blocks.obc").read_text(encoding="utf-8"))
    assert "\n  }\n\n  gateway DQ \"Data quality\" {\n    requires STAY at least 50%\n" in out
    assert all(len(line) - len(line.lstrip(" ")) in (0, 2, 4, 6) for line in out.splitlines())


@pytest.mark.parametrize(("kind", "written", "canonical"), [
    ("money", "£45000000", "£45,000,000"),
    ("money", "£045,000", "£45,000"),
    ("money", "£1000.50", "£1,000.50"),
    ("money", "£1.50m", "£1.50m"),
    ("money", "£250k", "£250k"),
    ("money", "£0.5m", "£0.5m"),
    ("percent", "007%", "7%"),
    ("percent", "2.50%", "2.50%"),
    ("number", "20.0", "20.0"),
    ("number", "00.5", "0.5"),
    ("number", "0", "0"),
])
def test_literal_spelling_keeps_value_and_precision(kind: str, written: str,
                                                    canonical: str) -> None:
    from decimal import Decimal

    from obc_check.diagnostics import Span

    span = Span(file="f", line=1, column=1, end_line=1, end_column=2)
    lit = Lit(kind, Decimal(0), written, span)  # type: ignore[arg-type]
    assert lit_text(lit) == canonical


def test_a_contract_that_does_not_compile_gives_diagnostics() -> None:
    result = format_text('contract X "t" { version "1" }', "bad.obc")
    assert result.text is None and not result.ok
    assert {d.code for d in result.diagnostics} == {"E008"}
    syntax = format_text('contract X "t" { version 1 }', "bad.obc")
    assert syntax.text is None and syntax.diagnostics[0].code == "E001"


def test_crlf_becomes_lf_without_changing_the_contract() -> None:
    text = (ROOT / "tests/fmt/cases/long_texts.obc").read_text(encoding="utf-8")
    crlf = text.replace("\n", "\r\n")
    assert _fmt(crlf) == _fmt(text)


def test_several_comments_for_one_line_go_above_it_in_order() -> None:
    text = (ROOT / "tests/fmt/cases/comments_everywhere.obc").read_text(encoding="utf-8")
    lines = _fmt(text).splitlines()
    i = lines.index("  # first year")
    assert lines[i:i + 4] == ["  # first year", "  # second year", "  # third year",
                              "  outcome_payment 5% in year 1, 10% in year 2, 15% in year 3"]
