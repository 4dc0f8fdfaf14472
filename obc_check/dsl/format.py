"""Typed syntax + comments → canonical text (``obc-check fmt``).

Two authors who write the same contract should produce the same file, so that a review diff
shows what changed in the contract and not in the spacing. The formatter therefore decides
layout, and nothing else:

- it works from the typed syntax (``dsl/transform.py``), which keeps what the author wrote
  (literal texts, statement order), plus the comments, which the grammar ignores and which a
  second lark instance collects through a lexer callback;
- it never changes what a number says, not even its precision: ``20.0`` stays ``20.0`` and
  ``£1.5m`` stays ``£1.5m`` (the compiled contract keeps the precision of each literal, and the
  rendered contract shows it). Only spelling without meaning is normalised: leading zeros are
  dropped and full money amounts get thousands separators (``£45000000`` → ``£45,000,000``);
- it never reorders statements; only the entries of a per-year schedule are put in year order;
- a file that does not compile is left alone: its diagnostics come back instead;
- as a guard, the output is compiled again and must give the same contract as the input.

docs/fmt.md describes the layout rules for authors.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import BinaryIO, cast

from lark import Lark, Token

from obc_check.diagnostics import Diagnostic, Span
from obc_check.dsl import compile_text, line_breaks, read_source, read_stream
from obc_check.dsl.parse import grammar_text
from obc_check.dsl.syntax import Cond, Lit, RawSchedule, Stmt
from obc_check.dsl.transform import ToSyntax
from obc_check.model import Contract

INDENT = "  "
# Aligned columns (party and price lines): the cells after a title start by this column at
# the latest; a title too long for that overflows rather than push every line to the right.
COLUMN_LIMIT = 68
_BLOCKS = frozenset({"contract", "outcome", "indicator", "gateway", "obligation", "risk_share",
                     "rate_card", "capitation", "funding", "dataset", "measure"})
_DUTIES = frozenset({"report", "spend_share", "prompt_payment", "flow_down",
                     "payout"})
# Statements that belong together at the top of a contract, with no blank line between them.
_GROUPS = {"version": "head", "agreement": "head", "currency": "head", "term": "head",
           "party": "party", "annual_value": "value", "outcome_payment": "value"}


class FormatError(Exception):
    """The formatted text would not compile to the same contract: a formatter bug."""


@dataclass(frozen=True, slots=True)
class Formatted:
    """The result of formatting one file: the canonical text, or why there is none."""

    file: str
    source: str
    text: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file compiled and was formatted."""
        return self.text is not None

    @property
    def changed(self) -> bool:
        """True when formatting changes the file."""
        return self.text is not None and self.text != self.source


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``#`` comment: its text, where it was, and the blank lines around it."""

    text: str
    offset: int
    whole_line: bool
    blank_before: bool
    blank_after: bool


@dataclass(frozen=True, slots=True)
class _Anchor:
    """A piece of source that becomes one output line: a statement, a block head or a `}`."""

    key: tuple[int, str]
    start: int
    end: int


# ---- parsing with comments ----------------------------------------------------------------
class _Collector:
    """Collects comment and brace tokens during one parse (the parser is shared)."""

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.lock = threading.Lock()

    def keep(self, tok: Token) -> Token:
        """Lexer callback: remember the token and pass it on."""
        self.tokens.append(tok)
        return tok


_COLLECTOR = _Collector()


@cache
def _comment_parser() -> Lark:
    """The grammar with lexer callbacks: comments are ignored by the grammar, not by us."""
    keep: Callable[[Token], Token] = _COLLECTOR.keep
    return Lark(grammar_text(), parser="lalr", propagate_positions=True,
                maybe_placeholders=False,
                lexer_callbacks={"COMMENT": keep, "LBRACE": keep, "RBRACE": keep})


