"""Diagnostics as values: a position, a stable code, a message and a hint.

Diagnostics are collected in lists rather than raised, so that one run reports every problem
in a file (CLI.md: "All diagnostics of a file are reported in one run"). The CLI decides the
exit status from the list. The table of codes below is the single source of truth for what
each code means; docs/diagnostics.md is generated from it by a test.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from obc_check.textsafe import printable

Severity = Literal["error", "warning"]


class Span(BaseModel):
    """Where a thing stands in its source: 1-based line and column, end exclusive."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def trusted(cls, file: str, line: int, column: int, end_line: int, end_column: int
                ) -> Span:
        """A span from values already known to be right (the parser's own integers).

        The compiler makes one span per statement and literal: tens of thousands for a large
        contract. Validating each (or even ``model_construct``, which walks the fields) costs
        as much as parsing, so this fills the instance the way ``model_construct`` does, in
        one step. ``tests/dsl/test_spans.py`` checks it equals a validated ``Span``.
        """
        obj = _new(cls)
        _set(obj, "__dict__", {"file": file, "line": line, "column": column,
                               "end_line": end_line, "end_column": end_column})
        _set(obj, "__pydantic_fields_set__", set(_SPAN_FIELDS))
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj


_new = object.__new__
_set = object.__setattr__
_SPAN_FIELDS = frozenset(("file", "line", "column", "end_line", "end_column"))


