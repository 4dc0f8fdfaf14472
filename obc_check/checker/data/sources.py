"""What every source format hands to validation: raw tables of cell text.

A :class:`RawTable` is one table of a bundle (a CSV file, a JSON key, a sheet) after its
header has been checked: the position of each known column and an iterator of
``(row number, cells)``, where every cell is text (``""`` for an empty cell). Sources
convert their native values to text exactly (see ``source_json`` and ``source_xlsx``) so
that one set of parsers types every format the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from obc_check.checker.data.cells import did_you_mean
from obc_check.checker.data.columns import TableSpec
from obc_check.checker.data.csv_file import CsvFile
from obc_check.checker.data.origins import Origin
from obc_check.checker.data.problems import Problems

Row = tuple[int, Sequence[str]]


@dataclass
class RawTable:
    """One table: its spec, where it came from, column positions and its rows of text.

    ``index`` maps each column of the spec that the file has to its cell position; a
    column with a default that the file leaves out is absent from ``index``.

    ``csv_file`` is the whole (mapped) file, for a CSV table whose header is the first line
    and names only known columns (or any columns, for a dataset's table): the columnar
    loader, or the engine's CSV reader, may then read it in bulk (``rows`` is left unread
    unless it has to fall back).
    """

    spec: TableSpec
    origin: Origin
    index: dict[str, int]
    rows: Iterable[Row]
    csv_file: CsvFile | None = None


def check_header(spec: TableSpec, header: Sequence[str], origin: Origin,
                 problems: Problems) -> dict[str, int] | None:
    """Column positions for ``header``, reporting unknown, repeated and missing columns.

    Returns None when rows cannot be read safely (a required column missing or a column
    named twice); unknown extra columns are reported but do not stop the rows being read,
    so that their own errors are reported in the same run.
    """
    index: dict[str, int] = {}
    usable = True
    for pos, name in enumerate(header):
        if name in index:
            problems.table(origin, "D005", f"column `{name}` appears twice",
                           "give each column once", column=name)
            usable = False
        elif name in spec.columns:
            index[name] = pos
        elif spec.open:
            continue  # a dataset's extract may carry any other columns
        elif not name:
            problems.table(origin, "D005", f"column {pos + 1} has no name",
                           f"the `{spec.name}` table has columns {_names(spec.columns)}")
        else:
            missing = [c for c in spec.columns if c not in header]
            hint = did_you_mean(name, missing) or (
                f"the `{spec.name}` table has columns {_names(spec.columns)}")
            problems.table(origin, "D005", f"unknown column `{name}`", hint, column=name)
    missing = [name for name in spec.required if name not in index]
    if missing:
        listed = ", ".join(f"`{name}`" for name in missing)
        plural = "s" if len(missing) > 1 else ""
        problems.table(origin, "D004", f"the `{spec.name}` table has no {listed} column{plural}",
                       f"the `{spec.name}` table has columns {_names(spec.columns)}"
                       + (f" (`{', '.join(spec.defaults)}` may be left out)"
                          if spec.defaults else ""))
        usable = False
    return index if usable else None


def _names(columns: Sequence[str]) -> str:
    return ", ".join(columns)