def _parse_with_tokens(text: str, file: str) -> tuple[Stmt, list[Token]]:
    """The typed syntax of ``text`` (which compiles) and its comment and brace tokens."""
    parser = _comment_parser()
    with _COLLECTOR.lock:
        _COLLECTOR.tokens = []
        tree = parser.parse(text)
        tokens = _COLLECTOR.tokens
        _COLLECTOR.tokens = []
    root = ToSyntax(file, []).transform(tree)
    return cast(Stmt, root), tokens


# ---- the public function -------------------------------------------------------------------
def format_text(text: str, file: str = "<text>") -> Formatted:
    """Format ``text`` (from ``file``); diagnostics instead if it does not compile.

    Raises :class:`FormatError` if the result would compile to a different contract, which
    would be a bug in the formatter; the caller then leaves the file untouched.
    """
    before = compile_text(text, file)
    if not before.ok or before.contract is None:
        return Formatted(file, before.source, None, before.diagnostics)
    source = line_breaks(text).replace("\r\n", "\n")  # fmt writes LF line endings
    reference: Contract | None = before.contract
    if source != text:  # compare with the LF file: a CR before a newline is no meaning
        reference = compile_text(source, file).contract
    if reference is None:
        return Formatted(file, text, None, compile_text(source, file).diagnostics)
    root, tokens = _parse_with_tokens(source, file)
    out = _Layout(source, root, tokens).render()
    after = compile_text(out, file)
    if after.contract is None or (after.contract.model_dump(mode="json")
                                  != reference.model_dump(mode="json")):
        raise FormatError(f"{file}: formatting would change the contract; left untouched")
    return Formatted(file, text, out, before.diagnostics)


def format_stream(stream: BinaryIO, name: str = "-") -> Formatted:
    """Format a contract read from a byte stream (standard input for ``fmt -``)."""
    text, problem = read_stream(stream, name)
    if text is None:
        return Formatted(name, "", None, [problem] if problem else [])
    return format_text(text, name)


def format_file(path: Path, display: str | None = None) -> Formatted:
    """Format the contract at ``path`` (the file itself is not written here)."""
    name = display or str(path)
    text, problem = read_source(path, name)
    if text is None:
        return Formatted(name, "", None, [problem] if problem else [])
    return format_text(text, name)


# ---- literals --------------------------------------------------------------------------------
def _digits(num: str) -> str:
    """A plain decimal without leading zeros (``007`` → ``7``, ``00.5`` → ``0.5``)."""
    whole, dot, frac = num.partition(".")
    return (whole.lstrip("0") or "0") + dot + frac


def lit_text(lit: Lit) -> str:
    """A literal in canonical spelling; its value and precision are unchanged."""
    text = lit.text
    if lit.kind == "percent":
        return _digits(text[:-1]) + "%"
    if lit.kind == "number":
        return _digits(text)
    body = text[1:]
    if body[-1] in "mk":
        return "£" + _digits(body[:-1].replace(",", "")) + body[-1]
    whole, dot, pence = body.partition(".")
    return f"£{int(whole.replace(',', '')):,}" + dot + pence


def schedule_text(raw: RawSchedule) -> str:
    """A schedule with its entries in year order."""
    entries = sorted(raw.entries, key=lambda e: e.year.value if e.year is not None else 0)
    parts = [lit_text(e.lit) + (f" in year {int(e.year.value)}" if e.year is not None else "")
             for e in entries]
    return ", ".join(parts) + (" per year" if raw.per_year else "")


