"""The text report: rich tables that read in 80 columns, in colour only on a terminal.

Colour is decided by the caller (the CLI turns it off for ``NO_COLOR`` and for output that is
not a terminal); without colour the output is plain text with box-drawing rules, stable for
golden files. Sections: headline, outcome payment per year, indicators per year, gateways,
risk share, rate card, obligations (breaches first), penalties. Like met rows, the breached
rows of one obligation are folded after ``BREACHED_ROWS_SHOWN`` into one line that says how
many more there are and where to find them (JSON, JUnit).
"""

from __future__ import annotations

import io

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from obc_check.checker.data.money import ZERO, difference, money_total, pounds
from obc_check.checker.report.claim_summary import closest_to_cap, tally
from obc_check.checker.report.formats.common import (
    BREACHED_ROWS_SHOWN,
    COUNTS_NOTE,
    DATASET_HEADER,
    DATASETS_NOTE,
    RECONCILIATION_HEADER,
    STATUS_WORDS,
    Cells,
    capitation_cells,
    counts_cell,
    dataset_cells,
    fold_line,
    folded_breaches,
    funding_cells,
    funding_header,
    headline,
    ordered_cells,
    reconciliation_cells,
    shown_value,
    summaries,
)
from obc_check.checker.report.model import RateCardResult, Report, YearPayment
from obc_check.textsafe import printable

_STYLE = {"breached": "bold red", "not_due": "yellow", "met": "green", "assessed": "",
          "missing": "bold yellow", "insufficient": "bold yellow", "not_met": "bold red"}


def _table(title: str, *columns: str, right: tuple[int, ...] = (),
           tight: bool = False) -> Table:
    """A report table in the house style.

    ``tight`` puts two spaces between columns instead of three, for the widest table
    (indicators: seven columns that must fit 80 without folding a figure).
    """
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  title_style="bold", collapse_padding=tight)
    for i, name in enumerate(columns):
        table.add_column(name, justify="right" if i in right else "left", overflow="fold")
    return table


def _print_table(console: Console, table: Table) -> None:
    """Print ``table``, giving rich its column widths when they are plain to see.

    Rich sizes the columns by measuring every cell, then renders every cell: each cell is
    laid out twice. When every cell (and header) is plain printable text on one line with no
    markup, each column is as wide as its widest cell, and if the table then fits the
    console, rich would use exactly those widths: they are set as fixed widths, and rich
    renders without measuring. Otherwise (a table that must fold) rich measures as usual.
    """
    padding = getattr(table, "_get_padding_width", None)
    if padding is None:  # not the rich this was written against: let it measure
        console.print(table)
        return
    widths = []
    for column in table.columns:
        widest = 0
        for cell in (column.header, *column.cells):
            text = cell.plain if isinstance(cell, Text) else cell
            if not isinstance(text, str) or "[" in text or not text.isprintable():
                console.print(table)
                return
            widest = max(widest, cell_len(text))
        widths.append(widest)
    # rich widens a column of no width at all (cells and padding) to one: the table must
    # fit as rich will lay it out (an empty last column of a tight table made it one wider
    # than the console, which rich then folded and the direct writer did not)
    widths = [w if w or padding(i) else 1 for i, w in enumerate(widths)]
    edges = ((2 if table.show_edge else 0) + len(widths) - 1) if table.box else 0
    if sum(w + padding(i) for i, w in enumerate(widths)) + edges <= console.width:
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        if _plain_table(console, table, widths):
            return
    console.print(table)


