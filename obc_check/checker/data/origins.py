"""Where a table's cells stand in their file, so every error can point at the bad cell.

Each source format has its own notion of position:

- CSV: a diagnostic's span is the real line and 1-based character column of the cell, so
  ``render_text`` shows the CSV line with a caret under it (pass :func:`csv_sources` as
  ``sources``). Columns are found only when an error needs one, by re-scanning that record.
- XLSX: the span's file is ``book.xlsx[sheet]`` and its line/column are the sheet's row and
  column numbers; the message also names the cell (``D3``). There is no text line to show.
- JSON: the span is the line and column of the value (or of the row object) in the JSON
  text, found by a small positional scan of the valid document when an error needs it.

Rows are identified by the number the loader stores in ``RowRef.row``: the record's first
line for CSV, the sheet row for XLSX, the 1-based index in the table's list for JSON.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Protocol

from obc_check.diagnostics import Span

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Origin(Protocol):
    """Locates a table's rows and cells for diagnostics."""

    file: str
    sheet: str | None

    def span(self, row: int, column: str | None) -> Span | None:
        """The position of a cell (or of the row, when ``column`` is None)."""

    def where(self, row: int, column: str | None) -> str:
        """Words naming the cell for a message: ``column `amount```, ``cell D3``, …."""


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def _walk(text: str, pos: int, line: int, cell: int) -> tuple[tuple[int, int], int]:
    """The line and column of cell ``cell`` of the record at ``pos``, and where it stopped.

    The record starts on ``line``; a quoted cell may hold line breaks.
    """
    index, quoted, at_start = 0, False, True
    cur_line, line_pos = line, pos
    while pos < len(text) and index < cell:
        ch = text[pos]
        if quoted:
            if ch == '"':
                if text.startswith('"', pos + 1):
                    pos += 1
                else:
                    quoted = False
        elif ch == '"' and at_start:
            quoted = True
        elif ch == ",":
            index += 1
            at_start = True
            pos += 1
            continue
        elif ch in "\r\n":
            break
        if ch == "\n" or (ch == "\r" and not text.startswith("\n", pos + 1)):
            cur_line += 1
            line_pos = pos + 1
        at_start = False
        pos += 1
    return (cur_line, pos - line_pos + 1), pos


@dataclass
class CsvOrigin:
    """A CSV file: cells are located by re-scanning the record's text on demand.

    ``read`` gives the file's text. It is called only when a diagnostic needs a position,
    so a clean file loaded in bulk is never decoded for it.
    """

    file: str
    read: Callable[[], str]
    header: Sequence[str]
    header_line: int = 1
    sheet: str | None = None
    starts: Callable[[], Sequence[int] | None] | None = None
    """Where each line of the text starts, found faster than by :func:`_line_starts`
    (None when it cannot say)."""
    _starts: Sequence[int] | None = field(default=None, repr=False)
    line_start: Callable[[int], int | None] | None = None
    """Where a line starts in the file's bytes, found without the whole file's starts or
    text (None when it cannot say); with ``window``, the text from there
    (:meth:`~.csv_file.CsvFile.line_start`, :meth:`~.csv_file.CsvFile.window`)."""
    window: Callable[[int, int], tuple[str, bool]] | None = None

    @cached_property
    def text(self) -> str:
        """The file's text, read on first use."""
        return self.read()

    def _position(self, line: int, cell: int) -> tuple[int, int]:
        at = self.line_start(line) if self.line_start is not None else None
        if at is not None and self.window is not None:
            # The text from the line's start only: a 600 MB file is neither decoded whole
            # nor searched for every line's start to place a few bad cells.
            size = 1 << 12
            while True:
                text, last = self.window(at, size)
                found, pos = _walk(text, 0, line, cell)
                if last or pos < len(text) - 1:  # the walk ended inside the text
                    return found
                size *= 4
        if self._starts is None:
            found_starts = self.starts() if self.starts is not None else None
            self._starts = found_starts if found_starts is not None else _line_starts(self.text)
        starts = self._starts
        if not 1 <= line <= len(starts):
            return line, 1
        return _walk(self.text, int(starts[line - 1]), line, cell)[0]

    def span(self, row: int, column: str | None) -> Span:
        """The cell's line and character column (the record's start for a whole row).

        Row 0 stands for the header line.
        """
        cell = self.header.index(column) if column in self.header else 0
        line, col = self._position(row or self.header_line, cell)
        return Span(file=self.file, line=line, column=col, end_line=line, end_column=col + 1)

    def cell_span(self, row: int, cell: int) -> Span:
        """The position of the record's cell numbered ``cell`` (from 0).

        Under a header cell or beyond them all: a row of more cells than the header is
        shown at its first extra one.
        """
        line, col = self._position(row, cell)
        return Span(file=self.file, line=line, column=col, end_line=line, end_column=col + 1)

    def where(self, row: int, column: str | None) -> str:
        """``column `amount``` (the span already gives the line) or ``row 3``."""
        return f"column `{column}`" if column else f"row {row}"


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 1-based index: 1 → A, 28 → AB."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class SheetOrigin:
    """A workbook sheet: positions are the sheet's own row and column numbers."""

    file: str
    sheet: str | None
    header: Sequence[str]
    header_row: int = 1

    def span(self, row: int, column: str | None) -> Span:
        """Row and column numbers, with ``book.xlsx[sheet]`` as the file (row 0: header)."""
        row = row or self.header_row
        col = self.header.index(column) + 1 if column in self.header else 1
        return Span(file=f"{self.file}[{self.sheet}]", line=row, column=col,
                    end_line=row, end_column=col + 1)

    def where(self, row: int, column: str | None) -> str:
        """``column `amount` (cell D3)`` or ``row 3``."""
        row = row or self.header_row
        if column is None:
            return f"row {row}"
        if column in self.header:
            return f"column `{column}` (cell {column_letter(self.header.index(column) + 1)}{row})"
        return f"column `{column}` (row {row})"


