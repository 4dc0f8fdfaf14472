"""The DuckDB layer: register each dataset's table, check its records in bulk, run its query.

Thin on purpose: everything about meaning is in :mod:`.sql` and :mod:`.measures`; this
module knows how DuckDB quotes a name, which exact decimal type to use, how it moves a date
by months (``date + to_months(n)``, which clamps to the month's end), and how to hand it a
table. Nothing from a contract or a data file is pasted into SQL: the registered tables have
internal column names (``r`` for the row, ``c0``, ``c1``, … for the declared fields in order);
a Parquet file's own column names are quoted with DuckDB's rule (double quotes, doubled
inside); the file path and every value are bound parameters.

Record errors are found by one aggregate query per dataset (counts of each kind of bad cell),
and only when a kind has some, a second query fetches its first rows in row order.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
from pydantic import BaseModel

from obc_check.checker.data.csv_file import CsvFile
from obc_check.checker.data.datasets import DatasetTable
from obc_check.checker.data.problems import SHOWN_PER_CODE, Problems
from obc_check.checker.engine.measures import DatasetCounts, measures_query
from obc_check.checker.engine.sql import Dialect, Sql
from obc_check.diagnostics import Diagnostic
from obc_check.model import (
    Contract,
    Dataset,
    DaysBetween,
    FieldRef,
    Measure,
    NumberValue,
)

#: The first errors of each kind that are reported one by one; the rest are counted.
FIRST_ERRORS = SHOWN_PER_CODE
#: DuckDB's widest exact decimal.
MAX_DIGITS = 38
#: DuckDB's memory, beyond which it spills to disk (the whole check stays under 2 GB).
MEMORY_LIMIT = "1GB"
#: The widest DuckDB keeps in a 64-bit integer.
_NARROW = 18
#: Digits of the most days between two dates of four-digit years (3,652,424).
DAY_DIGITS = 7
_FLAGS_TRUE = ("true", "yes", "y", "1")
_FLAGS_FALSE = ("false", "no", "n", "0")
#: The usual spellings, tested first: ``lower`` makes a new string for every cell.
_COMMON_TRUE = ("Y", "y", "1", "true", "TRUE", "True", "yes", "Yes", "YES")
_COMMON_FALSE = ("N", "n", "0", "false", "FALSE", "False", "no", "No", "NO")


def _words(words: Sequence[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)
_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def quote(name: str) -> str:
    """A name as a DuckDB identifier: in double quotes, a quote inside doubled."""
    return '"' + name.replace('"', '""') + '"'


def _shift_months(date: Sql, months: Sql) -> Sql:
    return "CAST(" + date + " + to_months(" + months + ") AS DATE)"


def dialect(scale: int, digits: int = MAX_DIGITS) -> Dialect:
    """DuckDB with numbers as DECIMAL(digits, scale)."""
    return Dialect(quote=quote, decimal=f"DECIMAL({digits}, {scale})",
                   shift_months=_shift_months)


@dataclass(frozen=True)
class _Kind:
    """One kind of record error: its code, the column, the SQL test of a bad row."""

    code: str
    field: str
    column: str
    test: str
    message: str
    hint: str


@contextmanager
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-process DuckDB database of its own, closed afterwards."""
    # No progress bar: DuckDB would draw one on the terminal for a query of a few seconds.
    # Its memory is bounded (it spills hash tables to a temporary folder beyond that): by
    # default it may take 80% of the machine's, and people grouped over 10M records took
    # 2.5 GB at the peak.
    with tempfile.TemporaryDirectory(prefix="obc-duckdb-") as spill:
        con = duckdb.connect(":memory:")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute("SET temp_directory = ?", [spill])
        try:
            yield con
        finally:
            con.close()


@dataclass(frozen=True)
class TypedRecords:
    """A dataset's checked records in the engine, for a further query (``--evidence``).

    ``relation`` is the typed view the measures were counted over (``r`` the row, then each
    field's typed column as ``columns`` maps it); valid only during the callback.
    """

    con: duckdb.DuckDBPyConnection
    relation: str
    columns: dict[str, str]
    dataset: Dataset
    measures: dict[str, Measure]
    dialect: Dialect