def _plain_table(console: Console, table: Table, widths: list[int]) -> bool:
    """Write a house-style table that fits, without colour, as rich lays it out; or False.

    Rich takes about a millisecond a table to lay out cells whose layout is already known
    (a claims report's five tables took 7 ms of its 10). Without colour, a table of
    :func:`_table` whose cells are one column per character and need no wrapping is: the
    title padded to the table's width, an edge of spaces, the header, a rule, the rows and
    an edge of spaces, every line between one-space edges, each cell padded to its column
    (right-aligned where the column is) and the columns three spaces apart (two when
    ``tight``). Anything else (colour, a title wider than the table or with spaces at its
    ends, a cell with markup or characters of another width) is left to rich; a property
    test holds the two to the same output.
    """
    if (console.color_system is not None or table.box is not box.SIMPLE_HEAD
            or not table.show_edge or table.pad_edge or table.show_lines
            or table.show_footer or not table.show_header or table.caption is not None
            or table.padding != (0, 1, 0, 1) or table.expand or table.min_width is not None
            or table.width is not None or table.leading or table.title_justify != "left"
            or not isinstance(table.title, str) or not _one_wide(table.title)):
        return False
    justify: list[str] = []
    for column in table.columns:
        if (column.justify not in ("left", "right") or column.min_width is not None
                or column.max_width is not None or column.ratio is not None):
            return False
        justify.append(column.justify)
    rows: list[list[str]] = []
    for cells in zip(*(column.cells for column in table.columns), strict=True):
        row = []
        for cell in cells:
            if isinstance(cell, Text):
                if cell.justify is not None or cell.overflow is not None or cell.no_wrap:
                    return False
                cell = cell.plain
            if not isinstance(cell, str) or not _one_wide(cell, inside=True):
                return False
            row.append(cell)
        rows.append(row)
    header: list[str] = []
    for column in table.columns:
        if not isinstance(column.header, str) or not _one_wide(column.header, inside=True):
            return False
        header.append(column.header)
    gap = "  " if table.collapse_padding else "   "
    inner = sum(widths) + len(gap) * (len(widths) - 1)
    if len(table.title) > inner + 2:
        return False  # rich would wrap the title to the table's width

    def line(cells: list[str]) -> str:
        # rich strips a right-aligned cell's trailing spaces before aligning it
        return " " + gap.join(c.rstrip().rjust(w) if j == "right" else c.ljust(w)
                              for c, w, j in zip(cells, widths, justify, strict=True)) + " \n"

    edge = " " * (inner + 2) + "\n"
    out = [table.title.ljust(inner + 2) + "\n", edge, line(header),
           " " + "─" * inner + " \n", *(line(r) for r in rows), edge]
    console.file.write("".join(out))
    return True


def _one_wide(text: str, inside: bool = False) -> bool:
    """True for printable text of one column a character and no markup.

    A title (not ``inside`` a cell) also has no spaces at its ends or two together.
    """
    return (text.isprintable() and "[" not in text and cell_len(text) == len(text)
            and (inside or (text == text.strip() and "  " not in text)))


def _status(word: str) -> Text:
    return Text(STATUS_WORDS.get(word, word), style=_STYLE.get(word, ""))


def _payments(years: list[YearPayment]) -> Table:
    table = _table("Outcome payment", "Year", "At risk", "Earned", "Gateway", "Withheld",
                   right=(1, 2, 3, 4))
    for y in years:
        table.add_row(y.year, pounds(y.at_risk), pounds(y.earned),
                      pounds(y.gateway_withheld), pounds(y.withheld))
    return table


def _indicators(report: Report, year: YearPayment) -> tuple[Table, bool]:
    """The year's indicators; a Counts column beside the value when any is measured."""
    counts = [counts_cell(report, i) for i in year.indicators]
    shown = any(c is not None for c in counts)
    extra = ("Counts",) if shown else ()
    table = _table(f"Indicators {year.year}", "Indicator", "Status", "Value", *extra, "Floor",
                   "Target", "Achieved", "Earned",
                   right=tuple(range(2, 7 + len(extra))), tight=True)
    for i, c in zip(year.indicators, counts, strict=True):
        beside = (c or "–",) if shown else ()
        table.add_row(i.indicator, _status(i.status), shown_value(i.value, i.unit), *beside,
                      i.floor or "–", i.target or "–", i.achieved or f"{i.achievement:.4f}",
                      pounds(i.earned))
    return table, shown


_ROWS_TITLE = "Obligation rows (breaches first)"
_ROWS_HEADER = ("Obligation", "Period / invoice", "Due", "Status", "Penalty")


