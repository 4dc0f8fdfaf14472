"""Write a Bundle's tables back out as a CSV folder, a JSON file or an XLSX workbook.

The inverse of loading, for tests (the same data in three formats must load to equal
bundles) and for tools that generate bundles. Values are written as their exact text:
money and counts as plain decimals, dates as ISO dates, an indicator's ``value`` as it was
written (``value_text``), so that loading the output gives back the same rows.

Options for the typed formats: ``numbers=True`` writes numeric columns as JSON numbers or
numeric cells (a workbook cell only when the number survives a double exactly; otherwise
it stays text), and ``dates=True`` writes dates as real date cells in a workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

import openpyxl

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import ClaimTable, ParticipantTable
from obc_check.checker.data.columns import TABLES
from obc_check.checker.data.tables import (
    CaseloadRow,
    IndicatorRow,
    OutcomeRow,
    PaymentRow,
    SpendRow,
    SubmissionRow,
)
from obc_check.model import Period

Cell = str | int | Decimal | dt.date | None
NUMERIC = {"value", "numerator", "denominator", "amount", "actual_cost", "count", "people"}


def _row_cells(row: object) -> list[Cell]:
    if isinstance(row, IndicatorRow):
        value: Cell = row.value_text
        if value is None and row.numerator is None:
            value = row.value
        return [row.indicator, row.period.label, value, row.numerator, row.denominator]
    if isinstance(row, SubmissionRow):
        return [row.obligation, row.period.label, row.submitted_on]
    if isinstance(row, PaymentRow):
        return [row.payer, row.payee, row.invoice, row.amount, row.received_on, row.paid_on,
                row.kind, row.period]
    if isinstance(row, SpendRow):
        return [row.period.label, row.actual_cost]
    if isinstance(row, OutcomeRow):
        return [row.price, row.period.label, row.count]
    if isinstance(row, CaseloadRow):
        return [row.price, row.period.label, row.people]
    raise TypeError(f"not a bundle row: {row!r}")


def _columnar(held: ClaimTable | ParticipantTable) -> list[list[Cell]]:
    """The rows of a columnar table (claims, participants), its columns in order."""
    t = held.table
    names = [c for c in t.column_names if c != "row"]
    columns = [t.column(c).to_pylist() for c in names]
    return [list(cells) for cells in zip(*columns, strict=True)]


def tables(bundle: Bundle) -> Iterator[tuple[str, list[list[Cell]]]]:
    """Each table the bundle has (present, or with rows) as rows of typed cells."""
    for name in TABLES:
        held = getattr(bundle, name)
        if isinstance(held, ClaimTable | ParticipantTable):
            yield name, _columnar(held)
            continue
        rows: tuple[object, ...] = held or ()
        if rows or name in bundle.present:
            yield name, [_row_cells(r) for r in rows]


def text(cell: Cell) -> str:
    """A cell's exact text: ``""`` for no value, plain decimals, ISO dates."""
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def write_csv(bundle: Bundle, folder: Path) -> Path:
    """A folder with one ``<table>.csv`` per table; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables(bundle):
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(TABLES[name].columns)
            writer.writerows([text(c) for c in row] for row in rows)
    return folder


def write_json(bundle: Bundle, path: Path, numbers: bool = False) -> Path:
    """One JSON file of tables; numbers as JSON numbers when ``numbers``."""
    parts: list[str] = []
    for name, rows in tables(bundle):
        cols = TABLES[name].columns
        objs = []
        for row in rows:
            items = []
            for col, cell in zip(cols, row, strict=True):
                if cell is None:
                    value = "null"
                elif numbers and col in NUMERIC:
                    value = text(cell)
                else:
                    value = json.dumps(text(cell), ensure_ascii=False)
                items.append(f"{json.dumps(col)}: {value}")
            objs.append("    {" + ", ".join(items) + "}")
        parts.append(f"  {json.dumps(name)}: [\n" + ",\n".join(objs) + "\n  ]")
    path.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")
    return path


def _xlsx_cell(col: str, cell: Cell, numbers: bool, dates: bool) -> object:
    if cell is None:
        return None
    if dates and isinstance(cell, dt.date):
        return cell
    if numbers and col in NUMERIC and not isinstance(cell, str | dt.date):
        written = text(cell)
        if isinstance(cell, int) or written.lstrip("-").isdigit():
            return int(written)
        # a double is stored as its shortest text: exact only if that text is ours
        # (and a trailing zero such as "15.0" would be lost: keep those as text)
        if repr(float(written)) == written and not written.endswith("0"):
            return float(written)
    return text(cell)


def write_xlsx(bundle: Bundle, path: Path, numbers: bool = False, dates: bool = False) -> Path:
    """One workbook with a sheet per table; typed cells as the options say."""
    sheets: dict[str, list[list[object]]] = {}
    for name, rows in tables(bundle):
        cols = TABLES[name].columns
        header: list[object] = list(cols)
        sheets[name] = [header] + [
            [_xlsx_cell(c, v, numbers, dates) for c, v in zip(cols, row, strict=True)]
            for row in rows]
    return write_sheets(sheets, path)


def write_sheets(sheets: Mapping[str, Sequence[Sequence[object]]], path: Path) -> Path:
    """A workbook with the given sheets, each a list of rows of cell values, as given.

    For tests and tools that need workbooks with any content, bad data included.
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def content(bundle: Bundle) -> dict[str, list[tuple[object, ...]]]:
    """A bundle's rows, table by table, without where each came from (``ref``).

    Two loads of the same data from different formats (or row orders) compare equal on
    this; periods are given by label.
    """
    out: dict[str, list[tuple[object, ...]]] = {}
    for name in TABLES:
        rows: list[tuple[object, ...]] = []
        held = getattr(bundle, name)
        if isinstance(held, ClaimTable | ParticipantTable):
            out[name] = [tuple(r) for r in _columnar(held)]
            continue
        for row in held or ():
            values = (getattr(row, f.name) for f in fields(row) if f.name != "ref")
            rows.append(tuple(v.label if isinstance(v, Period) else v for v in values))
        out[name] = rows
    return out