def measure_datasets(contract: Contract, tables: Mapping[str, DatasetTable],
                     with_records: Callable[[TypedRecords], None] | None = None,
                     ) -> tuple[dict[str, DatasetCounts] | None, list[Diagnostic]]:
    """Check every dataset table's records, then count every measure; errors stop it.

    When every dataset is clean, ``with_records`` is called once per dataset with its typed
    records, before the connection closes (the evidence files are written so).
    """
    if not tables:  # no datasets: no database to open (20 ms of every other check)
        return {}, []
    problems = Problems()
    typed_records: list[TypedRecords] = []
    counts: dict[str, DatasetCounts] = {}
    by_dataset: dict[str, dict[str, Measure]] = {}
    for ind in contract.all_indicators():
        if ind.measure is not None:
            by_dataset.setdefault(ind.measure.dataset, {})[ind.id] = ind.measure
    with connection() as con:
        for n, (name, table) in enumerate(tables.items()):
            measures = by_dataset.get(name, {})
            found = _records(con, n, table, measures, problems)
            if found is None or problems.errors:
                continue
            relation, (digits, scale) = found
            typed, columns = _typed_view(con, n, relation, table.dataset, scale, digits,
                                         _native_columns(table))
            person = columns.get(table.dataset.person) if table.dataset.person else None
            query, read = measures_query(typed, columns, person, measures,
                                         contract.term.years, dialect(scale, digits))
            counts[name] = read(_one(con, query.text, query.params))
            typed_records.append(TypedRecords(con, typed, columns, table.dataset,
                                              by_dataset.get(name, {}), dialect(scale, digits)))
        if with_records is not None and not problems.errors:
            for records in typed_records:
                with_records(records)
    if problems.errors:
        return None, problems.diagnostics
    return counts, problems.diagnostics


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()
         ) -> Sequence[object]:
    """The one row of an aggregate query.

    Fetched whole: DuckDB 2 refuses new work on a connection while a result is unfinished.
    """
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1
    return tuple(rows[0])


def _records(con: duckdb.DuckDBPyConnection, n: int, table: DatasetTable,
             measures: Mapping[str, Measure], problems: Problems
             ) -> tuple[str, tuple[int, int]] | None:
    """The relation of the table's records (``c0``, ``c1``, …) and its decimal type.

    Every bad cell is reported first (None when the scale cannot be had). A CSV file is
    read by DuckDB's own reader when it can be (:func:`_csv_records`); otherwise, and when
    DuckDB refuses the file, by the row reader, whose cells are registered as a table.
    """
    relation = f"raw{n}"
    if table.csv is not None:
        alike = reads_alike(table.csv.file)
        table.csv.file.release()  # DuckDB reads the file itself
        if alike:
            try:
                return _csv_records(con, n, table, measures, problems)
            except _NotOneALineError:
                pass  # positions are needed, and the lines do not say them
            except duckdb.Error as err:
                if not _refused(err):
                    raise
        relation = f"rows{n}"
        con.register(relation, table.read_rows(problems))
    else:
        _register(con, relation, table)
    native = _native_columns(table)
    kinds = _kinds(table.dataset, native)
    tally = _tally(con, relation, table.dataset, kinds, native=native)
    _report(con, relation, table, kinds, tally, problems)
    scale = _scale(con, relation, "TRUE", tally, table, measures, problems)
    return None if scale is None else (relation, scale)


class _NotOneALineError(Exception):
    """Positions are needed and the file's records are not one a line: ask the row reader."""


#: Every character Python's ``str.strip`` takes away: a ragged row of only these is a blank
#: line to the row reader, skipped like an empty one.
_WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
#: DuckDB's null string, which no cell may hold: ``reads_alike`` refuses a file with it.
#: Empty cells are then read as ``''``, and only the padding of a short row is NULL.
_NULL_MARK = "\x01"


def _refused(err: duckdb.Error) -> bool:
    """True for DuckDB's CSV reader refusing a file (too many cells, bad quoting, …)."""
    return isinstance(err, duckdb.InvalidInputException) or type(err) is duckdb.Error