def _plain_rows(out: io.StringIO, cells: list[Cells], width: int) -> bool:
    """Write the obligation-rows table as rich lays it out without colour; False if unsure.

    A big ledger lists hundreds of thousands of breached invoices, which rich takes minutes
    to lay out. Without colour the layout is simple — each column as wide as its widest
    cell, three spaces between columns, one at each edge, the penalty right-aligned — so it
    is written directly. Only when every cell is one column per character (ASCII, plus the
    dash and pound sign) and the table fits the width; otherwise rich does it (a test
    checks the two agree).
    """
    rows = [(ob, label, due, STATUS_WORDS[status], penalty)
            for ob, label, due, status, penalty in cells]
    widths = [len(h) for h in _ROWS_HEADER]
    for i in range(5):
        column = {row[i] for row in rows}
        if not all(c.isascii() or c.translate(_ONE_WIDE).isascii() for c in column):
            return False
        widths[i] = max([widths[i], *map(len, column)])
    inner = sum(widths) + 3 * (len(widths) - 1)
    if inner + 2 > width:
        return False
    w0, w1, w2, w3, w4 = widths
    out.write(f"{_ROWS_TITLE}\n\n")
    out.write(" " + "   ".join(h.ljust(w) if i < 4 else h.rjust(w)
                               for i, (h, w) in enumerate(zip(_ROWS_HEADER, widths,
                                                              strict=True))) + "\n")
    out.write(" " + "─" * inner + "\n")
    out.writelines(f" {a:<{w0}}   {b:<{w1}}   {c:<{w2}}   {d:<{w3}}   {e:>{w4}}\n"
                   for a, b, c, d, e in rows)
    return True


_ONE_WIDE = str.maketrans({"–": "-", "£": "L"})


def _claims(console: Console, card: RateCardResult) -> None:
    """Claims paid and rejected by reason, and the people closest to the person cap."""
    t = tally(card)
    table = _table(f"Claims ({t.claims})", "Decision", "Claims", "Amount", right=(1, 2))
    table.add_row("paid", str(t.paid), pounds(t.amount))
    if t.capped:
        table.add_row("  of which capped", str(t.capped), "")
    for reason, n in t.rejected.items():
        table.add_row(f"rejected: {reason}", str(n), "")
    _print_table(console, table)
    if card.person_cap is not None and card.people:
        cap = card.person_cap
        table = _table("People closest to the person cap", "Person", "Paid",
                       "Left", "Claims", right=(1, 2, 3))
        for p in closest_to_cap(card):
            table.add_row(p.person, pounds(p.paid), pounds(difference(cap, p.paid)), str(p.claims))
        _print_table(console, table)


