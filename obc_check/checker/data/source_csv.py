"""A bundle folder of CSV files: UTF-8 (a BOM is allowed), comma-separated, header row.

A file is memory-mapped, not read: a payments ledger can be tens of megabytes, and when it
is plainly valid the columnar loader (``columnar_csv``) parses it straight from the mapped
bytes, so its text is never copied or decoded in Python at all. The bytes are checked to be
UTF-8 up front (pyarrow's validator, a few milliseconds for 60 MB; a clear error with the
line otherwise), and the header is read from the first line alone when that line is plain.

The text is decoded only when someone needs it: the row validator (the ``rows`` of the
table, parsed with the ``csv`` module, which is fast and handles quoting, from lines cut a
block at a time), or a diagnostic that points at a cell. Rows are produced lazily so that a
million-row file is typed row by row without holding a second copy of its cells. Blank lines
are skipped; a row whose cell count differs from the header's is reported (D006), never
guessed at.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from obc_check.checker.data.columns import TableSpec
from obc_check.checker.data.csv_file import CsvFile
from obc_check.checker.data.origins import CsvOrigin
from obc_check.checker.data.problems import Problems
from obc_check.checker.data.sources import RawTable, Row, check_header

# The csv module refuses fields over 128 KiB by default; a data cell is never that long,
# but the error should come from us, with a position, not as a crash.
csv.field_size_limit(1 << 20)


def read_text(path: Path, display: str, problems: Problems) -> str | None:
    """The UTF-8 text of a bundle file, or None after reporting why it cannot be read."""
    file = open_file(path, display, problems)
    return None if file is None else file.text


def open_file(path: Path, display: str, problems: Problems) -> CsvFile | None:
    """A bundle file's bytes, checked to be UTF-8; None after reporting why it cannot be used."""
    try:
        file = CsvFile.map(path)
    except (OSError, ValueError) as err:
        problems.file(display, "D002", f"cannot be read: {_reason(err)}",
                      "check the path and the permissions")
        return None
    bad = file.utf8_error()
    if bad is not None:
        raw, error = bad
        line = raw[: error.start].count(b"\n") + 1
        problems.file(display, "D002",
                      f"is not UTF-8 text (byte 0x{raw[error.start]:02x} on line {line})",
                      "save the file as UTF-8 (in Excel: CSV UTF-8)")
        return None
    return file


def _reason(err: Exception) -> str:
    return (err.strerror if isinstance(err, OSError) and err.strerror else str(err)) or \
        type(err).__name__


def read_csv(path: Path, display: str, spec: TableSpec, problems: Problems) -> RawTable | None:
    """One CSV table, or None when the file or its header cannot be used (reported)."""
    file = open_file(path, display, problems)
    if file is None:
        return None
    first = file.plain_header()
    if first is not None:
        cells = next(csv.reader([first]), [])
        if any(c.strip() for c in cells):
            return _table(file, spec, [c.strip() for c in cells], 1, display, problems)
    reader = csv.reader(_lines(file.text))
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                return _table(file, spec, [c.strip() for c in cells], reader.line_num,
                              display, problems)
    except csv.Error as err:
        problems.file(display, "D006", f"line {reader.line_num}: not valid CSV ({err})")
        return None
    problems.file(display, "D004", "is empty; a table needs a header row",
                  f"the first line names the columns: {', '.join(spec.columns)}")
    return None


def _table(file: CsvFile, spec: TableSpec, header: list[str], header_line: int, display: str,
           problems: Problems) -> RawTable | None:
    """The table whose header (on ``header_line``) is ``header``, its rows read lazily."""
    origin = CsvOrigin(display, lambda: file.text, header, header_line=header_line,
                       starts=file.line_starts, line_start=file.line_start, window=file.window)
    index = check_header(spec, header, origin, problems)
    if index is None:
        return None
    return RawTable(spec, origin, index, csv_rows(file, header_line, len(header), origin, problems),
                    csv_file=file if header_line == 1 and (spec.open or len(index) == len(header))
                    else None)


def _lines(text: str, block: int = 1 << 20) -> Iterator[str]:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` gives them, block by block.

    A block is about ``block`` characters. One StringIO of a whole 60 MB file would hold it
    at four bytes a character (240 MB) for as long as the rows are read. Blocks end just
    after a LF, so no CR LF pair and no line is split.
    """
    start = 0
    while start < len(text):
        end = text.find("\n", start + block)
        end = len(text) if end < 0 else end + 1
        yield from io.StringIO(text[start:end], newline="")
        start = end


def csv_rows(file: CsvFile, header_line: int, width: int, origin: CsvOrigin,
             problems: Problems) -> Iterator[Row]:
    """The rows after the header, as ``(first line, cells)``; the text is decoded here.

    The row reader: every CSV table is read by it, except a dataset's that DuckDB's own
    reader can take (``checker/engine/duck.py``), which falls back to it for a file DuckDB
    refuses or reads differently.
    """
    reader = csv.reader(_lines(file.text))
    try:
        while reader.line_num < header_line:  # the header, and blank lines before it
            next(reader)
    except (StopIteration, csv.Error):  # pragma: no cover - read_csv parsed these already
        return
    line_num = reader.line_num
    try:
        for cells in reader:
            start = line_num + 1
            line_num = reader.line_num
            if len(cells) == width:
                yield start, cells
            elif any(c.strip() for c in cells):
                problems.at(origin, start, None, "D006",
                            f"has {len(cells)} cells but the header has {width}",
                            "each row needs one cell per column; quote cells that hold commas",
                            cell=width if len(cells) > width else None)
    except csv.Error as err:
        problems.at(origin, line_num + 1, None, "D006", f"not valid CSV ({err})")
