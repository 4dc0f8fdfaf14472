"""The comments of an .obc text, as the lexer sees them (test helper)."""

from __future__ import annotations

from functools import cache

from lark import Lark, Token

from obc_check.dsl.parse import grammar_text

_FOUND: list[Token] = []


@cache
def _parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer_callbacks={"COMMENT": _FOUND.append})


def comments_of(text: str) -> list[str]:
    """Every comment's text, right-stripped, in file order."""
    _FOUND.clear()
    _parser().parse(text)
    found = [str(t).rstrip() for t in _FOUND]
    _FOUND.clear()
    return found