def _stmt_text(st: Stmt) -> str:
    """One simple statement on one line (not parties, prices, texts or blocks)."""
    a = st.args
    if st.name == "version":
        return f'version "{a[0]}"'
    if st.name == "agreement":
        return f'agreement "{a[0]}"'
    if st.name == "currency":
        return f"currency {a[0]}"
    if st.name == "term":
        start, end = (cast(tuple[object, Span], x)[0] for x in a)
        return f"term {start} to {end}"
    if st.name == "budget" and a[0] == "capitation":
        return "budget capitation"
    if st.name in {"annual_value", "outcome_payment", "budget", "member loss cap", "target"}:
        return f"{st.name} {schedule_text(cast(RawSchedule, a[0]))}"
    if st.name == "floor":  # two spaces, so that floor and target values line up
        return f"floor  {schedule_text(cast(RawSchedule, a[0]))}"
    if st.name == "unit":
        return f"unit {a[0]}"
    if st.name == "direction":
        return f"{a[0]} is better"
    if st.name == "baseline":
        label = cast(tuple[str, Span], a[1])[0]
        return f"baseline {lit_text(cast(Lit, a[0]))} in {label}"
    if st.name == "pays":
        return "pays " + _curve_text(cast(tuple[str, list[tuple[Lit, Lit, Span]]], a[0]))
    if st.name in {"minimum denominator", "if missing pay", "commissioner share", "weight"}:
        return f"{st.name} {lit_text(cast(Lit, a[0]))}"
    if st.name == "requires":
        word = "at least" if a[2] == "at_least" else "at most"
        return f"requires {a[0]} {word} {lit_text(cast(Lit, a[3]))}"
    if st.name == "otherwise":
        return f"otherwise withhold {lit_text(cast(Lit, a[0]))} of outcome_payment"
    if st.name == "members":
        members = cast(tuple[tuple[str, Span, Lit], ...], a)
        return "members " + ", ".join(f"{m[0]} {lit_text(m[2])}" for m in members)
    if st.name == "cap":
        return f"cap {lit_text(cast(Lit, a[0]))} over term"
    if st.name == "cap per person":
        return f"cap {lit_text(cast(Lit, a[0]))} per person"
    if st.name == "claims within":
        return f"claims within {lit_text(cast(Lit, a[0]))} months of start"
    if st.name == "penalty":
        per = "day late" if a[1] == "per_day_late" else "breach"
        cap = f", at most {lit_text(cast(Lit, a[2]))} per year" if a[2] is not None else ""
        return f"penalty {lit_text(cast(Lit, a[0]))} per {per}{cap}"
    if st.name == "value rounded":
        places = cast(Lit, a[0])
        return (f"value rounded to {lit_text(places)} decimal "
                f"place{'' if places.value == 1 else 's'}")
    if st.name == "payer":
        cap = f", at most {lit_text(cast(Lit, a[1]))} over term" if a[1] is not None else ""
        return f"{st.ident} pays {lit_text(cast(Lit, a[0]))}{cap}"
    if st.name in {"key", "person"}:
        return f"{st.name} {a[0]}"
    if st.name == "field":
        return _field_text(st, 0, 0)
    if st.name in {"denominator", "numerator", "count"}:
        return st.name + _where_text(cast(Cond | None, a[0]))
    if st.name == "mean":
        return f"mean {cond_text(cast(Cond, a[0]))}" + _where_text(cast(Cond | None, a[1]))
    if st.name not in _DUTIES:  # a statement added to the grammar but not taught to fmt
        raise FormatError(f"fmt does not know how to lay out `{st.name}`")
    return f"{st.ident} shall {_duty_text(st)}"


def _field_text(st: Stmt, name_width: int, type_width: int) -> str:
    """``field NAME TYPE [from "Column"]``, the name and type padded to line up."""
    name, _span, ftype, column, _col_span = st.args
    if column is None:
        return f"field {cast(str, name).ljust(name_width)} {ftype}".rstrip()
    return f'field {cast(str, name).ljust(name_width)} {cast(str, ftype).ljust(type_width)} ' \
        f'from "{column}"'


def _where_text(cond: Cond | None) -> str:
    return f" where {cond_text(cond)}" if cond is not None else ""


