"""Text → lark syntax tree (LALR, positions kept), with syntax errors in words.

Lark reports what it expected as terminal names (``LBRACE``, ``PERCENT``); authors should read
"expected `{` to open the outcome block" or "expected a percentage like 15% after `weight`".
This module owns that translation. A file with a syntax error yields exactly one diagnostic:
after an unexpected token, anything further would be guesswork.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from obc_check.diagnostics import Diagnostic, Span

# How a terminal reads in an error message.
_DESCRIBE: dict[str, str] = {
    "ID": "an identifier like `EIP14` (starting with a capital letter)",
    "STRING": 'a quoted title like "Title"',
    "LONG_STRING": 'a """multi-line""" string',
    "DATE": "a date like 2015-04-01",
    "FY_LABEL": "a year label like 2014/15",
    "MONEY": "an amount of money like £1,500",
    "PERCENT": "a percentage like 15%",
    "NUMBER": "a number like 20",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COMMA": "`,`",
    "$END": "the end of the file",
}

# Block keywords, for "to open the outcome block" and "inside the indicator block".
_BLOCKS = ("contract", "outcome", "indicator", "gateway", "obligation", "risk_share", "rate_card")

_WORD = re.compile(r"[A-Za-z_£0-9][A-Za-z0-9_,.%/£-]*")


@cache
def grammar_text() -> str:
    """The grammar source, from the installed package (importlib resources)."""
    return resources.files("obc_check.grammar").joinpath("obc.lark").read_text(encoding="utf-8")


@cache
def parser() -> Lark:
    """The one LALR parser, built once per process."""
    return Lark(grammar_text(), parser="lalr", propagate_positions=True,
                maybe_placeholders=False)


@cache
def _keyword_terminals() -> dict[str, str]:
    """Terminal name → keyword text, for the anonymous keyword terminals lark made."""
    out: dict[str, str] = {}
    for term in parser().terminals:
        if term.pattern.type == "str":
            out[term.name] = term.pattern.value
    return out


def describe(name: str) -> str:
    """A terminal's name as an author reads it."""
    if name in _DESCRIBE:
        return _DESCRIBE[name]
    kw = _keyword_terminals().get(name)
    return f"`{kw}`" if kw is not None else name.lower()


def _expected_words(names: set[str]) -> str:
    """Describe a set of expected terminals, keeping short lists readable."""
    descs = sorted({describe(n) for n in names if n not in {"WS", "COMMENT"}},
                   key=lambda s: (not s.startswith("`"), s))
    if len(descs) <= 3:
        return " or ".join(descs) if len(descs) <= 2 else f"{descs[0]}, {descs[1]} or {descs[2]}"
    return ", ".join(descs[:6]) + (", …" if len(descs) > 6 else "")


def _block_context(text: str, pos: int) -> str | None:
    """The innermost block keyword open at ``pos``: counts braces, skips strings/comments."""
    stack: list[str | None] = []
    last_kw: str | None = None
    for m in re.finditer(r'"""(?:.|\n)*?"""|"[^"\n]*"|#[^\n]*|[{}]|[a-z_]+', text[:pos]):
        tok = m.group(0)
        if tok == "{":
            stack.append(last_kw)
            last_kw = None
        elif tok == "}":
            if stack:
                stack.pop()
        elif tok in _BLOCKS:
            last_kw = tok
    pending = last_kw
    if pending is not None:
        return f"open:{pending}"
    return stack[-1] if stack and stack[-1] else None


def _span_at(file: str, line: int, column: int, width: int = 1) -> Span:
    return Span(file=file, line=line, column=column, end_line=line, end_column=column + width)


def _pos_of(text: str, line: int, column: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(s) for s in lines[: line - 1]) + column - 1