class JsonPositions:
    """Line/column of each row object and each of its values in a valid JSON bundle."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.rows: dict[tuple[str, int], tuple[int, dict[str, int]]] = {}
        self.tables: dict[str, int] = {}
        self._starts: list[int] = []
        self._decoder = json.JSONDecoder()

    def offset(self, table: str, row: int, column: str | None) -> int:
        """Character offset of a value, else its row object, else its table (scans once)."""
        if not self._starts:
            self._starts = _line_starts(self.text)
            # positions are a courtesy; json.loads already accepted the document
            with contextlib.suppress(ValueError, IndexError):
                self._scan()
        offset = self.tables.get(table, 0)
        found = self.rows.get((table, row))
        if found is not None:
            offset = found[0]
            if column is not None:
                offset = found[1].get(column, offset)
        return offset

    def _ws(self, pos: int) -> int:
        text = self.text
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    def _skip_value(self, pos: int) -> int:
        return int(self._decoder.raw_decode(self.text, pos)[1])

    def _scan(self) -> None:
        text = self.text
        pos = self._ws(0)
        if text[pos] != "{":
            return
        pos = self._ws(pos + 1)
        while text[pos] == '"':
            key, pos = scanstring(text, pos + 1)
            pos = self._ws(self._ws(pos) + 1)
            self.tables.setdefault(key, pos)
            pos = self._scan_rows(key, pos) if text[pos] == "[" else self._skip_value(pos)
            pos = self._ws(pos)
            if text[pos] == ",":
                pos = self._ws(pos + 1)

    def _scan_rows(self, table: str, pos: int) -> int:
        text = self.text
        pos = self._ws(pos + 1)
        index = 0
        while text[pos] != "]":
            index += 1
            if text[pos] == "{":
                keys: dict[str, int] = {}
                self.rows.setdefault((table, index), (pos, keys))
                pos = self._ws(pos + 1)
                while text[pos] == '"':
                    key, pos = scanstring(text, pos + 1)
                    pos = self._ws(self._ws(pos) + 1)
                    keys.setdefault(key, pos)
                    pos = self._ws(self._skip_value(pos))
                    if text[pos] == ",":
                        pos = self._ws(pos + 1)
                pos += 1  # the closing brace
            else:
                self.rows.setdefault((table, index), (pos, {}))
                pos = self._skip_value(pos)
            pos = self._ws(pos)
            if text[pos] == ",":
                pos = self._ws(pos + 1)
        return pos + 1

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and character column of a character offset (after :meth:`offset`)."""
        lo, hi = 0, len(self._starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self._starts[lo] + 1


@dataclass
class JsonOrigin:
    """One table (key) of a JSON bundle."""

    file: str
    table: str
    positions: JsonPositions
    sheet: str | None = None

    def span(self, row: int, column: str | None) -> Span:
        """The value's line and column, or the row object's, or the table's."""
        offset = self.positions.offset(self.table, row, column)
        line, col = self.positions.line_col(offset)
        return Span(file=self.file, line=line, column=col, end_line=line, end_column=col + 1)

    def where(self, row: int, column: str | None) -> str:
        """``row 3 of `payments`, `amount```."""
        base = f"row {row} of `{self.table}`"
        return f"{base}, `{column}`" if column else base
