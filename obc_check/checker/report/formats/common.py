"""What the text and markdown formats share: ordering and short labels of rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from obc_check.checker.data.money import ZERO, money_total, pounds
from obc_check.checker.report.model import CapitationYear, IndicatorResult, Report
from obc_check.checker.report.obligation_rows import ObligationRows
from obc_check.checker.report.prompt_block import PromptBlock
from obc_check.checker.report.rows import ObligationRow, ObligationStatus
from obc_check.textsafe import printable

# Above this many met rows of one obligation, text and markdown show a count instead.
MET_ROWS_SHOWN = 50
# The text report shows at most this many breached rows of one obligation, then a line that
# says how many more there are: a person reads a few examples, not 300,000 late invoices
# (which took longer to write than the whole check); JSON and JUnit keep every row.
BREACHED_ROWS_SHOWN = 100

_ORDER = {"breached": 0, "not_due": 1, "met": 2}
STATUS_WORDS = {"breached": "BREACHED", "not_due": "not due", "met": "met",
                "assessed": "assessed", "missing": "MISSING", "insufficient": "INSUFFICIENT",
                "not_met": "NOT MET"}


def shown_value(value: str | None, unit: str | None) -> str:
    """An indicator's value with ``%`` for percent indicators, or a dash when there is none."""
    if value is None:
        return "–"
    return f"{value}%" if unit == "percent" else value


def _grouped(number: str) -> str:
    """``2610`` → ``2,610`` (a decimal keeps its places: ``6511.5`` → ``6,511.5``)."""
    whole, dot, frac = number.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-') or 0):,}{dot}{frac}"


def measured(report: Report, i: IndicatorResult) -> bool:
    """True when the row's value was computed from records (RECORDS.md).

    Such a row's one source is its dataset, which the report's ``datasets`` lists (a value
    the provider gave has periods as sources, which are never identifiers).
    """
    return (len(i.sources) == 1 and report.datasets is not None
            and any(d.dataset == i.sources[0] for d in report.datasets))


def counts_cell(report: Report, i: IndicatorResult) -> str | None:
    """The counts behind a measured year's value, beside it (RECORDS.md, the report adds).

    ``N/D`` for a proportion, ``sum/number`` for a mean (the value is exactly that
    fraction), the number counted for a count; None when the value is not measured (a
    provider's own numerator and denominator stay in JSON, as before).
    """
    if not measured(report, i):
        return None
    if i.count is not None:
        return _grouped(i.count)
    top = i.numerator if i.numerator is not None else i.total
    if top is not None and i.denominator is not None:
        return f"{_grouped(top)}/{_grouped(i.denominator)}"
    return None


#: Said under an indicators table that has a Counts column.
COUNTS_NOTE = "Counts: numerator/denominator of a proportion, sum/number of a mean, or count."


def dataset_cells(report: Report) -> list[tuple[str, str, str, str, str]]:
    """Per dataset and ``by`` field: records read, left unplaced (date missing), outside term.

    A dataset none of whose measures is in the report still has its row (``by`` ``–``).
    Records on these rows count in no contract year (RECORDS.md, Measures).
    """
    rows: list[tuple[str, str, str, str, str]] = []
    for d in report.datasets or []:
        records = f"{d.records:,}"
        if not d.by:
            rows.append((d.dataset, records, "–", "–", "–"))
        for n, (field, c) in enumerate(d.by.items()):
            rows.append((d.dataset if n == 0 else "", records if n == 0 else "", field,
                         f"{c.unplaced:,}", f"{c.outside_term:,}"))
    return rows


DATASET_HEADER = ("Dataset", "Records", "By", "Unplaced", "Outside term")
#: Said under the datasets table.
DATASETS_NOTE = "Unplaced: the by date is missing. Outside term: it is outside the term."


def row_label(row: ObligationRow) -> str:
    """The row's period, year or invoice (an invoice reference is data: made printable)."""
    return row.period or printable(row.invoice or "")


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
    """One summary per obligation, in contract order (columnar parts answer by counting)."""
    counts: dict[str, tuple[str, dict[str, int], list[Decimal]]] = {}
    for part in report.obligations.parts:
        if isinstance(part, PromptBlock):
            _, tally, pens = counts.setdefault(part.obligation, ("prompt_payment", {}, []))
            for status in _ORDER:
                tally[status] = tally.get(status, 0) + part.count(status)  # type: ignore[arg-type]
            pens.append(part.penalties())
            continue
        for row in part:
            _, tally, pens = counts.setdefault(row.obligation, (row.kind, {}, []))
            tally[row.status] = tally.get(row.status, 0) + 1
            pens.append(row.penalty)
    return [ObligationSummary(
        obligation=ob, kind=kind, met=tally.get("met", 0), breached=tally.get("breached", 0),
        not_due=tally.get("not_due", 0),
        penalties=pounds(money_total(pens)))
        for ob, (kind, tally, pens) in counts.items()]


Cells = tuple[str, str, str, ObligationStatus, str]
"""One line of the obligation-rows table: obligation, period or invoice, due, status,
penalty."""


def status_counts(rows: ObligationRows, status: ObligationStatus) -> dict[str, int]:
    """Rows of one status per obligation, in contract order (blocks answer by counting)."""
    counts: dict[str, int] = {}
    for part in rows.parts:
        if isinstance(part, PromptBlock):
            counts[part.obligation] = counts.get(part.obligation, 0) + part.count(status)
        else:
            for r in part:
                if r.status == status:
                    counts[r.obligation] = counts.get(r.obligation, 0) + 1
    return counts