CODES: dict[str, str] = {
    # the .obc language (dsl/parse.py, dsl/transform.py, dsl/build.py, dsl/checks.py)
    "E001": "syntax error: the text does not follow the grammar",
    "E002": "unexpected end of file: an unclosed block, or no contract at all",
    "E003": "not a valid date",
    "E004": "a malformed amount: thousands separators, decimals or a short form",
    "E005": "an identifier declared twice (or a risk-share member listed twice)",
    "E006": "a reference to an identifier that is not declared, or is of the wrong kind",
    "E007": "a setting given twice in one block",
    "E008": "a required statement or setting is missing",
    "E009": "the term is not a whole number of contract years",
    "E010": "a schedule names a year twice",
    "E011": "a schedule does not name every contract year",
    "E012": "outcome weights do not add up to 100%",
    "E013": "indicator weights inside an outcome do not add up to 100%",
    "E014": "a schedule names a year outside the term",
    "E015": "a value of the wrong kind: `%`, `£` or a plain number where another is due",
    "E016": "floor and target are the wrong way round",
    "E017": "a payment curve lacks the floor or target it needs",
    "E018": "step thresholds do not improve as their shares rise",
    "E019": "a share or percentage outside 0–100%",
    "E020": "an obligation binds a party whose role cannot do what is asked",
    "E021": "a risk-share member that is not an alliance member",
    "E022": "risk-share member shares do not add up to 100%",
    "E023": "a count or number of days that is not a whole number of at least 1",
    "E024": "a share of annual_value, but no annual_value",
    "E025": "a paid indicator without a direction",
    "E026": "an unsupported currency",
    "E027": "not a valid year label",
    "E028": "`per year` where it does not belong",
    "E029": "an outcome without a weight",
    "E030": "an indicator without a unit",
    "E031": "a weight on an indicator outside any outcome",
    "E032": "a string holds a control character",
    # datasets and measures (RECORDS.md; dsl/records.py)
    "E040": "a measure names a dataset that is not declared",
    "E041": "a field that the dataset does not declare",
    "E042": "a type mismatch in a condition: values of two types, or an operator the type "
            "does not take",
    "E043": "a measure's `by` field is not a date",
    "E044": "`counting people` without a `person` field (or on a mean)",
    "E045": "a proportion with a numerator but no denominator, or the other way round",
    "E046": "a measure whose shape does not fit the indicator's unit, or mixes shapes",
    "E047": "`minimum denominator` on a count",
    "E048": "a reserved word (or not a field name) as a field name",
    "E049": "a field declared twice in a dataset",
    "E060": "`budget capitation` in a risk share, but the contract has no capitation block",
    "E061": "a capitation tier declared twice",
    "E062": "a capitation contract with no party that can be paid (provider or alliance member)",
    "E063": "a person-level rate card's term cap above £10,000,000,000,000,000 (10^16 "
            "pounds)",
    "E085": "a number beyond the bounds: too many digits (50 before the point, 20 after), "
            "or a count above 2^53 - 1",
    "E086": "a number of days above the most a contract can mean (3,660 for a deadline; a "
            "date moved by more than 1,000 years in a condition or a claim window)",
    # TERMS.md (rounding, funding, the commissioner's duty, named parties, penalties)
    "E080": "a value rounded to a number of decimal places outside 0–6",
    "E081": "a party in `funding` that is not a commissioner",
    "E082": "a commissioner missing from `funding`",
    "E083": "funding shares do not add up to 100%",
    "E084": "a cap below zero",
    "E089": "a commissioner's payment duty with several commissioners and no `funding`",
    "E091": "a duty towards a named party that is the party bound",
    "E087": "a flow-down duty towards a named party that is not a subcontractor",
    "E088": "`per day late` on a duty that is not a report duty",
    "E099": "internal error: a bug in obc-check (please report it)",
    # bad files (dsl.read_source)
    "E090": "the file cannot be read: missing, a directory, empty, not UTF-8 or too large",
    # data bundles (checker/data/load.py)
    "D001": "the data bundle does not exist or is not a folder, .json or .xlsx file",
    "D002": "a bundle file cannot be read: unreadable, not UTF-8, not JSON, not a workbook",
    "D003": "an unknown table: a file, sheet or key that is not one of the five tables",
    "D004": "a table lacks a required column (or a header row)",
    "D005": "an unknown, unnamed or repeated column",
    "D006": "a malformed row: wrong number of cells, or a value of the wrong JSON type",
    "D007": "not a number",
    "D008": "not an ISO date (YYYY-MM-DD)",
    "D009": "unknown identifier: indicator, obligation, party, price or capitation tier",
    "D010": "not a period of the contract term",
    "D011": "a period of the wrong kind for the table or obligation",
    "D012": "a submission for an obligation that is not a report obligation",
    "D013": "duplicate row: a second row with the same key",
    "D014": "a negative count, amount or value",
    "D015": "a percentage above 100",
    "D016": "a value that disagrees with its numerator and denominator",
    "D017": "an indicator row without a value or without both numerator and denominator",
    "D018": "a denominator of 0",
    "D019": "one indicator or price given for overlapping periods of a year",
    "D020": "`kind` is not invoice, outcome_share or outcome_payment",
    "D021": "a required value is missing",
    "D022": "money with more than two decimal places",
    "D023": "a count that is not a whole number",
    "D024": "numerator and denominator needed: the indicator has a minimum denominator",
    "D025": "data the contract does not use (warning)",
    "D026": "an invoice paid before it was received (warning)",
    # datasets of records (RECORDS.md; data/datasets.py, checker/engine)
    "D040": "a dataset given twice in a bundle folder (as .csv and as .parquet)",
    "D041": "a floating-point Parquet column for a number field",
    "D042": "not a flag (true/false, yes/no, y/n, 1/0)",
    "D043": "a dataset's numbers need more digits than an exact decimal holds",
    "D044": "an indicators-table row for an indicator measured from records",
    "D080": "a workbook formula cell without a computed (cached) value",
    "D081": "a number beyond the bounds: too many digits, or a count above 2^53 - 1",
    "D090": "a `period` on a payment that is not an outcome_payment (TERMS.md)",
    "D091": "an outcome_payment paid to a commissioner (TERMS.md)",
    # D060-D069: person-level rate cards (RECORDS.md; checker/data/claim_checks.py)
    "D060": "outcome counts for a rate card paid from claims (claims and outcomes, or a "
            "person-level rate card)",
    "D061": "a claim whose person is not in participants (the rate card has a claim window)",
    "D062": "claims for a rate card whose term cap is above £10,000,000,000,000,000 (10^16 "
            "pounds, E063's bound)",
    # warnings: valid, but almost certainly not what was meant (dsl/lints.py, the checker);
    # shown by validate and check, exit 0 unless --strict; `# obc: allow W0NN` silences one
    "W001": "an outcome payment larger than the annual value of its year (warning)",
    "W002": "a spend-share duty to a sector no party but the payer belongs to (warning)",
    "W003": "a floor on an all-or-nothing or steps indicator: not used for payment (warning)",
    "W004": "an indicator neither paid nor tested by a gateway (warning)",
    "W005": "a percent gateway level or threshold of at most 1%: a fraction for points? "
            "(warning)",
    "W006": "data: every value of a percent indicator is at most 1: fractions for points? "
            "(warning)",
    "W007": "`check` without `--as-of` in CI: the result depends on the day it runs (warning)",
    "W008": "a rate-card price above the cap per person: never paid in full (warning)",
    "W009": "a price of £0 on a person-level rate card: every claim of it is rejected "
            "(warning)",
    "W020": "several commissioners and no `funding` block: who pays what is left to the main "
            "agreement (TERMS.md; warning)",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. ``span`` is None only for file-level problems (unreadable file)."""

    code: str
    message: str
    span: Span | None
    hint: str | None = None
    severity: Severity = "error"
    file: str | None = None

    @property
    def path(self) -> str:
        """The file the diagnostic is about."""
        if self.span is not None:
            return self.span.file
        return self.file or "<unknown>"

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order by file, then position, then code: stable output for golden tests."""
        if self.span is None:
            return (self.path, 0, 0, self.code)
        return (self.path, self.span.line, self.span.column, self.code)

    def as_json(self) -> dict[str, object]:
        """The JSON form used by ``validate --format json``."""
        out: dict[str, object] = {
            "file": self.path,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "end_line": self.span.end_line if self.span else None,
            "end_column": self.span.end_column if self.span else None,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }
        return out


@dataclass(frozen=True, slots=True)
class Omitted(Diagnostic):
    """Stands for ``count`` diagnostics of one code that are counted but not shown.

    Bad data can hold millions of errors of one kind; the loader keeps the first hundred of
    each code per table and one of these for the rest, so output and memory stay bounded.
    """

    count: int = 0

    def sort_key(self) -> tuple[str, int, int, str]:
        """After every shown diagnostic of its file."""
        return (self.path, sys.maxsize, 0, self.code)

    def as_json(self) -> dict[str, object]:
        """As a diagnostic, with the number it stands for (``omitted``)."""
        return {**Diagnostic.as_json(self), "omitted": self.count}


#: How many diagnostics of one code in one file a run shows; the rest are only counted (the
#: data loader keeps the same number per code and table, checker/data/problems.py).
SHOWN_PER_CODE = 100


def cap_per_code(diags: Sequence[Diagnostic], limit: int = SHOWN_PER_CODE
                 ) -> list[Diagnostic]:
    """The first ``limit`` diagnostics of each file, code and severity, then one Omitted each.

    A generated contract with 100,000 undeclared references would otherwise print 100,000
    carets; bad data was already capped this way when it is loaded. "First" is in the order
    the output shows (by position), so the ones shown are the first in the file. Diagnostics
    already :class:`Omitted` pass through.
    """
    kept: list[Diagnostic] = []
    over: dict[tuple[str, str, Severity], int] = {}
    seen: dict[tuple[str, str, Severity], int] = {}
    for d in sorted(diags, key=lambda x: x.sort_key()):
        key = (d.path, d.code, d.severity)
        if isinstance(d, Omitted):
            kept.append(d)
            continue
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= limit:
            kept.append(d)
        else:
            over[key] = over.get(key, 0) + 1
    for (path, code, severity), n in over.items():
        kept.append(Omitted(
            code, f"{n:,} more {code} {severity}s like those above, not shown (only the "
            f"first {limit} of each code in a file are)", None,
            "fix the ones shown and run again: they are often one mistake repeated",
            severity, file=path, count=n))
    return kept


def count_errors(diags: Iterable[Diagnostic]) -> int:
    """How many errors ``diags`` stand for, those only counted (:class:`Omitted`) included."""
    return sum(d.count if isinstance(d, Omitted) else 1 for d in diags if d.severity == "error")


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    """True if any diagnostic is an error (warnings do not fail a run)."""
    return any(d.severity == "error" for d in diags)


def render_text(diags: Sequence[Diagnostic], sources: Mapping[str, str | Sequence[str]]
                ) -> str:
    """Render diagnostics as CLI.md shows: location, the source line, a caret, a hint.

    A source is a file's text, or its lines as ``text.split(LF)`` gives them (a big data
    file's, each read when shown).
    """
    lines_of: dict[str, Sequence[str]] = {}
    blocks: list[str] = []
    for d in sorted(diags, key=lambda x: x.sort_key()):
        if d.path not in lines_of and d.path in sources:
            # Split on "\n" only, as the parser counts lines (splitlines would also break at
            # form feeds and other separators and put the caret under the wrong line).
            source = sources[d.path]
            lines_of[d.path] = source.split("\n") if isinstance(source, str) else source
        blocks.append(_render_one(d, lines_of.get(d.path, [])))
    return "\n".join(blocks)


_UNPRINTABLE = re.compile(r"[^\S ]|[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          r"\ud800-\udfff]")


def _render_one(d: Diagnostic, text_lines: Sequence[str]) -> str:
    # Messages and hints quote data cells and file names: no raw control character (an ESC
    # from a data file would drive the terminal) leaves the tool (textsafe).
    message = _cut(printable(d.message))
    if d.span is None:
        lines = [f"{printable(d.path)}: {d.severity}[{d.code}]: {message}"]
    else:
        sp = d.span
        lines = [f"{printable(sp.file)}:{sp.line}:{sp.column}: {d.severity}[{d.code}]: "
                 f"{message}"]
        if 1 <= sp.line <= len(text_lines):
            # One column per character, as the parser counts: tabs and control characters
            # show as a single space so the caret stays under the right place.
            src = _UNPRINTABLE.sub(" ", text_lines[sp.line - 1].removesuffix("\r")).rstrip()
            src, caret = _window(src, sp.column - 1)
            lines.append(f"{sp.line:>5} | {src}")
            lines.append("      | " + " " * caret + "^")
    if d.hint:
        lines.append(f"   hint: {_cut(printable(d.hint))}")
    return "\n".join(lines)


#: The most of a message or hint the text output shows: one that quotes a 100,000-character
#: identifier or cell is cut (the JSON output keeps it whole, for tools).
MAX_MESSAGE = 500


def _cut(text: str) -> str:
    """``text`` cut to :data:`MAX_MESSAGE` characters, ``…`` and the length marking a cut."""
    if len(text) <= MAX_MESSAGE:
        return text
    return f"{text[:MAX_MESSAGE]}… ({len(text):,} characters in all)"


#: The most of a source line a diagnostic shows: a line of a million characters (a file
#: with no line breaks, a 100,000-digit number) is cut to a window around the caret.
MAX_SHOWN = 160


def _window(src: str, at: int) -> tuple[str, int]:
    """``src`` cut to :data:`MAX_SHOWN` characters around column ``at`` (0-based).

    Returns the text shown and the caret's place in it; ``…`` marks each cut end.
    """
    if len(src) <= MAX_SHOWN:
        return src, at
    start = min(max(0, at - MAX_SHOWN // 3), max(0, len(src) - MAX_SHOWN))
    end = start + MAX_SHOWN
    head = "…" if start > 0 else ""
    return head + src[start:end] + ("…" if end < len(src) else ""), at - start + len(head)


def render_json(diags: Sequence[Diagnostic], total: bool = False) -> str:
    """All diagnostics of a run as one JSON document.

    With ``total`` (or when some are only counted), ``total`` says how many diagnostics the
    run found, those :class:`Omitted` stands for included.
    """
    ordered = sorted(diags, key=lambda x: x.sort_key())
    doc: dict[str, object] = {"diagnostics": [d.as_json() for d in ordered]}
    if total or any(isinstance(d, Omitted) for d in diags):
        doc["total"] = sum(d.count if isinstance(d, Omitted) else 1 for d in diags)
    return json.dumps(doc, indent=2, ensure_ascii=False)