def reads_alike(file: CsvFile) -> bool:
    """True when DuckDB's reader gives the same cells as the row reader for this file.

    Held by a differential test of random CSV text (tests/checker/test_csv_engine.py):
    where DuckDB's reader accepts a file it reads the same rows of the same cells, but for
    a quote next to a space or tab (DuckDB trims the space, the ``csv`` module keeps it)
    and for DuckDB's null string. A file with either is read by the row reader. Byte
    searches of the mapped file, at memory speed.
    """
    if file.contains(_NULL_MARK.encode()):
        return False
    if file.contains(b'"'):
        return not any(file.contains(pair) for pair in (b' "', b'" ', b'\t"', b'"\t'))
    return True


def _csv_records(con: duckdb.DuckDBPyConnection, n: int, table: DatasetTable,
                 measures: Mapping[str, Measure], problems: Problems
                 ) -> tuple[str, tuple[int, int]] | None:
    """A CSV dataset read by DuckDB: one parallel scan checks it all.

    The file is read with one column more than its header (``x0`` … ``x{width}``) and short
    rows padded with NULL, so that a row with too few or too many cells is seen (D006, as
    the row reader says it) rather than refused; a row of more cells still makes DuckDB
    refuse the file (``InvalidInputException``: the caller falls back to the row reader).

    Positions are needed only when something is wrong. DuckDB gives no line numbers, but
    it returns rows in file order, so when the file has exactly one line per record (no
    blank lines, no line breaks inside quotes, one kind of line ending: counted in bulk)
    the record numbered *i* by ``row_number() OVER ()`` is on line *header + i*. Otherwise
    the row reader reads the file again and says where (``_NotOneALineError``).
    """
    csv = table.csv
    assert csv is not None
    ds = table.dataset
    width = csv.width
    every = f"every{n}"
    # DuckDB cannot pad short rows in parallel when a quoted cell may hold a line break.
    source = con.read_csv(
        str(csv.path), columns={f"x{j}": "VARCHAR" for j in range(width + 1)}, header=True,
        auto_detect=False, delimiter=",", quotechar='"', escapechar='"', strict_mode=True,
        null_padding=True, na_values=_NULL_MARK, parallel=not csv.file.contains(b'"'))
    cells = ", ".join(f"x{pos} AS c{i}" for i, pos in enumerate(csv.positions))
    xs = ", ".join(f"x{j}" for j in range(width + 1))
    source.project(f"{cells}, x{width} IS NULL AND x{width - 1} IS NOT NULL AS ok, "
                   f"{xs}").create_view(every)
    kinds = _kinds(ds)
    white = "'" + _WHITESPACE.replace("'", "''") + "'"
    # CASE: the trim is worked out only for a row that is not ok (AND would work it out for
    # every row: 27 s of a 10M-row scan)
    ragged = f"CASE WHEN ok THEN FALSE ELSE trim(concat({xs}), {white}) <> '' END"
    tally = _tally(con, every, ds, kinds, where="ok", ragged=ragged)
    numbered = f"numbered{n}"
    con.execute(f"CREATE TEMP VIEW {numbered} AS SELECT {csv.header_line} + "
                f"row_number() OVER () AS r, * FROM {every}")
    # Its ``r`` is the record's line when the file has a line per record (which is checked
    # only when an error needs it). A query that does not read ``r`` scans in parallel:
    # DuckDB drops the unused row number, and with it the one-thread window.
    records = f"raw{n}"
    con.execute(f"CREATE TEMP VIEW {records} AS SELECT * FROM {numbered} WHERE ok")
    if any(tally.bad) or tally.repeated or tally.ragged:
        lines = csv.file.line_count()
        csv.file.release()
        if lines != csv.header_line + tally.rows:
            raise _NotOneALineError
        count = " + ".join(f"CAST(x{j} IS NOT NULL AS INTEGER)" for j in range(width + 1))
        _report(con, numbered, table, kinds, tally, problems, where="ok",
                ragged=(ragged, count, width))
    scale = _scale(con, every, "ok", tally, table, measures, problems)
    return None if scale is None else (records, scale)