def folded_breaches(rows: ObligationRows, shown: int) -> list[tuple[str, int]]:
    """Each obligation with more than ``shown`` breached rows, and how many are not shown."""
    return [(ob, n - shown) for ob, n in status_counts(rows, "breached").items()
            if n > shown]


def fold_line(obligation: str, hidden: int) -> str:
    """The line that stands for the breached rows a report leaves out."""
    rows = "row" if hidden == 1 else "rows"
    return (f"… and {hidden:,} more breached {rows} of {obligation}: "
            f"see --format json or junit")


def ordered_cells(rows: ObligationRows, breached_shown: int | None = None) -> Iterator[Cells]:
    """The obligation-rows table: breaches first, then rows not yet due, then met rows.

    Stable within each group. An obligation with more than ``MET_ROWS_SHOWN`` met rows (a
    big invoice ledger) shows one ``N more met rows`` line in place of its met rows, after
    the others. With ``breached_shown``, at most that many breached rows of each obligation
    are given (the first ones, in order); ``folded_breaches`` says how many were left out.
    Columnar parts give only the few cells shown, never whole row objects.
    """
    left = {ob: breached_shown for ob in status_counts(rows, "breached")} \
        if breached_shown is not None else None
    met = status_counts(rows, "met")
    collapsed = {ob for ob, n in met.items() if n > MET_ROWS_SHOWN}
    order: tuple[ObligationStatus, ...] = ("breached", "not_due", "met")
    for status in order:
        for part in rows.parts:
            if isinstance(part, PromptBlock):
                if status == "met" and part.obligation in collapsed:
                    continue
                limit = left[part.obligation] if left is not None and status == "breached" \
                    else None
                labels, dues = part.label_cells(status, limit)
                if limit is not None and left is not None:
                    left[part.obligation] -= len(labels)
                penalty = pounds(part.penalty if status == "breached" else ZERO)
                for label, due in zip(labels, dues, strict=True):
                    yield part.obligation, printable(label), due, status, penalty
                continue
            for r in part:
                if r.status == status and not (status == "met" and r.obligation in collapsed):
                    if status == "breached" and left is not None:
                        if left[r.obligation] <= 0:
                            continue
                        left[r.obligation] -= 1
                    yield (r.obligation, row_label(r), r.due.isoformat() if r.due else "–",
                           r.status, pounds(r.penalty))
    for ob in sorted(collapsed):
        yield ob, f"{met[ob]} more met rows", "", "met", ""


def month_runs(labels: list[str]) -> str:
    """Missing months in short: ``2021 M7`` → ``M7``; runs joined, ``M1–M3, M7``."""
    numbers = [int(label.rsplit("M", 1)[1]) for label in labels]
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return ", ".join(f"M{a}" if a == b else f"M{a}–M{b}" for a, b in runs)


#: One row of the capitation tables: year, tier, months with a row / begun, missing, payable.
CapitationCells = tuple[str, str, str, str, str]


def capitation_cells(years: list[CapitationYear]) -> Iterator[CapitationCells]:
    """Per year, a row per tier, then the year's sum (labelled "All tiers", not "Total")."""
    for y in years:
        for t in y.tiers:
            yield (y.year, t.price, f"{t.months}/{y.begun}", month_runs(t.missing) or "–",
                   pounds(t.payable))
        yield (y.year, "All tiers", "", "", pounds(y.payable))


def funding_header(report: Report) -> list[str]:
    """The "who pays what" table's columns: year, payable, each payer, unfunded."""
    payers = list(report.funding[0].payers) if report.funding else []
    return ["Year", "Payable", *payers, "Unfunded"]


def funding_cells(report: Report) -> list[list[str]]:
    """Who pays what (TERMS.md): one row per year, each payer's part, then the term's totals."""
    years = report.funding or []
    if not years:
        return []
    payers = list(years[0].payers)
    rows = [[y.year, pounds(y.payable), *(pounds(y.payers[p]) for p in payers),
             pounds(y.unfunded)] for y in years]
    rows.append(["Total", pounds(money_total(y.payable for y in years)),
                 *(pounds(money_total(y.payers[p] for y in years)) for p in payers),
                 pounds(money_total(y.unfunded for y in years))])
    return rows


RECONCILIATION_HEADER = ["Payer", "Year", "Due", "Paid in time", "Paid", "Balance", "Status"]


def reconciliation_cells(report: Report) -> list[list[str]]:
    """The commissioner's payment duty per year: due, paid in time, paid and the balance.

    A negative balance is still owed to the provider, a positive one recoverable from it.
    """
    rows: list[list[str]] = []
    for r in report.obligations.parts_of_kind("payout"):
        balance = r.balance if r.balance is not None else ZERO
        word = ("owed to the provider" if balance < 0 else
                "recoverable from the provider" if balance > 0 else "settled")
        rows.append([r.party, r.period or "", pounds(r.required or ZERO),
                     pounds(r.actual or ZERO), pounds(r.paid or ZERO),
                     f"{pounds(balance)} ({word})", STATUS_WORDS.get(r.status, r.status)])
    return rows


def headline(report: Report) -> str:
    """One sentence: status, breaches, incomplete indicators, penalties."""
    t = report.totals
    parts = [report.status.upper()]
    parts.append(f"{t.breaches} breach{'es' if t.breaches != 1 else ''}")
    if t.incomplete_indicators:
        n = t.incomplete_indicators
        parts.append(f"{n} value{'s' if n != 1 else ''} missing or insufficient")
    if t.capitation_missing_months:
        n = t.capitation_missing_months
        parts.append(f"{n} capitation month{'s' if n != 1 else ''} without a caseload row")
    parts.append(f"penalties {pounds(report.penalties)}")
    return " — ".join(parts[:1]) + ": " + ", ".join(parts[1:])
