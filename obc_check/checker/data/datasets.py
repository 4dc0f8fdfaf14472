"""A dataset's table of records (RECORDS.md, Datasets), as the data layer hands it on.

The data layer finds the table (``REFERRALS.csv`` or ``REFERRALS.parquet`` in a folder, key
``"REFERRALS"`` in a JSON bundle, sheet ``REFERRALS`` in a workbook) and checks its header:
every declared field's column is there, other columns are ignored. It does not type the
records one by one: a dataset may hold tens of millions of them, so the engine
(``checker/engine``) reads and checks them in bulk and reports each bad cell through the
table's :class:`~obc_check.checker.data.origins.Origin`.

- a CSV file whose header is its first line is handed on unread, as a :class:`CsvTable`:
  the engine reads it with DuckDB's own CSV reader (in parallel, never a Python loop over
  records) and falls back to the row reader here (:meth:`DatasetTable.read_rows`) for a
  file DuckDB refuses or might read differently, so rows, positions and diagnostics are
  exactly those of the other tables (a CSV row is the line its record starts on);
- JSON and XLSX tables (and a CSV whose header is not on its first line) arrive as the
  same :class:`~.sources.RawTable` of cell text as the five tables do, and are read now;
- a Parquet file is described by :class:`ParquetTable` (path and column types, read from its
  footer by pyarrow); a floating-point column for a number field is refused here, since it
  cannot hold exact decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obc_check.checker.data.csv_file import CsvFile
from obc_check.checker.data.origins import CsvOrigin, Origin
from obc_check.checker.data.problems import Problems
from obc_check.checker.data.source_csv import csv_rows
from obc_check.checker.data.sources import RawTable, Row
from obc_check.diagnostics import Span
from obc_check.model import Dataset


@dataclass
class ParquetOrigin:
    """A Parquet file: rows are numbered from 1 in file order, columns by name."""

    file: str
    header: tuple[str, ...]
    sheet: str | None = None

    def span(self, row: int, column: str | None) -> Span:
        """Row number and column position (there is no text line to show)."""
        col = self.header.index(column) + 1 if column in self.header else 1
        return Span(file=self.file, line=max(row, 1), column=col, end_line=max(row, 1),
                    end_column=col + 1)

    def where(self, row: int, column: str | None) -> str:
        """``row 3, column `age```."""
        return f"row {row}, column `{column}`" if column else f"row {row}"


@dataclass(frozen=True)
class ParquetTable:
    """A dataset's Parquet file whose columns were found and are of usable types."""

    dataset: Dataset
    path: Path
    origin: ParquetOrigin
    types: dict[str, str]
    """Column name → its Arrow type, as pyarrow names it (``string``, ``date32[day]``…)."""


@dataclass(frozen=True)
class CsvTable:
    """A dataset's CSV file, header checked (on line 1), records not yet read.

    ``width`` is the number of columns of the header, ``positions`` the cell position of
    each declared field, in field order.
    """

    file: CsvFile
    path: Path
    width: int
    positions: tuple[int, ...]
    header_line: int = 1


@dataclass(frozen=True)
class DatasetTable:
    """A dataset's table in the bundle, ready for the engine.

    ``arrow`` (JSON, XLSX, some CSV): column ``r`` the row number as the source counts it,
    then ``c0``, ``c1``, … the text of each declared field's cell (None when empty), in
    field order; or ``csv`` / ``parquet``: the file, which the engine reads itself.
    """

    dataset: Dataset
    origin: Origin
    arrow: Any = None
    parquet: ParquetTable | None = None
    csv: CsvTable | None = None

    @classmethod
    def of_raw(cls, dataset: Dataset, raw: RawTable) -> DatasetTable:
        """The table of a CSV file DuckDB may read, or else its cells, read now.

        Read now, a table's row errors (D006) are reported with the bundle's.
        """
        if raw.csv_file is not None and raw.csv_file.path is not None and isinstance(
                raw.origin, CsvOrigin):
            positions = tuple(raw.index[f.column] for f in dataset.fields)
            return cls(dataset, raw.origin, csv=CsvTable(
                raw.csv_file, raw.csv_file.path, len(raw.origin.header), positions,
                raw.origin.header_line))
        return cls(dataset, raw.origin, arrow=_arrow(dataset, raw.index, raw.rows))

    @classmethod
    def of_parquet(cls, table: ParquetTable) -> DatasetTable:
        """A Parquet file's table."""
        return cls(table.dataset, table.origin, parquet=table)

    def read_rows(self, problems: Problems) -> Any:
        """A CSV table's cells read by the row reader, as ``arrow``; D006 into ``problems``.

        The engine's fallback for a file DuckDB's reader refuses (a ragged or badly quoted
        row) or might read differently; the row reader then says what is wrong, where.
        """
        csv = self.csv
        assert csv is not None and isinstance(self.origin, CsvOrigin)
        rows = csv_rows(csv.file, csv.header_line, csv.width, self.origin, problems)
        index = {f.column: pos for f, pos in zip(self.dataset.fields, csv.positions,
                                                  strict=True)}
        return _arrow(self.dataset, index, rows)