def _register(con: duckdb.DuckDBPyConnection, name: str, table: DatasetTable) -> None:
    """The table as relation ``name``: ``r`` (the row) and ``c{i}`` text per field."""
    if table.arrow is not None:
        con.register(name, table.arrow)
        return
    assert table.parquet is not None
    cols = ", ".join(f"CAST({quote(f.column)} AS VARCHAR) AS c{i}"
                     for i, f in enumerate(table.dataset.fields))
    cols += "".join(f", {quote(table.dataset.fields[i].column)} AS n{i}"
                    for i in _native_columns(table))
    source, row = _parquet_source(con, name, table)
    source.project(f"{quote(row)} + 1 AS r, {cols}").create_view(name)


def _parquet_source(con: duckdb.DuckDBPyConnection, name: str, table: DatasetTable
                    ) -> tuple[duckdb.DuckDBPyRelation, str]:
    """The Parquet file as a relation, and its column of row numbers (0 for the first).

    A view cannot be prepared with the path as a parameter; DuckDB's own reader takes it as
    a value instead (never as SQL text). Its ``file_row_number`` option adds a column of
    that name and refuses a file that already has one (an extract may: other columns are
    allowed); such a file is read by pyarrow instead, with the row numbers under a name the
    file does not use.
    """
    assert table.parquet is not None
    header = table.parquet.origin.header
    if "file_row_number" not in header:
        return con.read_parquet(str(table.parquet.path), file_row_number=True), \
            "file_row_number"
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = pq.read_table(table.parquet.path)
    row = next(n for n in (f"row_{i}" for i in range(len(header) + 1)) if n not in header)
    data = data.append_column(row, pa.array(range(data.num_rows), pa.int64()))
    con.register(f"{name}_file", data)  # the connection keeps the table alive
    return con.table(f"{name}_file"), row


_INTEGERS = {"int8": 3, "int16": 5, "int32": 10, "int64": 19, "uint8": 3, "uint16": 5,
             "uint32": 10, "uint64": 20}
_DECIMAL128 = re.compile(r"decimal128\((\d+), (\d+)\)")


def _native_columns(table: DatasetTable) -> dict[int, tuple[int, int]]:
    """The fields whose Parquet column already has the field's type, by field index.

    A date32 column of a date field, a boolean of a flag, an integer or decimal column of a
    number: nothing to check cell by cell, and DuckDB uses the values as they are. For a
    number, the most digits its type holds before the point, and its decimal places.
    """
    if table.parquet is None:
        return {}
    found: dict[int, tuple[int, int]] = {}
    for i, f in enumerate(table.dataset.fields):
        kind = table.parquet.types.get(f.column, "")
        if (f.type, kind) in (("date", "date32[day]"), ("flag", "bool")):
            found[i] = (0, 0)
        elif f.type == "number" and kind in _INTEGERS:
            found[i] = (_INTEGERS[kind], 0)
        elif f.type == "number" and (m := _DECIMAL128.fullmatch(kind)):
            found[i] = (int(m[1]) - int(m[2]), int(m[2]))
    return found


def _kinds(ds: Dataset, native: Mapping[int, object] | None = None) -> list[_Kind]:
    kinds: list[_Kind] = []
    for i, f in enumerate(ds.fields):
        c = f"c{i}"
        present = f"({c} IS NOT NULL AND {c} <> '')"
        if native and i in native:
            pass  # typed already: no cell can be bad
        elif f.type == "number":
            kinds.append(_Kind("D007", f.name, f.column,
                               f"{present} AND NOT regexp_full_match({c}, '{_NUMBER}')",
                               "is not a number", "write a decimal number like 14, 3.5 or "
                               "-2, without spaces, units or thousands separators"))
        elif f.type == "date":
            kinds.append(_Kind("D008", f.name, f.column,
                               f"{present} AND (NOT regexp_full_match({c}, '{_DATE}') "
                               f"OR TRY_CAST({c} AS DATE) IS NULL)",
                               "is not an ISO date (YYYY-MM-DD)",
                               "write a date that exists, like 2018-04-01"))
        elif f.type == "flag":
            kinds.append(_Kind("D042", f.name, f.column,
                               f"CASE WHEN {c} IN ({_words(_COMMON_TRUE + _COMMON_FALSE)}) "
                               f"THEN FALSE ELSE {present} AND lower({c}) NOT IN "
                               f"({_words(_FLAGS_TRUE + _FLAGS_FALSE)}) END",
                               "is not a flag", "write true/false, yes/no, y/n or 1/0"))
        if f.name in (ds.key, ds.person):
            role = "key" if f.name == ds.key else "person"
            kinds.append(_Kind("D021", f.name, f.column, f"NOT {present}",
                               f"is empty, but `{f.name}` is the dataset's {role}",
                               f"every record needs its {role}"))
    return kinds


