"""What the text and markdown formats share: ordering and short labels of rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from obc_check.checker.money import ZERO, pounds
from obc_check.checker.report import ObligationRow, Report

# Above this many met rows of one obligation, text and markdown show a count instead.
MET_ROWS_SHOWN = 50

_ORDER = {"breached": 0, "not_due": 1, "met": 2}
STATUS_WORDS = {"breached": "BREACHED", "not_due": "not due", "met": "met",
                "assessed": "assessed", "missing": "MISSING", "insufficient": "INSUFFICIENT",
                "not_met": "NOT MET"}


def shown_value(value: str | None, unit: str | None) -> str:
    """An indicator's value with ``%`` for percent indicators, or a dash when there is none."""
    if value is None:
        return "–"
    return f"{value}%" if unit == "percent" else value


def row_label(row: ObligationRow) -> str:
    """The row's period, year or invoice."""
    return row.period or row.invoice or ""


@dataclass(frozen=True, slots=True)
class ObligationSummary:
    """Counts and penalties of one obligation."""

    obligation: str
    kind: str
    met: int
    breached: int
    not_due: int
    penalties: str


def summaries(report: Report) -> list[ObligationSummary]:
    """One summary per obligation, in contract order."""
    out: dict[str, list[ObligationRow]] = {}
    for row in report.obligations:
        out.setdefault(row.obligation, []).append(row)
    return [ObligationSummary(
        obligation=ob, kind=rows[0].kind,
        met=sum(1 for r in rows if r.status == "met"),
        breached=sum(1 for r in rows if r.status == "breached"),
        not_due=sum(1 for r in rows if r.status == "not_due"),
        penalties=pounds(sum((r.penalty for r in rows), ZERO)))
        for ob, rows in out.items()]


def ordered_rows(rows: Sequence[ObligationRow]) -> Iterator[ObligationRow | tuple[str, int]]:
    """Breaches first, then rows not yet due, then met rows (stable within each group).

    An obligation with more than ``MET_ROWS_SHOWN`` met rows (a big invoice ledger) yields
    ``(obligation, count)`` in place of its met rows, so text stays readable.
    """
    met: dict[str, int] = {}
    for r in rows:
        if r.status == "met":
            met[r.obligation] = met.get(r.obligation, 0) + 1
    collapsed = {ob for ob, n in met.items() if n > MET_ROWS_SHOWN}
    for r in sorted(rows, key=lambda r: _ORDER[r.status]):
        if r.status == "met" and r.obligation in collapsed:
            continue
        yield r
    for ob in sorted(collapsed):
        yield ob, met[ob]


def headline(report: Report) -> str:
    """One sentence: status, breaches, incomplete indicators, penalties."""
    t = report.totals
    parts = [report.status.upper()]
    parts.append(f"{t.breaches} breach{'es' if t.breaches != 1 else ''}")
    if t.incomplete_indicators:
        n = t.incomplete_indicators
        parts.append(f"{n} value{'s' if n != 1 else ''} missing or insufficient")
    parts.append(f"penalties {pounds(report.penalties)}")
    return " — ".join(parts[:1]) + ": " + ", ".join(parts[1:])
