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
Rows are numbered as the sheet numbers them.
"""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from pathlib import Path

from obc_check.checker.data.cells import did_you_mean
from obc_check.checker.data.columns import TABLES
from obc_check.checker.data.origins import SheetOrigin, column_letter
from obc_check.checker.data.problems import Problems
from obc_check.checker.data.sources import RawTable, Row, check_header


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


def read_xlsx(path: Path, display: str, problems: Problems) -> list[RawTable] | None:
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
            spec = TABLES.get(name)
            if spec is None:
                origin = SheetOrigin(display, name, ())
                problems.table(origin, "D003", f"unknown sheet `{name}`",
                               did_you_mean(name, TABLES) or
                               f"the sheets are tables: {', '.join(TABLES)}")
                continue
            rows = [(n, [cell_text(v) for v in values])
                    for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
            table = _table(display, name, rows, problems)
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


def _table(display: str, name: str, rows: list[tuple[int, list[str]]],
           problems: Problems) -> RawTable | None:
    spec = TABLES[name]
    filled = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not filled:
        problems.file(f"{display}[{name}]", "D004", "is empty; a table needs a header row",
                      f"the first row names the columns: {', '.join(spec.columns)}")
        return None
    header_row, header = filled[0]
    header = [c.strip() for c in header]
    while header and not header[-1]:
        header.pop()
    origin = SheetOrigin(display, name, header, header_row)
    index = check_header(spec, header, origin, problems)
    if index is None:
        return None
    width = len(header)
    out: list[Row] = []
    for n, cells in filled[1:]:
        extra = [i for i in range(width, len(cells)) if cells[i].strip()]
        if extra:  # reported, and the row's own cells are still checked
            problems.at(origin, n, None, "D006",
                        f"has a value in column {column_letter(extra[0] + 1)}, which has no "
                        "header", "name the column in row 1, or clear the cell")
        out.append((n, cells[:width] + [""] * (width - len(cells))))
    return RawTable(spec, origin, index, out)