def _literal_scale(measures: Mapping[str, Measure]) -> int:
    """The most decimal places of any number written in the measures' conditions."""
    return max((_places(v) for v in _nodes(measures, NumberValue)), default=0)


def _places(v: NumberValue) -> int:
    exp = v.value.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def _whole_digits(v: NumberValue) -> int:
    return len(str(abs(int(v.value)))) if abs(v.value) >= 1 else 0


def _nodes(measures: Mapping[str, Measure], kind: type[Any]) -> list[Any]:
    """Every node of type ``kind`` in the measures' trees."""
    found: list[Any] = []

    def walk(node: object) -> None:
        if isinstance(node, kind):
            found.append(node)
        elif isinstance(node, tuple):
            for item in node:
                walk(item)
        elif isinstance(node, BaseModel):
            for key in type(node).model_fields:
                walk(getattr(node, key))

    for m in measures.values():
        walk(m)
    return found


def _needed_digits(measures: Mapping[str, Measure], data: int, records: int
                   ) -> tuple[int, str]:
    """The digits before the point the measures' DECIMAL must hold, and what needs them.

    Not only the data's numbers: a number written in a condition is cast to the same type,
    so is a count of days (``days from A to B``), and a mean sums its values (at most
    ``records`` of them). Beyond 38 digits in all, DuckDB would stop with a conversion or
    overflow error; the caller reports D043 instead.
    """
    needs = [(data, "its numbers")]
    needs += [(_whole_digits(v), f"the number {format(v.value, 'f')} of a condition")
              for v in _nodes(measures, NumberValue)]
    if _nodes(measures, DaysBetween):
        needs.append((DAY_DIGITS, "a number of days (`days from ... to ...`)"))
    for m in measures.values():
        if m.shape != "mean" or m.value is None:
            continue
        each = (data if isinstance(m.value, FieldRef) else DAY_DIGITS
                if isinstance(m.value, DaysBetween) else
                _whole_digits(m.value) if isinstance(m.value, NumberValue) else 0)
        needs.append((each + len(str(records)), f"the sum of a mean over {records:,} records"))
    return max(needs, key=lambda n: n[0])


@dataclass(frozen=True)
class _Tally:
    """What one scan of a table counted, before any position is looked for.

    ``bad``: the bad cells of each kind (in ``_kinds`` order); ``repeated``: records whose
    key an earlier record has; ``scale``: the most decimal places of any number; ``digits``:
    at least as many as the most digits before the point (its longest text: cheap, and
    exact when it matters, see ``_scale``); ``rows``: every row read (ragged ones too);
    ``records``: the rows that are records (``where`` holds); ``ragged``: rows of the wrong
    number of cells (DuckDB's reader only).
    """

    bad: tuple[int, ...]
    repeated: int
    scale: int
    digits: int
    rows: int
    records: int
    ragged: int = 0