def render_text(report: Report, *, color: bool = False, width: int = 80) -> str:
    """The report as text tables of at most ``width`` columns."""
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False,
                      emoji=False, legacy_windows=False)
    c = report.contract
    console.print(Text(f"{c.id} — {c.title} (version {c.version})", style="bold"))
    console.print(Text(f"As of {report.as_of.isoformat()}; data {printable(report.data)}"))
    style = {"breach": "bold red", "incomplete": "bold yellow"}.get(report.status, "bold green")
    console.print(Text(headline(report), style=style))
    console.print()
    t = report.totals
    if report.outcome_payment is not None:
        table = _payments(report.outcome_payment)
        table.add_row(Text("Total", style="bold"), pounds(t.at_risk or ZERO),
                      pounds(t.earned or ZERO), pounds(t.gateway_withheld or ZERO),
                      pounds(t.withheld or ZERO))
        _print_table(console, table)
        any_counts = False
        for year in report.outcome_payment:
            table, with_counts = _indicators(report, year)
            _print_table(console, table)
            any_counts = any_counts or with_counts
        if any_counts:
            console.print(COUNTS_NOTE)
            console.print()
        gates = [(y.year, g) for y in report.outcome_payment for g in y.gateways]
        if gates:
            table = _table("Gateways", "Year", "Gateway", "Value", "Needs", "Status", "Withheld",
                           right=(2, 5))
            for year_label, g in gates:
                need = (("≥ " if g.comparison == "at_least" else "≤ ")
                        + shown_value(g.threshold, g.unit))
                table.add_row(year_label, g.gateway, shown_value(g.value, g.unit), need,
                              _status(g.status),
                              pounds(g.withheld))
            _print_table(console, table)
    if report.datasets:
        table = _table("Datasets (records read, and those in no contract year)",
                       *DATASET_HEADER, right=(1, 3, 4))
        for ds_row in dataset_cells(report):
            table.add_row(*(printable(c) for c in ds_row))
        _print_table(console, table)
        console.print(DATASETS_NOTE)
        console.print()
    if report.capitation is not None:
        table = _table("Capitation (months: with a caseload row / begun)", "Year", "Tier",
                       "Months", "Missing", "Payable", right=(2, 4))
        for label, tier, months, missing, payable in capitation_cells(report.capitation):
            table.add_row(label, Text(tier, style="bold") if not months else tier, months,
                          Text(missing, style="bold yellow") if missing != "–" else missing,
                          payable)
        _print_table(console, table)
        console.print(f"Capitation payable: {pounds(t.capitation_payable or ZERO)}")
        console.print()
    if report.risk_share is not None:
        members = list(report.risk_share[0].members) if report.risk_share else []
        table = _table("Risk share (members' amounts; losses negative)", "Year", "Variance",
                       *members, right=tuple(range(1, len(members) + 2)))
        for r in report.risk_share:
            table.add_row(r.year, pounds(r.variance), *(pounds(r.members[m]) for m in members))
        table.add_row(Text("Total", style="bold"), "", *(
            pounds(money_total(r.members[m] for r in report.risk_share))
            for m in members))
        _print_table(console, table)
        console.print(f"Members' total: {pounds(t.risk_share_members or ZERO)}")
        if report.risk_share_not_assessed:
            console.print(Text("Not assessed (the capitation misses a month): "
                               + ", ".join(report.risk_share_not_assessed),
                               style="bold yellow"))
    if report.rate_card is not None:
        card = report.rate_card
        table = _table("Rate card", "Year", "Payable", right=(1,))
        for ry in card.years:
            table.add_row(ry.year, pounds(ry.payable))
        table.add_row(Text("Total", style="bold"), pounds(card.total))
        table.add_row("Cap", pounds(card.cap))
        if card.person_cap is not None:
            table.add_row("Person cap", pounds(card.person_cap))
        _print_table(console, table)
        if card.claims is not None:
            _claims(console, card)
    if report.funding:
        header = funding_header(report)
        table = _table("Who pays what", *header, right=tuple(range(1, len(header))))
        for row in funding_cells(report):
            table.add_row(*(Text(c, style="bold") if row[0] == "Total" and i == 0 else c
                            for i, c in enumerate(row)))
        _print_table(console, table)
    reconciliation = reconciliation_cells(report)
    if reconciliation:
        table = _table("Reconciliation of the commissioners' payments",
                       *RECONCILIATION_HEADER[:-1], right=(2, 3, 4, 5))
        for row in reconciliation:  # the status stands in the obligation rows below
            table.add_row(*row[:5], row[5].split(" (")[0])
        _print_table(console, table)
        console.print("A negative balance is still owed to the provider; a positive one was "
                      "overpaid and is recoverable from it.")
        console.print()
    if report.obligations:
        table = _table("Obligations", "Obligation", "Kind", "Met", "Breached", "Not due",
                       "Penalties", right=(2, 3, 4, 5))
        for s in summaries(report):
            table.add_row(s.obligation, s.kind.replace("_", " "), str(s.met), str(s.breached),
                          str(s.not_due), s.penalties)
        _print_table(console, table)
        cells = list(ordered_cells(report.obligations, BREACHED_ROWS_SHOWN))
        folds = [fold_line(ob, n)
                 for ob, n in folded_breaches(report.obligations, BREACHED_ROWS_SHOWN)]
        if not color and _plain_rows(buf, cells, width):
            buf.writelines(f" {line}\n" for line in folds)
            buf.write("\n")
        else:
            table = _table(_ROWS_TITLE, *_ROWS_HEADER, right=(4,))
            for ob, label, due, status, penalty in cells:
                table.add_row(ob, label, due, _status(status), penalty)
            _print_table(console, table)
            for line in folds:
                console.print(Text(f" {line}", style="bold red"))
            if folds:
                console.print()
    console.print(Text(f"Penalties: {pounds(report.penalties)}", style="bold"))
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"
