"""The typed syntax tree: lark's tree turned into small dataclasses, positions kept.

The lark Transformer (``dsl/transform.py``) produces these; ``dsl/build.py`` assembles them into
the compiled model once the term is known (schedules cannot be resolved to years before that).
Keeping this layer separate lets the builder see a whole block before deciding what is
missing or repeated, and lets the formatter work from what the author wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from obc_check.diagnostics import Span

LitKind = Literal["money", "percent", "number"]


@dataclass(frozen=True, slots=True)
class Lit:
    """A number as written: its kind (``£``, ``%`` or plain), exact value and text."""

    kind: LitKind
    value: Decimal
    text: str
    span: Span

    @property
    def is_whole(self) -> bool:
        """True for a whole number (counts, days, year numbers)."""
        return self.value == self.value.to_integral_value()


@dataclass(frozen=True, slots=True)
class Entry:
    """One schedule entry: a value, and the contract year it is for (None: every year)."""

    lit: Lit
    year: Lit | None
    span: Span


@dataclass(frozen=True, slots=True)
class RawSchedule:
    """A schedule as written, before it is resolved against the term."""

    entries: tuple[Entry, ...]
    span: Span
    per_year: bool = False


@dataclass(slots=True)
class Stmt:
    """A statement or block: its keyword, position, arguments and (for blocks) items."""

    name: str
    span: Span
    args: tuple[object, ...] = ()
    items: list[Stmt] = field(default_factory=list)
    ident: str | None = None
    ident_span: Span | None = None


@dataclass(frozen=True, slots=True)
class Cond:
    """A condition or expression of a measure as written, before its fields are typed.

    ``form`` names the construct (``and``, ``or``, ``not``, ``paren``, ``flag``, ``compare``,
    ``missing``, ``present``, ``in``, ``between``; expressions: ``field``, ``number``,
    ``text``, ``date``, ``true``, ``false``, ``shift``, ``days_between``); ``parts`` are its
    children (``Cond``), field names, literals or an operator, in written order. Parentheses
    are kept (``paren``) so that ``fmt`` writes them back; the model drops them.
    """

    form: str
    parts: tuple[object, ...]
    span: Span