def _tally(con: duckdb.DuckDBPyConnection, relation: str, ds: Dataset, kinds: list[_Kind],
           where: str = "TRUE", ragged: str | None = None,
           native: Mapping[int, tuple[int, int]] | None = None) -> _Tally:
    """One aggregate query over the records of ``relation`` (rows ``where`` holds)."""
    aggregates = ["COUNT(*)", f"COUNT(*) FILTER (WHERE {where})",
                  f"COUNT(*) FILTER (WHERE {ragged})" if ragged else "0"]
    aggregates += [f"COUNT(*) FILTER (WHERE {where} AND {k.test})" for k in kinds]
    repeats = "0"
    if ds.key is not None:
        c = f"c{_index(ds, ds.key)}"
        present = f"{where} AND {c} IS NOT NULL AND {c} <> ''"
        repeats = (f"COUNT({c}) FILTER (WHERE {present}) - "
                   f"COUNT(DISTINCT {{}}) FILTER (WHERE {present})")
        # Distinct 64-bit hashes: a smaller, faster table than of the keys' text; a
        # collision (about one in 10^6 on 10M keys) only costs the exact count below.
        aggregates.append(repeats.format(f"hash({c})"))
    else:
        aggregates.append("0")
    for i, f in enumerate(ds.fields):
        if native and i in native:  # what its type holds
            aggregates += [str(native[i][1]), str(native[i][0])]
        elif f.type == "number":  # its places exactly, its digits before the point at most
            good = f"{where} AND regexp_full_match(c{i}, '{_NUMBER}')"
            aggregates.append(f"MAX(length(c{i}) - strpos(c{i}, '.')) FILTER (WHERE {good} "
                              f"AND strpos(c{i}, '.') > 0)")
            aggregates.append(f"MAX(length(c{i})) FILTER (WHERE {good})")
    row = [int(v or 0) for v in _one(con, f"SELECT {', '.join(aggregates)} FROM {relation}")]  # type: ignore[call-overload]
    k = len(kinds)
    if row[3 + k]:  # some keys are repeated, or two hashes met: count exactly
        c = f"c{_index(ds, ds.key)}" if ds.key else ""
        row[3 + k] = int(_one(con, f"SELECT {repeats.format(c)} FROM {relation}")[0])  # type: ignore[call-overload]
    return _Tally(bad=tuple(row[3:3 + k]), repeated=row[3 + k],
                  scale=max(row[4 + k::2], default=0), digits=max(row[5 + k::2], default=0),
                  rows=row[0], records=row[1], ragged=row[2])


def _index(ds: Dataset, name: str) -> int:
    return next(n for n, f in enumerate(ds.fields) if f.name == name)


def _report(con: duckdb.DuckDBPyConnection, relation: str, table: DatasetTable,
            kinds: list[_Kind], tally: _Tally, problems: Problems, where: str = "TRUE",
            ragged: tuple[str, str, int] | None = None) -> None:
    """Each bad cell the tally counted, the first 100 of a kind with their rows.

    One query fetches the first rows of every kind (``arg_min`` keeps the 100 lowest row
    numbers of each); a second finds repeated keys, only when there are some. ``relation``
    has ``r``, the row as the source numbers it. ``ragged`` (DuckDB's CSV reader): the test
    of a ragged row, the SQL of its number of cells and the header's width.
    """
    ds = table.dataset
    origin = table.origin
    wanted: list[tuple[_Kind | None, int]] = []  # a kind (None: ragged rows), how many
    aggregates: list[str] = []
    if ragged is not None and tally.ragged:
        test, count, _ = ragged
        wanted.append((None, tally.ragged))
        aggregates.append(f"arg_min(struct_pack(r := r, v := CAST({count} AS VARCHAR)), r, "
                          f"{FIRST_ERRORS}) FILTER (WHERE {test})")
    for kind, bad in zip(kinds, tally.bad, strict=True):
        if bad:
            wanted.append((kind, bad))
            aggregates.append(f"arg_min(struct_pack(r := r, v := c{_index(ds, kind.field)}), "
                              f"r, {FIRST_ERRORS}) FILTER (WHERE {where} AND {kind.test})")
    if aggregates:
        found = _one(con, f"SELECT {', '.join(aggregates)} FROM {relation}")
        for (want, total), first in zip(wanted, found, strict=True):
            rows = sorted((int(item["r"]), item["v"]) for item in first or ())  # type: ignore[attr-defined]
            if want is None:
                assert ragged is not None
                for r, cells in rows:
                    problems.at(origin, r, None, "D006",
                                f"has {cells} cells but the header has {ragged[2]}",
                                "each row needs one cell per column; quote cells that hold "
                                "commas")
                problems.more(origin, "D006", total - len(rows))
                continue
            for r, value in rows:
                shown = f"`{value}` " if value else ""
                problems.at(origin, r, want.column, want.code, f"{shown}{want.message}",
                            want.hint)
            problems.more(origin, want.code, total - len(rows))
    if tally.repeated:
        _repeated_keys(con, relation, table, tally.repeated, where, problems)