def cond_text(c: Cond) -> str:
    """A condition or expression in canonical spelling: single spaces, parentheses kept."""
    p = c.parts
    if c.form in {"or", "and"}:
        return f" {c.form} ".join(cond_text(cast(Cond, x)) for x in p)
    if c.form == "not":
        return f"not {cond_text(cast(Cond, p[0]))}"
    if c.form == "paren":
        return f"({cond_text(cast(Cond, p[0]))})"
    if c.form in {"field", "flag"}:
        return p[0] if isinstance(p[0], str) else cond_text(cast(Cond, p[0]))
    if c.form == "compare":
        return f"{cond_text(cast(Cond, p[0]))} {p[1]} {cond_text(cast(Cond, p[2]))}"
    if c.form in {"missing", "present"}:
        return f"{cond_text(cast(Cond, p[0]))} is {c.form}"
    if c.form == "in":
        items = ", ".join(cond_text(cast(Cond, x)) for x in p[1:])
        return f"{cond_text(cast(Cond, p[0]))} in ({items})"
    if c.form == "between":
        a, lo, hi = (cond_text(cast(Cond, x)) for x in p)
        return f"{a} between {lo} and {hi}"
    if c.form == "number":
        lit = cast(Lit, p[0])
        sign = "-" if lit.text.startswith("-") else ""
        return sign + _digits(lit.text.lstrip("-"))
    if c.form == "text":
        return f'"{p[0]}"'
    if c.form == "date":
        return str(p[0])
    if c.form in {"true", "false"}:
        return c.form
    if c.form == "shift":
        return f"{cond_text(cast(Cond, p[0]))} {p[1]} {_digits(cast(Lit, p[2]).text)} {p[3]}"
    if c.form == "days_between":
        return f"days from {cond_text(cast(Cond, p[0]))} to {cond_text(cast(Cond, p[1]))}"
    raise FormatError(f"fmt does not know how to write `{c.form}`")  # pragma: no cover


def _field_lines(dataset: Stmt) -> dict[int, str]:
    """A dataset's field, key and person lines, in columns."""
    fields = [s for s in dataset.items if s.name == "field"]
    name_w = max((len(cast(str, f.args[0])) for f in fields), default=0)
    type_w = max((len(cast(str, f.args[2])) for f in fields if f.args[3] is not None),
                 default=0)
    out = {id(f): _field_text(f, name_w, type_w) for f in fields}
    has_person = any(s.name == "person" for s in dataset.items)
    for s in dataset.items:
        if s.name in {"key", "person"}:
            word = s.name.ljust(6) if has_person else s.name
            out[id(s)] = f"{word} {s.args[0]}"
    return out


def _curve_text(curve: tuple[str, list[tuple[Lit, Lit, Span]]]) -> str:
    kind, steps = curve
    if kind == "linear":
        return "linear"
    if kind == "all_or_nothing":
        return "all or nothing"
    return "in steps " + ", ".join(f"{lit_text(s)} at {lit_text(t)}" for s, t, _ in steps)


def _duty_text(st: Stmt) -> str:
    a = st.args
    if st.name == "report":
        return f"report within {lit_text(cast(Lit, a[0]))} working days after each {a[1]}"
    if st.name == "spend_share":
        to = cast(tuple[str, Span], a[2])[0] if a[2] is not None else f"{a[1]} sector parties"
        return f"pay at least {lit_text(cast(Lit, a[0]))} of annual_value to {to} each year"
    if st.name == "prompt_payment":
        return f"pay subcontractor invoices within {lit_text(cast(Lit, a[0]))} days of receipt"
    if st.name == "payout":
        return (f"pay its share of earned payments within {lit_text(cast(Lit, a[0]))} days "
                "of year end")
    to = cast(tuple[str, Span], a[2])[0] if a[2] is not None else "subcontractors"
    return (f"pass on at least {lit_text(cast(Lit, a[0]))} of earned outcome_payment to "
            f"{to} within {lit_text(cast(Lit, a[1]))} days of year end")


