"""The rows of a plain CSV file's bad records, found in parallel: pyarrow reads, DuckDB tests.

DuckDB's CSV reader gives no line numbers. When the one scan finds bad cells, the engine
numbers the records with ``row_number() OVER ()``, which DuckDB works out on one thread:
3.8 s of a 10M-record file, beside a 4.2 s scan on two. For a *plain* file it does not have
to: with no quote character anywhere, one line per record (checked by the caller) and no
ragged rows, the file's lines are its records, and pyarrow's CSV reader, in parallel, reads
the same cells in file order, so the row of each is its place. Only the columns the bad
kinds test are read (every cell as text, as DuckDB's reader gives it: no quoting, no null
values), a piece of the file at a time (bounded memory), and each piece is tested by the
very SQL of the numbered pass (the checks view, the same ``arg_min`` aggregates) over the
piece registered in DuckDB, with its row numbers as a column.

Trusted only when it agrees with the scan: the records read must be the scan's, and the bad
cells of each kind found its counts (all of them, or, when the first 100 of every kind are
found before the end, no more than it counted). pyarrow refusing the piece, or any
difference, and the caller numbers the records as before (None): the diagnostics are
never different, only found sooner. Held by a differential test (tests/checker/
test_placing.py) that runs both ways over random files with bad cells of every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import duckdb

from obc_check.checker.data.datasets import CsvTable
from obc_check.checker.engine import search

if TYPE_CHECKING:
    import pyarrow as pa

#: Off: always the numbered pass (the tests compare the two).
ENABLED = True
#: The bytes of a piece of the file read at a time: 32 MB, a tenth of a second or so.
PIECE = 1 << 25
#: The bytes pyarrow gives one thread at a time (its blocks of a piece).
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Placed:
    """What the pieces found: the first rows of each kind, and every record's key.

    ``firsts`` as DuckDB's ``arg_min`` gives them, merged over the pieces; ``keys``: the
    relation of every record's row and key (None: no key asked for).
    """

    firsts: tuple[list[dict[str, object]], ...]
    keys: str | None


def plain(csv: CsvTable, rows: int, records: int, ragged: int) -> bool:
    """True when the file's records can be placed by pyarrow (the lines checked already).

    No quote character anywhere (a quoted cell may hold a comma or a line break), no ragged
    row, no line that is not a record (DuckDB's line of blanks).
    """
    return ENABLED and not csv.file.contains(b'"') and not ragged and rows == records


def place(con: duckdb.DuckDBPyConnection, n: int, csv: CsvTable, fields: int,
          tested: Sequence[int], key: int | None, rows: int,
          checks: Callable[[str], str], aggregates: Sequence[str], tests: Sequence[str],
          totals: Sequence[int], first: int,
          values: Sequence[tuple[str, ...] | None] = ()) -> Placed | None:
    """The first ``first`` rows of each bad kind of a plain file, or None (numbered pass).

    Each kind's ``aggregates`` (its first rows over ``checks(relation)``, as the numbered
    pass gives them) reads the field ``tested`` names (an index of ``fields``); ``tests``:
    each kind's test, ``totals`` as the scan counted; ``key``: the field whose values and
    rows are kept for the repeated keys (the relation of :class:`Placed`). A kind whose
    first rows are all found is no longer read or tested; when none is left (and no key
    is asked for), neither is the rest of the file.

    ``values``: each kind's bad texts, when the scan knew them all (None: not known). When
    every kind's are known (and no key is asked for), only the records with such a text in
    the kind's column are tested, not every record of each piece (the tests of every
    record were 0.8 s of a 10M-record file, the pick of those few 0.1 s). The same
    records' cells as the tests of every record find: in a plain file pyarrow reads each
    cell's text as DuckDB did (which the early end relies on too, and the counts check).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    start = csv.file.line_start(csv.header_line + 1)
    pieces = csv.file.pieces(start, PIECE) if start is not None else None
    if start is None or pieces is None:
        return None
    names = [f"x{j}" for j in range(csv.width)]
    read = pacsv.ReadOptions(column_names=names, use_threads=True, block_size=_BLOCK)
    parse = pacsv.ParseOptions(delimiter=",", quote_char=False, double_quote=False,
                               escape_char=False, newlines_in_values=False,
                               ignore_empty_lines=False)
    piece, placed = f"piece{n}", f"placed{n}"
    found: list[list[dict[str, object]]] = [[] for _ in aggregates]
    seen = [0] * len(aggregates)
    asked: list[list[int]] = []  # the kinds the views and the query are for
    made: list[tuple[pacsv.ConvertOptions, str, str]] = []  # their reading, view and query

    def cells(buffer: pa.Buffer, active: list[int]) -> pa.Table:
        """The piece's cells of the ``active`` kinds' columns (and the key's), as text."""
        if asked != [active]:
            asked[:] = [active]
            read_fields = sorted({*(tested[k] for k in active),
                                  *(() if key is None else (key,))})
            columns = [names[csv.positions[i]] for i in read_fields]
            convert = pacsv.ConvertOptions(
                include_columns=columns, column_types=dict.fromkeys(columns, pa.string()),
                null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False,
                check_utf8=False)  # the loader checked the whole file (D002)
            cells = ", ".join(f"{names[csv.positions[i]]} AS c{i}" if i in read_fields else
                              f"CAST(NULL AS VARCHAR) AS c{i}" for i in range(fields))
            parts = [aggregates[k] for k in active]
            parts += [f"COUNT(*) FILTER (WHERE {tests[k]})" for k in active]
            made[:] = [(convert, f"CREATE OR REPLACE TEMP VIEW {placed} AS SELECT r, "
                                 f"{cells}, TRUE AS ok FROM {piece}",
                        f"SELECT COUNT(*){''.join(', ' + a for a in parts)} FROM ")]
        return pacsv.read_csv(pa.BufferReader(buffer), read_options=read,
                              parse_options=parse, convert_options=made[0][0])

    def test(table: pa.Table, active: list[int]) -> None:
        """The first bad rows of each ``active`` kind among the table's, and their count."""
        con.register(piece, table)
        convert, view, query = made[0]
        if view:  # the view binds the name: each piece is registered under it
            con.execute(view)
            made[:] = [(convert, "", query + checks(placed))]
        row = con.execute(made[0][2]).fetchall()[0]
        for k, items, count in zip(active, row[1:1 + len(active)], row[1 + len(active):],
                                   strict=True):
            found[k] += list(items or ())
            seen[k] += int(count)

    def firsts() -> tuple[list[dict[str, object]], ...]:
        return tuple(sorted(f, key=lambda item: int(item["r"]))[:first]  # type: ignore[call-overload]
                     for f in found)

    known = key is None and len(values) == len(totals) and all(v is not None for v in values)
    if known:  # first the lines that hold the bad texts, if they can be found on their own
        lines = search.lines_with(csv.file, start, [t for v in values for t in v or ()])
        everyone = list(range(len(totals)))
        if lines is not None:
            try:
                table = cells(pa.py_buffer(lines.text), everyone)
            except pa.ArrowException:
                table = None
            if table is not None and table.num_rows == len(lines.numbers):
                test(table.append_column("r", pa.array(lines.numbers, pa.int64())), everyone)
                con.unregister(piece)
                if list(seen) == list(totals):  # every bad cell is on a line found
                    return Placed(firsts(), None)
            found[:] = [[] for _ in aggregates]  # not all: every cell is read instead
            seen[:] = [0] * len(aggregates)
    keys: list[pa.Table] = []
    done = 0  # records read so far
    complete = True
    wanted = [min(t, first) for t in totals]
    for buffer in pieces:
        active = [k for k, (s, t) in enumerate(zip(seen, wanted, strict=True)) if s < t]
        if not active and key is None:
            complete = False  # the first of every kind are found: no later row comes first
            break
        try:
            table = cells(buffer, active)
        except pa.ArrowException:
            return None  # refused (a row of other cells than the header's): numbered pass
        lengths = [len(c) for c in table.column(0).chunks]
        bounds = np.cumsum([0, *lengths]) + done + csv.header_line + 1
        table = table.append_column("r", pa.chunked_array(
            [np.arange(a, b, dtype=np.int64) for a, b in pairwise(bounds)], pa.int64()))
        done += table.num_rows
        if known:
            table = table.filter(_having(table, [
                (names[csv.positions[tested[k]]], values[k] or ()) for k in active]))
        test(table, active)
        if key is not None:
            keys.append(pa.table({"r": table.column("r"),
                                  "k": table.column(names[csv.positions[key]])}))
    con.unregister(piece)
    # What the scan counted, or the numbered pass: every record read when the whole file
    # was; of each kind, all its bad cells, or at least the first rows and no more than it
    # counted (no later row is tested once those are found).
    if done != rows if complete else done > rows:
        return None
    if not all(w <= s <= t for s, w, t in zip(seen, wanted, totals, strict=True)):
        return None
    relation = None
    if key is not None:
        con.register(f"keys{n}", pa.concat_tables(keys) if keys else pa.table(
            {"r": pa.array([], pa.int64()), "k": pa.array([], pa.string())}))
        relation = f"placed_keys{n}"
        con.execute(f"CREATE OR REPLACE TEMP VIEW {relation} AS SELECT r, k AS c{key}, "
                    f"TRUE AS ok FROM keys{n}")
    return Placed(firsts(), relation)


def _having(table: pa.Table, texts: Sequence[tuple[str, tuple[str, ...]]]
            ) -> pa.ChunkedArray:
    """Which rows of ``table`` have one of the texts in the column named beside them."""
    import pyarrow.compute as pc

    mask = None
    for column, options in texts:
        for text in options:
            hit = pc.equal(table.column(column), text)
            mask = hit if mask is None else pc.or_(mask, hit)
    assert mask is not None  # a kind the scan counted has a text
    return mask
