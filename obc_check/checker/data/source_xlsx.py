"""A bundle as one ``.xlsx`` workbook: one sheet per table, a header in the first row.

Cells may be real spreadsheet values or text; both are turned into the same text that a
CSV would hold, exactly:
- a number cell: openpyxl gives ``int`` for whole numbers stored without a point and
  ``float`` otherwise. A float becomes ``repr(float)``, the shortest text that reads back
  as the same double, which is the decimal the author typed (``1200000.1`` stays
  ``1200000.1``, never ``1200000.09999999986``). So a number cell's decimals are those of
  its shortest form: ``87.50`` typed as a number is ``87.5``; type it as text to keep the
  trailing zero (it matters only for the value-against-numerator rule).
- a date cell (``datetime`` at midnight, or ``date``) becomes ``YYYY-MM-DD``; a date with
  a time of day is refused as a date, not truncated.
- formulas are read as their cached results (``data_only``); an empty cell has no value.
  A formula cell *without* a cached result (a workbook written by a script and never opened
  in a spreadsheet) is an error at its cell (D080), never read as empty: an empty
  ``submitted_on`` would turn a met duty into a breach.
Rows are numbered as the sheet numbers them.

Only cells that hold something are read: the sheet's XML is streamed row by row and each
row kept as its cells with values. The sheet's declared dimension is ignored, so a stray
styled cell at XFD1048576 costs nothing (openpyxl's ``iter_rows`` pads every row of the
declared range to full width: a 5 KB workbook took ``check`` past 10 GB).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from obc_check.checker.data.cells import did_you_mean
from obc_check.checker.data.columns import TABLES, TableSpec
from obc_check.checker.data.origins import SheetOrigin, column_letter
from obc_check.checker.data.problems import Problems
from obc_check.checker.data.sources import RawTable, Row, check_header


class Formula(str):
    """The text of a formula cell that has no cached value (``=DATE(2015,7,20)``)."""

    __slots__ = ()


#: A sheet row as read: its number and its cells with values, by 1-based column.
SheetRow = tuple[int, dict[int, object]]


def sheet_rows(book: Any, sheet: Any) -> Iterator[SheetRow]:
    """Each row of ``sheet`` that holds a value, with only the cells that do.

    openpyxl's own parser reads the XML (types, shared strings, dates), streamed; only its
    padding to the declared dimension is left out. A formula cell without a cached value
    comes back as a :class:`Formula`. openpyxl's parser is an internal module: the version
    range in pyproject.toml is the one tested.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None:
                formula = element.find(FORMULA_TAG)
                # No cached value: no <v>, or an empty one that is not a text result (a
                # formula giving "" is t="str" with an empty <v>; openpyxl writes an empty
                # <v> for every formula it saves, having computed none).
                if formula is not None and (element.find(VALUE_TAG) is None
                                            or element.get("t") != "str"):
                    cell["value"] = Formula("=" + (formula.text or ""))
            return cell

    with sheet._get_source() as source:
        parser = Parser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                        date_formats=book._date_formats,
                        timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            values = {c["column"]: c["value"] for c in cells if c["value"] is not None}
            if values:
                yield number, values


def cell_text(value: object) -> str:
    """The text of a cell value, exact (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, display: str, problems: Problems,
              specs: Mapping[str, TableSpec] = TABLES) -> list[RawTable] | None:
    """The tables of a workbook, or None when it cannot be opened (reported).

    openpyxl is imported here, not with the module: it takes a tenth of a second (numpy
    among others), which every CSV or JSON check would otherwise pay at start-up.
    """
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # any failure means "not a workbook": see below
        problems.file(display, "D002", f"is not a readable .xlsx workbook ({type(err).__name__})",
                      "save it from your spreadsheet as Excel Workbook (.xlsx)")
        return None
    tables: list[RawTable] = []
    try:
        for sheet in book.worksheets:
            name = str(sheet.title)
            spec = specs.get(name)
            if spec is None:
                origin = SheetOrigin(display, name, ())
                problems.table(origin, "D003", f"unknown sheet `{name}`",
                               did_you_mean(name, specs) or
                               f"the sheets are tables: {', '.join(specs)}")
                continue
            rows = [(n, {c: v if isinstance(v, Formula) else cell_text(v)
                         for c, v in values.items()}) for n, values in sheet_rows(book, sheet)]
            table = _table(display, spec, rows, problems)
            if table is not None:
                tables.append(table)
    except Exception as err:
        # A damaged workbook can fail deep inside openpyxl, zipfile or the XML parser
        # with almost any exception type (ParseError is a SyntaxError); whichever it is,
        # the user's answer is the same: the file is not a readable workbook.
        problems.file(display, "D002", f"is not a readable .xlsx workbook ({type(err).__name__})",
                      "save it from your spreadsheet as Excel Workbook (.xlsx)")
        return None
    finally:
        book.close()
    return tables


def _table(display: str, spec: TableSpec, rows: list[tuple[int, dict[int, str]]],
           problems: Problems) -> RawTable | None:
    name = spec.name
    filled = [(n, cells) for n, cells in rows if any(c.strip() for c in cells.values())]
    if not filled:
        problems.file(f"{display}[{name}]", "D004", "is empty; a table needs a header row",
                      f"the first row names the columns: {', '.join(spec.columns)}")
        return None
    header_row, head = filled[0]
    width = max((c for c, v in head.items() if v.strip()), default=0)
    header = [head.get(c, "").strip() for c in range(1, width + 1)]
    origin = SheetOrigin(display, name, header, header_row)
    for column, value in sorted(head.items()):
        if isinstance(value, Formula):
            _formula(origin, header_row, column, value, problems)
    index = check_header(spec, header, origin, problems)
    if index is None:
        return None
    out: list[Row] = []
    for n, cells in filled[1:]:
        formulas = sorted((c, v) for c, v in cells.items() if isinstance(v, Formula))
        for column, value in formulas:
            _formula(origin, n, column, value, problems)
        extra = sorted(c for c, v in cells.items() if c > width and v.strip())
        if extra:  # reported, and the row's own cells are still checked
            problems.at(origin, n, None, "D006",
                        f"has a value in column {column_letter(extra[0])}, which has no "
                        "header", "name the column in row 1, or clear the cell")
        if formulas:
            continue  # reported at its cell; the row's value is unknown, not empty
        out.append((n, [cells.get(c, "") for c in range(1, width + 1)]))
    return RawTable(spec, origin, index, out)


def _formula(origin: SheetOrigin, row: int, column: int, formula: str,
             problems: Problems) -> None:
    """D080: a formula cell without a computed value, at its cell."""
    shown = formula if len(formula) <= 60 else formula[:59] + "…"
    name = origin.header[column - 1] if column <= len(origin.header) else None
    where = "" if name else f"cell {column_letter(column)}{row}: "
    problems.at(origin, row, name or None, "D080",
                f"{where}holds the formula `{shown}` without a computed value",
                "open and save the workbook in Excel or LibreOffice so the value is computed, "
                "or write the value itself")