# ---- aligned columns -------------------------------------------------------------------------
def aligned(rows: Sequence[Sequence[str]], indent: str) -> list[str]:
    """Rows of cells (keyword, ID, "Title", more cells) as lines with the cells in columns.

    The title column is as wide as the longest title, unless the cells after it would then
    start beyond ``COLUMN_LIMIT``: such a long title overflows, and the rest of its line
    follows after single spaces (as the MSK contract writes its one long party name). The last
    cell is not padded, so no line ends in spaces.
    """
    if not rows:
        return []
    fit: list[Sequence[str]] = []
    widths: list[int] = []
    id_w = max(len(r[1]) for r in rows)
    for w in sorted({len(r[2]) for r in rows}, reverse=True):
        fit = [r for r in rows if len(r[2]) <= w]
        widths = [max(len(r[i]) for r in fit) for i in range(len(rows[0]))]
        widths[1] = id_w
        if len(indent) + widths[0] + id_w + w + 3 <= COLUMN_LIMIT:
            break
    out = []
    for r in rows:
        if any(r is f for f in fit):
            cells = [c.ljust(widths[i]) for i, c in enumerate(r[:-1])] + [r[-1]]
        else:
            cells = [r[0].ljust(widths[0]), r[1].ljust(id_w), *r[2:]]
        out.append(indent + " ".join(cells))
    return out


def _party_rows(parties: Sequence[Stmt]) -> list[tuple[str, ...]]:
    """Party lines: keyword, ID, name, role, sector."""
    return [("party", cast(str, p.ident), f'"{p.args[0]}"', f"role {p.args[1]}",
             f"sector {p.args[2]}") for p in parties]


def _price_rows(prices: Sequence[Stmt]) -> list[tuple[str, ...]]:
    """Price lines: keyword, ID, title, the amount and its rules.

    The two rules (`at most`, `once per person`) keep the order they were written in: either
    order means the same (RECORDS.md), and fmt never reorders what the author chose.
    """
    rows: list[tuple[str, ...]] = []
    for p in prices:
        _title, amount, per, limit, once = cast(
            tuple[str, Lit, str, Lit | None, Span | None], p.args)
        rules: list[tuple[tuple[int, int], str]] = []
        if limit is not None:
            rules.append(((limit.span.line, limit.span.column),
                          f", at most {lit_text(limit)} over term"))
        if once is not None:
            rules.append(((once.line, once.column), ", once per person"))
        rest = f"{lit_text(amount)} per {per}" + "".join(text for _, text in sorted(rules))
        rows.append(("price", cast(str, p.ident), f'"{p.args[0]}"', rest))
    return rows


def _tier_rows(tiers: Sequence[Stmt]) -> list[tuple[str, ...]]:
    """Capitation price lines: keyword, tier, title, the price per person per year."""
    return [("price", cast(str, t.ident), f'"{t.args[0]}"',
             f"{lit_text(cast(Lit, t.args[1]))} per person per year") for t in tiers]


