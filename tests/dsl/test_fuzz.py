"""Property tests: no input makes the compiler crash or point outside the file.

For arbitrary text, and for token-level mutations of the four library contracts (delete,
duplicate, swap, replace a number), ``compile_text`` either compiles or returns diagnostics,
each with a stable code and a position inside the file: line within 1..number of lines and
column within 1..(length of that line + 1). Lines are counted at ``\\n`` and at a lone
``\\r`` (read as ``\\n`` first), as the parser and the caret renderer count them.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.diagnostics import CODES, render_text
from obc_check.dsl import compile_text, line_breaks

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("contracts/*/contract.obc"))]
# Our own rough tokens: strings, comments, runs of space, words/numbers, single punctuation.
TOKEN = re.compile(r'"""(?:.|\n)*?"""|"[^"\n]*"|#[^\n]*|\s+|[A-Za-z_0-9£%.,/:-]+|.', re.S)
TOKENS = [TOKEN.findall(t) for t in EXAMPLES]
NUMBERS = ["0", "1", "2", "3", "12", "13", "31", "32", "99", "100", "101", "1.5", "0.001",
           "2015", "9999", "99999999999999999999999999999999", "1,000", "1,00"]
FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_well_formed(text: str) -> None:
    result = compile_text(text, "fuzz.obc")
    lines = line_breaks(text).split("\n")  # a lone CR breaks a line too
    for d in result.diagnostics:
        assert d.code in CODES and d.code != "E099", d
        assert d.span is not None, d
        assert 1 <= d.span.line <= len(lines), (d, len(lines))
        assert 1 <= d.span.column <= len(lines[d.span.line - 1]) + 1, d
        assert d.hint, d
    if result.ok:
        assert result.contract is not None
        assert all(d.severity == "warning" for d in result.diagnostics), result.diagnostics
    else:
        assert result.diagnostics and result.contract is None
    render_text(result.diagnostics, {"fuzz.obc": text})  # rendering never fails either


@FUZZ
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    assert_well_formed(text)


PIECES = [*'{}"#%£,./-_ \n\t\r0123456789', "contract ", "outcome ", "indicator ", "weight ",
          "floor ", "in year ", "X ", "AB ", "per year ", '"""', "unit percent ", "term ",
          "2015-04-01 ", "£1,500 ", "15% ", "shall ", "report "]
GRAMMARISH = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


@FUZZ
@given(GRAMMARISH)
def test_grammar_flavoured_text(text: str) -> None:
    assert_well_formed(text)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    tokens = list(draw(st.sampled_from(TOKENS)))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "number"]))
        if op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            new = draw(st.sampled_from(NUMBERS))
            tokens[i] = re.sub(r"[0-9]+(?:\.[0-9]+)?", new, tokens[i], count=1)
        if not tokens:
            break
    return "".join(tokens)


@FUZZ
@given(mutated_example())
def test_mutated_examples(text: str) -> None:
    assert_well_formed(text)


def test_the_examples_themselves_compile() -> None:
    assert len(EXAMPLES) >= 9  # LANGUAGE.md's four, eip_records, year_of_care, TERMS.md's two,
    # sib_claims
    for text in EXAMPLES:
        assert compile_text(text).ok
