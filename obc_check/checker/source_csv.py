"""A bundle folder of CSV files: UTF-8 (a BOM is allowed), comma-separated, header row.

Each file is read whole and decoded once (a clear error for non-UTF-8 bytes, with the
line), then parsed with the ``csv`` module, which is fast and handles quoting, from lines
cut a block at a time (``_lines``). Rows are
produced lazily so that a million-row file is typed row by row without holding a second
copy of its cells. Blank lines are skipped; a row whose cell count differs from the
header's is reported (D006), never guessed at.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from obc_check.checker.columns import TableSpec
from obc_check.checker.origins import CsvOrigin
from obc_check.checker.problems import Problems
from obc_check.checker.sources import RawTable, Row, check_header

# The csv module refuses fields over 128 KiB by default; a data cell is never that long,
# but the error should come from us, with a position, not as a crash.
csv.field_size_limit(1 << 20)


def read_text(path: Path, display: str, problems: Problems) -> str | None:
    """The UTF-8 text of a bundle file, or None after reporting why it cannot be read."""
    data = read_bytes(path, display, problems)
    return None if data is None else decode(data, display, problems)


def read_bytes(path: Path, display: str, problems: Problems) -> bytes | None:
    """The bytes of a bundle file, or None after reporting why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as err:
        problems.file(display, "D002", f"cannot be read: {err.strerror or err}",
                      "check the path and the permissions")
        return None


def decode(data: bytes, display: str, problems: Problems) -> str | None:
    """``data`` as UTF-8 text (a BOM is dropped), or None after reporting the bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.file(display, "D002",
                      f"is not UTF-8 text (byte 0x{data[err.start]:02x} on line {line})",
                      "save the file as UTF-8 (in Excel: CSV UTF-8)")
        return None


def read_csv(path: Path, display: str, spec: TableSpec, problems: Problems) -> RawTable | None:
    """One CSV table, or None when the file or its header cannot be used (reported)."""
    data = read_bytes(path, display, problems)
    text = None if data is None else decode(data, display, problems)
    if data is None or text is None:
        return None
    reader = csv.reader(_lines(text))
    header: list[str] | None = None
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                header = [c.strip() for c in cells]
                break
    except csv.Error as err:
        problems.file(display, "D006", f"line {reader.line_num}: not valid CSV ({err})")
        return None
    if header is None:
        problems.file(display, "D004", "is empty; a table needs a header row",
                      f"the first line names the columns: {', '.join(spec.columns)}")
        return None
    origin = CsvOrigin(display, text, header, header_line=reader.line_num)
    index = check_header(spec, header, origin, problems)
    if index is None:
        return None
    return RawTable(spec, origin, index, _rows(reader, len(header), origin, problems),
                    csv_bytes=data if reader.line_num == 1 and len(index) == len(header)
                    else None)


def _lines(text: str, block: int = 1 << 20) -> Iterator[str]:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` gives them, block by block.

    A block is about ``block`` characters. One StringIO of a whole 60 MB file would hold it
    at four bytes a character (240 MB) for as long as the rows are read, and would be built
    even when only the header is read (the columnar path reads the rest). Blocks end just
    after a LF, so no CR LF pair and no line is split.
    """
    start = 0
    while start < len(text):
        end = text.find("\n", start + block)
        end = len(text) if end < 0 else end + 1
        yield from io.StringIO(text[start:end], newline="")
        start = end


def _rows(reader: Iterator[list[str]], width: int, origin: CsvOrigin,
          problems: Problems) -> Iterator[Row]:
    line_num = reader.line_num  # type: ignore[attr-defined]
    try:
        for cells in reader:
            start = line_num + 1
            line_num = reader.line_num  # type: ignore[attr-defined]
            if len(cells) == width:
                yield start, cells
            elif any(c.strip() for c in cells):
                problems.at(origin, start, None, "D006",
                            f"has {len(cells)} cells but the header has {width}",
                            "each row needs one cell per column; quote cells that hold commas")
    except csv.Error as err:
        problems.at(origin, line_num + 1, None, "D006", f"not valid CSV ({err})")