def _scale(con: duckdb.DuckDBPyConnection, relation: str, where: str, tally: _Tally,
           table: DatasetTable, measures: Mapping[str, Measure], problems: Problems
           ) -> tuple[int, int] | None:
    """The exact decimal type the numbers need: its digits (18 or 38) and decimal places.

    D043 and None when 38 digits cannot hold them. The tally's digits are an upper bound;
    only when it is too many are the digits before the point counted exactly (leading
    zeros, sign and decimals left out), by one more query. When 18 digits hold everything,
    DuckDB's DECIMAL(18, s) computes on 64-bit integers (38 digits need 128).
    """
    scale = max(_literal_scale(measures), tally.scale)
    widest = tally.digits
    need, why = _needed_digits(measures, widest, tally.records)
    if need + scale > MAX_DIGITS:
        exact = [f"MAX(length(ltrim(split_part(ltrim(c{i}, '-'), '.', 1), '0'))) FILTER "
                 f"(WHERE {where} AND regexp_full_match(c{i}, '{_NUMBER}'))"
                 for i, f in enumerate(table.dataset.fields) if f.type == "number"]
        widest = max(int(v or 0) for v in _one(  # type: ignore[call-overload]
            con, f"SELECT {', '.join(exact)} FROM {relation}")) if exact else 0
        need, why = _needed_digits(measures, widest, tally.records)
    if need + scale > MAX_DIGITS:
        data = need == widest
        problems.table(table.origin, "D043", f"the numbers of dataset {table.dataset.id} need "
                       f"{need} digits before the point{'' if data else f' ({why})'} and "
                       f"{scale} after it, more than the {MAX_DIGITS} an exact decimal can "
                       "hold", "check the number columns for values that are far too long"
                       + ("" if data else ", and the measures' definitions"))
        return None
    return (_NARROW if need + scale <= _NARROW else MAX_DIGITS), scale


def _repeated_keys(con: duckdb.DuckDBPyConnection, relation: str, table: DatasetTable,
                   total: int, where: str, problems: Problems) -> None:
    """D013 for each record whose key an earlier record already has (``total`` of them)."""
    ds = table.dataset
    assert ds.key is not None
    i = _index(ds, ds.key)
    column = ds.fields[i].column
    inner = (f"SELECT r, c{i} AS k, MIN(r) OVER (PARTITION BY c{i}) AS first FROM {relation} "
             f"WHERE {where} AND c{i} IS NOT NULL AND c{i} <> ''")
    first = con.execute(f"SELECT r, k, first FROM ({inner}) WHERE r <> first ORDER BY r "
                        f"LIMIT {FIRST_ERRORS}").fetchall()
    for r, key, earlier in first:
        problems.at(table.origin, int(r), column, "D013",
                    f"key `{key}` is repeated (first in row {earlier})",
                    f"`{ds.key}` is the dataset's key: each record has its own")
    problems.more(table.origin, "D013", total - len(first))


def _typed_view(con: duckdb.DuckDBPyConnection, n: int, relation: str, ds: Dataset,
                scale: int, digits: int = MAX_DIGITS,
                native: Mapping[int, object] | None = None) -> tuple[str, dict[str, str]]:
    """View ``typed{n}``: ``f{i}`` the typed value of field i (NULL when missing)."""
    parts = []
    columns: dict[str, str] = {}
    decimal = f"DECIMAL({digits}, {scale})"
    for i, f in enumerate(ds.fields):
        c = f"NULLIF(c{i}, '')"
        if native and i in native:
            expr = f"CAST(n{i} AS {decimal})" if f.type == "number" else f"n{i}"
        elif f.type == "number":
            expr = f"CAST({c} AS {decimal})"
        elif f.type == "date":
            expr = f"CAST({c} AS DATE)"
        elif f.type == "flag":
            expr = (f"CASE WHEN {c} IS NULL THEN NULL WHEN {c} IN ({_words(_COMMON_TRUE)}) "
                    f"THEN TRUE WHEN {c} IN ({_words(_COMMON_FALSE)}) THEN FALSE "
                    f"ELSE lower({c}) IN ({_words(_FLAGS_TRUE)}) END")
        else:
            expr = c
        parts.append(f"{expr} AS f{i}")
        columns[f.name] = f"f{i}"
    name = f"typed{n}"
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT r, {', '.join(parts)} FROM {relation}")
    return name, columns


__all__ = ["FIRST_ERRORS", "TypedRecords", "measure_datasets", "quote"]