def _arrow(dataset: Dataset, index: dict[str, int], source: Iterable[Row]) -> Any:
    """Column ``r`` (row numbers) and ``c0``, ``c1``, … (each field's cell text or None)."""
    import pyarrow as pa

    positions = [index[f.column] for f in dataset.fields]
    rows: list[int] = []
    cols: list[list[str | None]] = [[] for _ in positions]
    for number, cells in source:
        rows.append(number)
        for col, pos in zip(cols, positions, strict=True):
            col.append(cells[pos] or None)
    arrays = {"r": pa.array(rows, type=pa.int64())}
    for i, col in enumerate(cols):
        arrays[f"c{i}"] = pa.array(col, type=pa.string())
    return pa.table(arrays)


def read_parquet(path: Path, display: str, dataset: Dataset,
                 problems: Problems) -> ParquetTable | None:
    """The Parquet file's columns checked against the dataset; None after an error."""
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as err:  # any failure means "not a Parquet file"
        problems.file(display, "D002", f"is not a readable Parquet file ({type(err).__name__})",
                      "write the extract as Parquet, or as CSV with a header row")
        return None
    names = tuple(schema.names)
    origin = ParquetOrigin(display, names)
    # by position: a file may name two columns alike (schema.field(name) is a KeyError then)
    kinds = dict(zip(names, schema.types, strict=True))
    types = {n: str(t) for n, t in kinds.items()}
    ok = True
    for column in dict.fromkeys(f.column for f in dataset.fields):
        if names.count(column) > 1:
            problems.table(origin, "D005", f"column `{column}` appears twice",
                           "give each column once: which of the two is meant?", column=column)
            ok = False
    missing = [f.column for f in dataset.fields if f.column not in names]
    if missing:
        listed = ", ".join(f"`{c}`" for c in dict.fromkeys(missing))
        problems.table(origin, "D004", f"the `{dataset.id}` table has no {listed} column"
                       f"{'s' if len(missing) > 1 else ''}",
                       f"dataset {dataset.id} reads the columns "
                       f"{', '.join(f.column for f in dataset.fields)}")
        ok = False
    for f in dataset.fields:
        kind = types.get(f.column)
        if kind is None:
            continue
        if f.type == "number" and (kind.startswith(("float", "double", "halffloat"))):
            problems.table(origin, "D041", f"column `{f.column}` is a floating-point column "
                           f"({kind}), which cannot hold exact decimals",
                           "write the number field as an integer or decimal column (or as "
                           "text holding decimals)", column=f.column)
            ok = False
        elif _too_wide(kinds[f.column]):
            problems.table(origin, "D043", f"column `{f.column}` is a decimal of more than "
                           f"{MAX_DECIMAL_DIGITS} digits ({kind}), which DuckDB reads as "
                           "floating point, so its decimals would not be exact",
                           f"write the column as a decimal of at most {MAX_DECIMAL_DIGITS} "
                           "digits, or as text holding decimals", column=f.column)
            ok = False
    return ParquetTable(dataset, path, origin, types) if ok else None


#: The widest decimal the engine holds exactly; DuckDB reads a wider Parquet decimal as DOUBLE.
MAX_DECIMAL_DIGITS = 38


def _too_wide(kind: Any) -> bool:
    """A decimal column of more digits than an exact decimal holds (pyarrow's decimal256)."""
    import pyarrow as pa

    return bool(pa.types.is_decimal(kind) and kind.precision > MAX_DECIMAL_DIGITS)