# ---- layout ------------------------------------------------------------------------------------
class _Layout:
    """Lays out one contract: statements, blocks, comments and blank lines."""

    def __init__(self, source: str, root: Stmt, tokens: list[Token]) -> None:
        self.source = source
        self.root = root
        self.line_starts = [0]
        for i, ch in enumerate(source):
            if ch == "\n":
                self.line_starts.append(i + 1)
        self.lines = source.split("\n")
        braces = sorted(t.start_pos or 0 for t in tokens if t.type == "LBRACE")
        comments = [t for t in tokens if t.type == "COMMENT"]
        self.anchors: list[_Anchor] = []
        self.one_line: set[int] = set()  # blocks written on one line, by id
        self._collect(root, braces)
        self.anchors.sort(key=lambda a: a.start)
        self.leading: dict[tuple[int, str], list[Comment]] = {}
        self.trailing: dict[tuple[int, str], list[Comment]] = {}
        self.trailer: list[Comment] = []
        for tok in comments:
            self._attach(self._comment(tok))
        for key, found in list(self.trailing.items()):
            if len(found) > 1:  # several comments for one line: put them above it, in order
                moved = [Comment(c.text, c.offset, True, False, False) for c in found]
                above = self.leading.setdefault(key, [])
                above.extend(moved)
                above.sort(key=lambda c: c.offset)
                del self.trailing[key]
        self.party_lines = self._aligned_lines(root, "party", _party_rows)
        self.out: list[str] = []

    # -- positions and anchors
    def pos(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column."""
        return self.line_starts[line - 1] + column - 1

    def _collect(self, st: Stmt, braces: list[int]) -> None:
        start = self.pos(st.span.line, st.span.column)
        end = self.pos(st.span.end_line, st.span.end_column)
        if st.name not in _BLOCKS:
            self.anchors.append(_Anchor((id(st), "stmt"), start, end))
            return
        brace = braces[bisect_left(braces, start)]
        if st.span.line == st.span.end_line:
            self.one_line.add(id(st))
        self.anchors.append(_Anchor((id(st), "head"), start, brace + 1))
        for item in _body(st):
            self._collect(item, braces)
        self.anchors.append(_Anchor((id(st), "close"), end - 1, end))

    # -- comments
    def _comment(self, tok: Token) -> Comment:
        line = tok.line or 1
        offset = tok.start_pos or 0
        before = self.source[self.line_starts[line - 1]:offset]
        blank_before = line >= 2 and not self.lines[line - 2].strip()
        blank_after = line < len(self.lines) and not self.lines[line].strip()
        return Comment(str(tok).rstrip(), offset, not before.strip(), blank_before, blank_after)

    def _attach(self, c: Comment) -> None:
        """Whole-line comments go above what follows them; others after what precedes them."""
        starts = [a.start for a in self.anchors]
        i = bisect_right(starts, c.offset) - 1
        inside = self.anchors[i] if i >= 0 and self.anchors[i].end > c.offset else None
        if inside is not None:
            target = self.leading if c.whole_line else self.trailing
            target.setdefault(inside.key, []).append(c)
        elif c.whole_line:
            if i + 1 < len(self.anchors):
                self.leading.setdefault(self.anchors[i + 1].key, []).append(c)
            else:
                self.trailer.append(c)
        else:
            key = self.anchors[i].key
            if key[1] == "close" and key[0] in self.one_line:
                # After a block written on one line: that line was the head line too, so the
                # comment (an allowance, say) stays on the head line, not the new `}` line.
                key = (key[0], "head")
            self.trailing.setdefault(key, []).append(c)

    # -- output helpers
    def blank(self) -> None:
        """One blank line, never two, never at the top."""
        if self.out and self.out[-1] != "":
            self.out.append("")

    def emit(self, line: str, key: tuple[int, str]) -> None:
        """One output line with its trailing comment, if any."""
        found = self.trailing.get(key)
        self.out.append(f"{line}  {found[0].text}" if found else line)

    def emit_leading(self, key: tuple[int, str], indent: str, gap_after_last: bool) -> None:
        """The whole-line comments above a line, keeping the author's blank lines."""
        found = self.leading.get(key, [])
        for n, c in enumerate(found):
            self.out.append(indent + c.text)
            if c.blank_after and (gap_after_last or n < len(found) - 1):
                self.blank()

    def _aligned_lines(self, block: Stmt, name: str,
                       rows_of: Callable[[Sequence[Stmt]], list[tuple[str, ...]]],
                       ) -> dict[int, str]:
        """The aligned lines of a block's ``name`` statements, by statement."""
        stmts = [s for s in block.items if s.name == name]
        indent = INDENT * (1 if block is self.root else 2)
        lines = aligned(rows_of(stmts), indent)
        return {id(st): line[len(indent):] for st, line in zip(stmts, lines, strict=True)}

    # -- rendering
    def render(self) -> str:
        """The whole file."""
        self.block(self.root, 0)
        if self.trailer:
            if self.trailer[0].blank_before:
                self.blank()
            for n, c in enumerate(self.trailer):
                self.out.append(c.text)
                if c.blank_after and n < len(self.trailer) - 1:
                    self.blank()
        return "\n".join(self.out) + "\n"

    def block(self, st: Stmt, depth: int) -> None:
        """A block: its head line, its body, its closing brace."""
        indent = INDENT * depth
        inner = indent + INDENT
        self.emit_leading((id(st), "head"), indent, True)
        self.emit(f"{indent}{_head_text(st)} {{", (id(st), "head"))
        prev: Stmt | None = None
        lines = (self._aligned_lines(st, "price", _price_rows) if st.name == "rate_card"
                 else self._aligned_lines(st, "tier", _tier_rows) if st.name == "capitation"
                 else {})
        if st.name == "dataset":
            lines = _field_lines(st)
        if st.name == "measure":  # `numerator   where` lines up with `denominator where`
            lines = {id(i): "numerator  " + _stmt_text(i)[len("numerator"):]
                     for i in st.items if i.name == "numerator" and i.args[0] is not None}
        lines.update(self.party_lines if st is self.root else {})
        for item in _body(st):
            if prev is not None and _wants_blank(st, prev, item, self.source_of(item)):
                self.blank()
            self.item(item, depth + 1, lines)
            prev = item
        self.emit_leading((id(st), "close"), inner, False)
        self.emit(f"{indent}}}", (id(st), "close"))

    def source_of(self, st: Stmt) -> str:
        """The text a statement was written with."""
        sp = st.span
        return self.source[self.pos(sp.line, sp.column):self.pos(sp.end_line, sp.end_column)]

    def item(self, st: Stmt, depth: int, lines: dict[int, str]) -> None:
        """One item of a block body."""
        if st.name in _BLOCKS:
            self.block(st, depth)
            return
        indent = INDENT * depth
        key = (id(st), "stmt")
        self.emit_leading(key, indent, True)
        if st.name == "text":
            for line in _text_lines(cast(str, st.args[0]), '"""' in self.source_of(st)):
                self.out.append(indent + line if line else "")
            last = self.out.pop()
            self.emit(last, key)
            return
        text = lines.get(id(st)) or _stmt_text(st)
        self.emit(indent + text, key)


def _head_text(st: Stmt) -> str:
    """A block's head, without the brace: keyword, ID, title, weight."""
    if st.name in {"risk_share", "rate_card", "capitation", "funding"}:
        return st.name
    if st.name == "measure":
        dataset, _ds, by, _by, counting = st.args
        return f"measure {dataset} by {by}" + (" counting people" if counting else "")
    head = f'{st.name} {st.ident} "{st.args[0]}"'
    weight = next((i for i in st.items if i.name == "weight"), None)
    if weight is not None:
        head += " " + _stmt_text(weight)
    return head


def _body(st: Stmt) -> list[Stmt]:
    """A block's items, without the weight (which stands in the head)."""
    return [i for i in st.items if i.name != "weight"]


def _is_long_text(st: Stmt, source: str) -> bool:
    return st.name == "text" and '"""' in source


_PERSON_RULES = frozenset({"cap per person", "claims within"})


def _wants_blank(parent: Stmt, prev: Stmt, item: Stmt, item_source: str) -> bool:
    """Blank lines between groups of the contract, and around blocks and long texts.

    In a rate card with person-level rules, a blank line parts the settings from the prices.
    """
    if parent.name == "contract":
        return _group(prev) != _group(item)
    if parent.name == "rate_card" and item.name == "price" and prev.name != "price":
        # person-level rules (RECORDS.md) make the settings a group of their own
        return any(st.name in _PERSON_RULES for st in parent.items)
    return _is_long_text(item, item_source) or (prev.name == "text" and "\n" in
                                                cast(str, prev.args[0]))


def _group(st: Stmt) -> str:
    return _GROUPS.get(st.name, f"{st.name}:{id(st)}")


def _text_lines(content: str, long: bool) -> list[str]:
    """``text`` as lines: a long string opens and closes on lines of its own."""
    if not long:
        return [f'text "{content}"']
    return ['text """', *(content.split("\n") if content else []), '"""']
