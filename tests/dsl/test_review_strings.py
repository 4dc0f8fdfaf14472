"""Review finding: control characters inside strings.

A title such as "ctl\\x01x" compiled, and then `render --format docx` crashed with a traceback
(lxml refuses control characters), and a lone carriage return in a title broke the
Markdown heading and tables. A string holds printable text (and tabs; a long string also
line breaks): anything else is E032, pointed at the character itself.
"""

from __future__ import annotations

import pytest

from obc_check.diagnostics import render_text
from obc_check.dsl import compile_text

SRC = """contract X "{title}" {{
  version "1"
  currency GBP
  term 2015-04-01 to 2016-03-31
  party C "C" role commissioner sector nhs
  text \"\"\"
    first line
    sec{text}ond line
  \"\"\"
}}
"""


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_a_title_is_e032(char: str) -> None:
    src = SRC.format(title=f"ab{char}c", text="")
    result = compile_text(src, "t.obc")
    [d] = result.diagnostics
    assert d.code == "E032"
    assert d.message == f"a string holds the control character U+{ord(char):04X}"
    assert d.span is not None and (d.span.line, d.span.column) == (1, 15)
    shown = render_text([d], {"t.obc": src}).splitlines()
    assert shown[2].index("^") == shown[1].index("c", 20)  - 1


def test_a_lone_carriage_return_in_a_title_is_a_line_break() -> None:
    """A lone CR breaks the line (as in the CSV reader): the title is then not closed."""
    src = SRC.format(title="ab\rc", text="")
    [d] = compile_text(src, "t.obc").diagnostics
    assert (d.code, d.message) == ("E001", "this string is not closed")
    assert d.span is not None and (d.span.line, d.span.column) == (1, 12)


def test_a_control_character_in_a_long_text_points_at_its_line() -> None:
    src = SRC.format(title="T", text="\x0c")
    [d] = compile_text(src, "t.obc").diagnostics
    assert d.code == "E032" and d.span is not None
    assert (d.span.line, d.span.column) == (8, 8)


def test_tabs_and_line_breaks_are_allowed() -> None:
    src = SRC.format(title="a\tb", text="\t")
    assert compile_text(src, "t.obc").ok
    assert compile_text(src.replace("\n", "\r\n"), "t.obc").ok