def syntax_diagnostic(err: UnexpectedInput, text: str, file: str) -> Diagnostic:
    """Translate a lark error into one diagnostic in words."""
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_chars(err, text, file)
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        return _unexpected_token(err, text, file)
    # end of input: point at the last character of the file
    lines = text.splitlines() or [""]
    line = len(lines)
    col = max(1, len(lines[-1]))
    expected: set[str] = set(getattr(err, "expected", None) or [])
    ctx = _block_context(text, len(text))
    where = f" inside the {ctx.removeprefix('open:')} block" if ctx else ""
    hint = "close every block with `}`" if "RBRACE" in expected else None
    msg = "unexpected end of file" + where
    if expected:
        msg += f": expected {_expected_words(expected)}"
    return Diagnostic("E002", msg, _span_at(file, line, col), hint)


def _unexpected_chars(err: UnexpectedCharacters, text: str, file: str) -> Diagnostic:
    pos = err.pos_in_stream or 0
    m = _WORD.match(text, pos)
    found = m.group(0) if m else text[pos]
    allowed = set(err.allowed or ())
    span = _span_at(file, err.line, err.column, len(found))
    keywords = sorted(v for k, v in _keyword_terminals().items() if k in allowed)
    if found[0].islower() or found[0] == "_":
        close = (difflib.get_close_matches(found, keywords, n=1)
                 or difflib.get_close_matches(found, list(_keyword_terminals().values()), n=1))
        msg = f"unknown word `{found}`"
        hint = f"did you mean `{close[0]}`?" if close else None
        if keywords:
            expected = _expected_words(allowed)
            msg += f": expected {expected}"
        if hint is None:
            hint = "keywords are lower case; identifiers start with a capital letter"
        return Diagnostic("E001", msg, span, hint)
    if found.startswith('"'):
        return Diagnostic("E001", "unterminated string", span,
                          'close the string with `"` on the same line, or use """...""" '
                          "for text over several lines")
    msg = f"unexpected `{found}`"
    if allowed:
        msg += f": expected {_expected_words(allowed)}"
    return Diagnostic("E001", msg, span, _hint_for(found, allowed))


def _hint_for(found: str, allowed: set[str]) -> str | None:
    if found.startswith("£") or re.match(r"\d", found):
        if "," in found and "MONEY" not in allowed:
            return "plain numbers take no thousands separators"
        if "PERCENT" in allowed and not found.endswith("%"):
            return "write a percentage with `%`, e.g. 15%"
        if "MONEY" in allowed:
            return "write money with `£`, e.g. £1,500 or £1.5m"
        if "DATE" in allowed:
            return "write dates as ISO dates, e.g. 2015-04-01"
    return None


def _unexpected_token(err: UnexpectedToken, text: str, file: str) -> Diagnostic:
    tok: Token = err.token
    expected = set(err.expected or ())
    line = tok.line or 1
    col = tok.column or 1
    span = _span_at(file, line, col, len(str(tok)))
    prev = _previous_token(err)
    pos = tok.start_pos if tok.start_pos is not None else _pos_of(text, line, col)
    ctx = _block_context(text, pos)
    found: str = f"`{tok}`" if tok.type != "LONG_STRING" else "a string"
    if expected == {"LBRACE"} and ctx and ctx.startswith("open:"):
        block = ctx.removeprefix("open:")
        msg = f"expected `{{` to open the {block} block, found {found}"
        return Diagnostic("E001", msg, span, "a block's settings stand between `{` and `}`")
    what = _expected_words(expected)
    after = f" after `{prev}`" if prev else ""
    msg = f"expected {what}{after}, found {found}"
    hint = _hint_for(str(tok), expected)
    if hint is None and ctx and not ctx.startswith("open:") and "RBRACE" in expected:
        hint = f"this is not a setting of the {ctx} block"
    return Diagnostic("E001", msg, span, hint)


def _previous_token(err: UnexpectedToken) -> str | None:
    history = getattr(err, "token_history", None)
    if history:
        return str(history[-1])
    return None


def parse(text: str, file: str) -> tuple[Tree[Token] | None, list[Diagnostic]]:
    """Parse ``text`` (from ``file``); the tree, or None and one syntax diagnostic."""
    try:
        return parser().parse(text), []
    except UnexpectedEOF as err:
        return None, [syntax_diagnostic(err, text, file)]
    except UnexpectedInput as err:
        return None, [syntax_diagnostic(err, text, file)]
