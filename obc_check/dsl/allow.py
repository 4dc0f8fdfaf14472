"""``# obc: allow W0NN``: the author says a warning is deliberate, where it is raised.

The comment silences the named warning codes on its own line (any line of a statement written
over several, which is one line to its author and to ``fmt``), or, written on a block's head
line (``indicator ID "Title" { # obc: allow W004``), everywhere inside that block; on the
contract's head line it covers the whole file. Only warnings can be silenced: an error
means the contract cannot be read as written. Comments are found with strings skipped, so a
title that quotes the phrase silences nothing. ``fmt`` keeps comments where they stand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from obc_check.diagnostics import Diagnostic
from obc_check.dsl.syntax import Stmt

# Strings first, so that a `#` inside one is not taken for a comment.
_STRINGS_OR_COMMENTS = re.compile(r'"""(?:.|\n)*?"""|"[^"\n]*"?|#[^\n]*')
_ALLOW = re.compile(r"#\s*obc:\s*allow\s+(W\d{3}(?:\s*,?\s*W\d{3})*)")
_CODE = re.compile(r"W\d{3}")


def allowances(text: str) -> dict[int, frozenset[str]]:
    """Line number → the warning codes an ``# obc: allow`` comment on it names."""
    out: dict[int, frozenset[str]] = {}
    for m in _STRINGS_OR_COMMENTS.finditer(text):
        allow = _ALLOW.match(m.group(0))
        if allow is not None:
            line = text.count("\n", 0, m.start()) + 1
            out[line] = out.get(line, frozenset()) | frozenset(_CODE.findall(allow.group(1)))
    return out


def _blocks(st: Stmt) -> Iterator[Stmt]:
    """``st`` and every block inside it (statements with items of their own)."""
    yield st
    for item in st.items:
        if item.items:
            yield from _blocks(item)


def _statements(st: Stmt) -> Iterator[Stmt]:
    """Every statement inside ``st`` that is not a block (it has no items of its own)."""
    for item in st.items:
        if item.items:
            yield from _statements(item)
        else:
            yield item


def silence(diags: Sequence[Diagnostic], root: Stmt, text: str) -> list[Diagnostic]:
    """``diags`` without the warnings an ``# obc: allow`` comment covers."""
    allowed = allowances(text)
    if not allowed:
        return list(diags)
    heads = [(b.span.line, b.span.end_line) for b in _blocks(root) if b.span.line in allowed]
    # A statement over several lines (a long schedule) is one line to its author, and to
    # fmt, which joins it: an allowance on any of its lines covers all of them.
    for st in _statements(root):
        first, last = st.span.line, st.span.end_line
        lines = range(first, last + 1)
        codes = frozenset[str]().union(*(allowed.get(n, ()) for n in lines))
        if first != last and codes:
            allowed.update({n: codes for n in lines})

    def covered(d: Diagnostic) -> bool:
        if d.severity != "warning" or d.span is None:
            return False
        line = d.span.line
        if d.code in allowed.get(line, ()):
            return True
        return any(a <= line <= b and d.code in allowed[a] for a, b in heads)

    return [d for d in diags if not covered(d)]


__all__ = ["allowances", "silence"]
