"""The DuckDB layer: register each dataset's table, check its records in bulk, run its query.

Thin on purpose: everything about meaning is in :mod:`.sql` and :mod:`.measures`; this
module knows how DuckDB quotes a name, which exact decimal type to use, how it moves a date
by months (``date + to_months(n)``, which clamps to the month's end), and how to hand it a
table. Nothing from a contract or a data file is pasted into SQL: the registered tables have
internal column names (``r`` for the row, ``c0``, ``c1``, … for the declared fields in order);
a Parquet file's own column names are quoted with DuckDB's rule (double quotes, doubled
inside); the file path and every value are bound parameters.

One scan per dataset checks its records and counts its measures (:func:`_scan`): the
checks are extra figures of the measures' query, over a view of typed values and good-cell
flags, at a decimal type guessed before the data's numbers are known (used only when the
scan shows it held them all). Repeated keys are counted in the same scan, by their hashes,
and again exactly only when some hashes repeat. Only when
something is wrong, one more query fetches the first bad rows of each kind in row order.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from typing import Any

import duckdb
from pydantic import BaseModel

from obc_check.checker.data.csv_file import CsvFile
from obc_check.checker.data.datasets import DatasetTable
from obc_check.checker.data.problems import SHOWN_PER_CODE, Problems
from obc_check.checker.engine import placing
from obc_check.checker.engine.measures import DatasetCounts, Extra, measures_query
from obc_check.checker.engine.sql import Dialect, Sql
from obc_check.diagnostics import Diagnostic
from obc_check.model import (
    Contract,
    ContractYear,
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
#: The decimal places of the first scan's type, at least (:func:`_guess_places`).
_GUESS_PLACES = 2
#: The most text number columns whose places and lengths the first scan groups by
#: (:func:`_scan`).
_GROUPED_NUMBERS = 2
#: Digits of the most days between two dates of four-digit years (3,652,424).
DAY_DIGITS = 7
#: The first and last days a date cell can hold (YYYY-MM-DD).
FIRST_DAY, LAST_DAY = "0001-01-01", "9999-12-31"
_FLAGS_TRUE = ("true", "yes", "y", "1")
_FLAGS_FALSE = ("false", "no", "n", "0")
#: The usual spellings, tested first: ``lower`` makes a new string for every cell.
_COMMON_TRUE = ("Y", "y", "1", "true", "TRUE", "True", "yes", "Yes", "YES")
_COMMON_FALSE = ("N", "n", "0", "false", "FALSE", "False", "no", "No", "NO")
#: The SQL of a key's 64-bit hash, whose distinct values the scan counts (a test makes it
#: collide).
KEY_HASH = "hash({})"


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
    years = contract.term.years
    with connection() as con:
        for n, (name, table) in enumerate(tables.items()):
            measures = by_dataset.get(name, {})
            found = _records(con, n, table, measures, years, problems)
            if found is None or problems.errors:
                continue
            typed, columns = _typed_view(con, f"typed{n}", found.relation, table.dataset,
                                         found.scale, found.digits, _native_columns(table))
            exact = dialect(found.scale, found.digits)
            if found.counts is not None:
                counts[name] = found.counts
            else:  # the first scan's decimal type could not hold every number: again
                person = columns.get(table.dataset.person) if table.dataset.person else None
                query, read = measures_query(typed, columns, person, measures, years, exact)
                counts[name] = read(_one(con, query.text, query.params))
            typed_records.append(TypedRecords(con, typed, columns, table.dataset, measures,
                                              exact))
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


@dataclass(frozen=True)
class _Checked:
    """A dataset whose records were scanned and found good.

    Their relation (``r``, ``c0``, ``c1``, …), the exact decimal type its numbers need, and
    the measures' counts when the first scan's type held every number exactly (None: to be
    counted again at this type).
    """

    relation: str
    digits: int
    scale: int
    counts: DatasetCounts | None


def _records(con: duckdb.DuckDBPyConnection, n: int, table: DatasetTable,
             measures: Mapping[str, Measure], years: Sequence[ContractYear],
             problems: Problems) -> _Checked | None:
    """The table's records scanned once: checked, and the measures counted (:func:`_scan`).

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
                return _csv_records(con, n, table, measures, years, problems)
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
    scan = _scan(con, relation, table, kinds, measures, years, native=native)
    _report(con, f"checked_{relation}", table, kinds, scan.tally, problems)
    return _checked(con, relation, "TRUE", relation, scan, table, measures, problems)


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
                 measures: Mapping[str, Measure], years: Sequence[ContractYear],
                 problems: Problems) -> _Checked | None:
    """A CSV dataset read by DuckDB: one parallel scan checks it all and counts the measures.

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
    scan = _scan(con, every, table, kinds, measures, years, where="ok", ragged=ragged,
                 values=True)
    tally = scan.tally
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
        if not _placed(con, n, table, kinds, tally, scan.places, problems):
            count = " + ".join(f"CAST(x{j} IS NOT NULL AS INTEGER)" for j in range(width + 1))
            checked, _ = checks_view(con, numbered, ds, None, scan.places)
            _report(con, checked, table, kinds, tally, problems, where="ok",
                    ragged=(ragged, count, width))
    return _checked(con, every, "ok", records, scan, table, measures, problems)


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
    """The kinds of bad cell the dataset's columns can have.

    Each as a test of a row of the checks view (:func:`checks_view`: ``k{i}`` whether
    field i's cell is good).
    """
    kinds: list[_Kind] = []
    for i, f in enumerate(ds.fields):
        c = f"c{i}"
        present = f"({c} IS NOT NULL AND {c} <> '')"
        if native and i in native:
            if f.type == "date":  # a date32 may hold days no date cell can be (year 10000)
                kinds.append(_Kind("D008", f.name, f.column, f"{present} AND NOT k{i}",
                                   f"is not an ISO date (YYYY-MM-DD): its year is not "
                                   f"{FIRST_DAY[:4]} to {LAST_DAY[:4]}",
                                   "write a date that exists, like 2018-04-01"))
            # otherwise typed already: no cell can be bad
        elif f.type == "number":
            kinds.append(_Kind("D007", f.name, f.column, f"{present} AND NOT k{i}",
                               "is not a number", "write a decimal number like 14, 3.5 or "
                               "-2, without spaces, units or thousands separators"))
        elif f.type == "date":
            kinds.append(_Kind("D008", f.name, f.column, f"{present} AND NOT k{i}",
                               "is not an ISO date (YYYY-MM-DD)",
                               "write a date that exists, like 2018-04-01"))
        elif f.type == "flag":
            kinds.append(_Kind("D042", f.name, f.column, f"{present} AND NOT k{i}",
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
    number of cells (DuckDB's reader only); ``values``: of a CSV file, each kind's bad
    texts when the scan's least and most of them say all (:func:`_known_values`; None: not
    known).
    """

    bad: tuple[int, ...]
    repeated: int
    scale: int
    digits: int
    rows: int
    records: int
    ragged: int = 0
    values: tuple[tuple[str, ...] | None, ...] = ()


def _known_values(total: int, least: object, most: object) -> tuple[str, ...] | None:
    """Every text the ``total`` bad cells of a kind have, when its least and most say.

    Two cells at most are their least and their most; more, all alike when the least is
    the most. Otherwise (or a least that is not text) None: not known.
    """
    if not total:
        return ()
    if not isinstance(least, str) or not isinstance(most, str):
        return None
    if least == most:
        return (least,)
    return (least, most) if total == 2 else None


@dataclass(frozen=True)
class _Scan:
    """What the one scan of a table found.

    Its tally, and the measures' counts at the guessed decimal type (``places`` places, 18
    digits; None: not counted), which are the exact ones when ``fits``: every number of
    the data is held by that type.
    """

    tally: _Tally
    counts: DatasetCounts | None
    places: int | None
    fits: bool


def _guess_places(measures: Mapping[str, Measure]) -> int | None:
    """The decimal places of the first scan's type, None if too few digits would be left.

    None when the type cannot hold the numbers the measures write (their own numbers, a
    count of days). Before the scan the data's numbers are unknown: 64-bit decimals with
    two places hold what records usually have (counts, ages, scores, pounds and pence), and
    the scan says whether they held everything. More places when a condition writes more.
    """
    places = max(_literal_scale(measures), _GUESS_PLACES)
    need, _ = _needed_digits(measures, 0, 1)
    return places if need + places <= _NARROW else None


def _scan(con: duckdb.DuckDBPyConnection, relation: str, table: DatasetTable,
          kinds: list[_Kind], measures: Mapping[str, Measure], years: Sequence[ContractYear],
          where: str = "TRUE", ragged: str | None = None,
          native: Mapping[int, tuple[int, int]] | None = None, values: bool = False
          ) -> _Scan:
    """One scan of ``relation``'s rows: the record checks counted, and the measures too.

    The checks (the rows, the records ``where`` holds, the ragged rows, the bad cells of
    each kind, each number column's most decimal places and longest text, or a typed
    column's least and most value) are extra figures of the measures' own query
    (:class:`~.measures.Extra`), counted over a typed view at a guessed decimal type
    (:func:`_guess_places`) whose casts never fail (``TRY_CAST``). The counts are used only
    when no record is bad and the guess held every number exactly; a file with bad cells is
    not counted again. Repeated keys: the records less their keys' distinct hashes, by a
    consumer of its own of the same scan (:attr:`~.measures.Extra.repeats`; a query of its
    own read the file again: 0.5-0.8 s of CPU of 10M records), counted exactly by
    :func:`_repeats` only when that is not 0.
    """
    ds = table.dataset
    native = native or {}
    places = _guess_places(measures)
    extremes: list[tuple[str, str, str]] = []
    few: list[bool] = []
    # A text number column's places and length take few values each, grouped by (no
    # aggregate over the people's groups); but the groups multiply with every such column,
    # and past two they are aggregated: eight columns of mixed widths made a group of
    # nearly every record (1M records: 2.7 s of CPU and 560 MB against 1.9 s and 390 MB).
    grouped = sum(f.type == "number" and i not in native
                  for i, f in enumerate(ds.fields)) <= _GROUPED_NUMBERS
    for i, f in enumerate(ds.fields):
        if f.type != "number":
            continue
        if i in native:
            extremes += [("MAX", f"n{i}", where), ("MIN", f"n{i}", where)]
            few += [False, False]
        else:
            good = f"{where} AND k{i}"
            extremes += [("MAX", f"length(c{i}) - strpos(c{i}, '.')",
                          f"{good} AND strpos(c{i}, '.') > 0"), ("MAX", f"length(c{i})", good)]
            few += [grouped, grouped]
    counts = ["TRUE", where, ragged or "FALSE"] + [f"{where} AND {k.test}" for k in kinds]
    # Each kind's least and most bad text (CSV only), for finding the cells without a
    # second read of every cell (:func:`_known_values`): a MIN and a MAX over the few bad
    # rows cost nothing measurable, where collecting the values (``list``, ``arg_min`` of
    # 100) took 3-4 s of CPU of 10M records, bad or not.
    shown = [(fn, f"c{_index(ds, k.field)}", f"{where} AND {k.test}")
             for k in (kinds if values else ()) for fn in ("MIN", "MAX")]
    extremes += shown
    few += [False] * len(shown)
    key = f"c{_index(ds, ds.key)}" if ds.key is not None else None
    # Distinct 64-bit hashes of the keys: a smaller, faster table than of the keys' text; a
    # collision (about one in 10^6 on 10M keys) only costs an exact count (:func:`_repeats`).
    repeats = None if key is None else (KEY_HASH.format(key), _present(key, where))
    extra = Extra(tuple(counts), tuple(extremes), tuple(few),
                  records=None if where == "TRUE" else where, repeats=repeats)
    view, columns = checks_view(con, relation, ds, native, places)
    person = columns.get(ds.person) if ds.person and places is not None else None
    measured = dict(measures) if places is not None else {}
    query, read = measures_query(view, columns, person, measured, years,
                                 dialect(places or 0, _NARROW), extra)
    row = _one(con, query.text, query.params)
    counted, most = read.extra(row)
    most, ends = most[:len(most) - len(shown)], most[len(most) - len(shown):]
    scale = digits = 0
    fits = places is not None
    found = iter(most)
    for i, f in enumerate(ds.fields):
        if f.type != "number":
            continue
        if i in native:
            high, low = next(found), next(found)
            digits, scale = max(digits, native[i][0]), max(scale, native[i][1])
            bound = Decimal(10) ** (_NARROW - (places or 0))
            fits = fits and native[i][1] <= (places or 0) and (
                high is None or (-bound < Decimal(str(low)) and Decimal(str(high)) < bound))
        else:
            most_places, longest = int(next(found) or 0), int(next(found) or 0)  # type: ignore[call-overload]
            digits, scale = max(digits, longest), max(scale, most_places)
            fits = fits and most_places <= (places or 0) and longest <= _NARROW - (places or 0)
    repeated = read.repeated(row)
    if repeated:
        repeated = _repeats(con, relation, ds, where)
    bad = tuple(counted[3:])
    known = tuple(_known_values(total, ends[2 * k], ends[2 * k + 1])
                  for k, total in enumerate(bad)) if values else ()
    tally = _Tally(bad=bad, repeated=repeated,
                   scale=scale, digits=digits, rows=counted[0], records=counted[1],
                   ragged=counted[2], values=known)
    return _Scan(tally, read(row) if places is not None else None, places, fits)


def checks_view(con: duckdb.DuckDBPyConnection, relation: str, ds: Dataset,
                native: Mapping[int, object] | None, places: int | None
                ) -> tuple[str, dict[str, str]]:
    """The checks view of ``relation`` (:func:`_typed_view` with ``guess``), named after it."""
    return _typed_view(con, f"checked_{relation}", relation, ds, places or 0, _NARROW, native,
                       guess=True, numbers=places is not None)


def _present(c: str, where: str) -> str:
    """SQL: the row is one of those ``where`` holds, and its cell ``c`` is not empty."""
    return f"{where} AND {c} IS NOT NULL AND {c} <> ''"


def _repeats(con: duckdb.DuckDBPyConnection, relation: str, ds: Dataset, where: str) -> int:
    """The records whose key an earlier record has (those ``where`` holds, with a key).

    Exact: asked only when the scan's count of distinct hashes says there may be some.
    """
    assert ds.key is not None
    c = f"c{_index(ds, ds.key)}"
    present = _present(c, where)
    found = _one(con, f"SELECT COUNT({c}) FILTER (WHERE {present}) - COUNT(DISTINCT {c}) "
                      f"FILTER (WHERE {present}) FROM {relation}")[0]
    return int(found or 0)  # type: ignore[call-overload,no-any-return]


def _checked(con: duckdb.DuckDBPyConnection, scanned: str, where: str, records: str,
             scan: _Scan, table: DatasetTable, measures: Mapping[str, Measure],
             problems: Problems) -> _Checked | None:
    """The records' relation and exact type (None: D043), with the scan's counts if exact.

    The counts of a guessed type that held every number are the exact type's, but for the
    places a mean's total is written with: those of the exact type, as its own sum has.
    """
    found = _scale(con, scanned, where, scan.tally, table, measures, problems)
    if found is None:
        return None
    digits, scale = found
    counts = None
    if scan.fits and scan.counts is not None and scan.places is not None \
            and scale <= scan.places:
        counts = _at_places(scan.counts, scale)
    return _Checked(records, digits, scale, counts)


def _at_places(counts: DatasetCounts, places: int) -> DatasetCounts:
    """``counts`` with every mean's total written to ``places`` decimal places.

    Exact: a sum of numbers of at most that many places has no more.
    """
    unit = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 2 * MAX_DIGITS  # a 38-digit sum and its places, never rounded
        # A total without places is the 0 of a year without values (the guess's sums have
        # its places, two at least): as the exact type's query gives it.
        measures = {ident: tuple(y if y.total is None or y.total.as_tuple().exponent == 0
                                 else replace(y, total=y.total.quantize(unit)) for y in years)
                    for ident, years in counts.measures.items()}
    return replace(counts, measures=measures)


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
    wanted, aggregates = _firsts(table.dataset, kinds, tally, where, ragged)
    if aggregates:
        _tell(table, wanted, _one(con, f"SELECT {', '.join(aggregates)} FROM {relation}"),
              ragged, problems)
    if tally.repeated:
        _repeated_keys(con, relation, table, tally.repeated, where, problems)


#: A kind of error the tally counted (None: ragged rows), how many, and its test.
_Wanted = tuple[_Kind | None, int, str]


def _firsts(ds: Dataset, kinds: list[_Kind], tally: _Tally, where: str,
            ragged: tuple[str, str, int] | None) -> tuple[list[_Wanted], list[str]]:
    """The kinds of error the tally counted, and the aggregate of the first rows of each."""
    wanted: list[_Wanted] = []
    aggregates: list[str] = []
    if ragged is not None and tally.ragged:
        test, count, _ = ragged
        wanted.append((None, tally.ragged, test))
        aggregates.append(f"arg_min(struct_pack(r := r, v := CAST({count} AS VARCHAR)), r, "
                          f"{FIRST_ERRORS}) FILTER (WHERE {test})")
    for kind, bad in zip(kinds, tally.bad, strict=True):
        if bad:
            test = f"{where} AND {kind.test}"
            wanted.append((kind, bad, test))
            aggregates.append(f"arg_min(struct_pack(r := r, v := c{_index(ds, kind.field)}), "
                              f"r, {FIRST_ERRORS}) FILTER (WHERE {test})")
    return wanted, aggregates


def _tell(table: DatasetTable, wanted: Sequence[_Wanted], found: Sequence[object],
          ragged: tuple[str, str, int] | None, problems: Problems) -> None:
    """The diagnostics of the first rows ``found`` of each kind ``wanted``, and the rest's."""
    origin = table.origin
    for (want, total, _), first in zip(wanted, found, strict=True):
        rows = sorted((int(item["r"]), item["v"]) for item in first or ())  # type: ignore[attr-defined]
        if want is None:
            assert ragged is not None
            for r, cells in rows:
                problems.at(origin, r, None, "D006",
                            f"has {cells} cells but the header has {ragged[2]}",
                            "each row needs one cell per column; quote cells that hold "
                            "commas", cell=ragged[2] if int(cells) > ragged[2] else None)
            problems.more(origin, "D006", total - len(rows))
            continue
        for r, value in rows:
            shown = f"`{value}` " if value else ""
            problems.at(origin, r, want.column, want.code, f"{shown}{want.message}",
                        want.hint)
        problems.more(origin, want.code, total - len(rows))


def _placed(con: duckdb.DuckDBPyConnection, n: int, table: DatasetTable, kinds: list[_Kind],
            tally: _Tally, places: int | None, problems: Problems) -> bool:
    """The bad records of a plain CSV file placed by pyarrow and reported (:mod:`.placing`).

    False when the file is not plain or the placing does not agree with the scan: nothing
    is reported then, and the caller numbers the records.
    """
    csv = table.csv
    assert csv is not None
    if not placing.plain(csv, tally.rows, tally.records, tally.ragged):
        return False
    ds = table.dataset
    wanted, aggregates = _firsts(ds, kinds, tally, "ok", None)
    tested = [_index(ds, kind.field) for kind, _, _ in wanted if kind is not None]
    key = _index(ds, ds.key) if tally.repeated and ds.key is not None else None
    found = placing.place(
        con, n, csv, len(ds.fields), tested, key, tally.rows,
        lambda relation: checks_view(con, relation, ds, None, places)[0], aggregates,
        [test for _, _, test in wanted], [total for _, total, _ in wanted], FIRST_ERRORS,
        [v for v, bad in zip(tally.values, tally.bad, strict=True) if bad])
    if found is None:
        return False
    _tell(table, wanted, found.firsts, None, problems)
    if found.keys is not None:
        _repeated_keys(con, found.keys, table, tally.repeated, "ok", problems, grouped=True)
    return True


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
                   total: int, where: str, problems: Problems, grouped: bool = False) -> None:
    """D013 for each record whose key an earlier record already has (``total`` of them).

    ``grouped``: the window over only the records whose key is repeated, found first by
    grouping (a hash table of the keys, in parallel, where the window over every record
    partitions and sorts them all: 10M keys, two repeated); the same rows, since a key of
    one record is the first of its own. Not for a relation whose rows are numbered by a
    window (it would be numbered twice).
    """
    ds = table.dataset
    assert ds.key is not None
    i = _index(ds, ds.key)
    column = ds.fields[i].column
    present = f"{where} AND c{i} IS NOT NULL AND c{i} <> ''"
    repeated = (f" AND c{i} IN (SELECT c{i} FROM {relation} WHERE {present} GROUP BY c{i} "
                "HAVING COUNT(*) > 1)" if grouped else "")
    inner = (f"SELECT r, c{i} AS k, MIN(r) OVER (PARTITION BY c{i}) AS first FROM {relation} "
             f"WHERE {present}{repeated}")
    first = con.execute(f"SELECT r, k, first FROM ({inner}) WHERE r <> first ORDER BY r "
                        f"LIMIT {FIRST_ERRORS}").fetchall()
    for r, key, earlier in first:
        problems.at(table.origin, int(r), column, "D013",
                    f"key `{key}` is repeated (first in row {earlier})",
                    f"`{ds.key}` is the dataset's key: each record has its own")
    problems.more(table.origin, "D013", total - len(first))


def _typed_view(con: duckdb.DuckDBPyConnection, name: str, relation: str, ds: Dataset,
                scale: int, digits: int = MAX_DIGITS, native: Mapping[int, object] | None = None,
                guess: bool = False, numbers: bool = True) -> tuple[str, dict[str, str]]:
    """View ``name``: ``f{i}`` the typed value of field i (NULL when missing).

    ``guess``: the checks view of the first scan, before the records are known to be
    good: every column of ``relation`` kept, casts that give NULL for a bad cell or a
    number the type cannot hold (the scan's counts are then not used), and ``k{i}``,
    whether field i's cell is good (:func:`_kinds` tests them). ``numbers`` False: no
    typed numbers (the scan counts no measures).
    """
    parts = []
    columns: dict[str, str] = {}
    decimal = f"DECIMAL({digits}, {scale})"
    cast = "TRY_CAST" if guess else "CAST"
    for i, f in enumerate(ds.fields):
        c = f"NULLIF(c{i}, '')"
        if native and i in native:
            expr = f"{cast}(n{i} AS {decimal})" if f.type == "number" else f"n{i}"
        elif f.type == "number":
            expr = f"{cast}({c} AS {decimal})"
        elif f.type == "date":
            expr = f"{cast}({c} AS DATE)"
        elif f.type == "flag":  # NULL for a word that is no flag (the check's test)
            expr = (f"CASE WHEN {c} IS NULL THEN NULL WHEN {c} IN ({_words(_COMMON_TRUE)}) "
                    f"THEN TRUE WHEN {c} IN ({_words(_COMMON_FALSE)}) THEN FALSE "
                    f"WHEN lower({c}) IN ({_words(_FLAGS_TRUE)}) THEN TRUE "
                    f"WHEN lower({c}) IN ({_words(_FLAGS_FALSE)}) THEN FALSE END")
        else:
            expr = c
        parts.append(f"{expr} AS f{i}")
        columns[f.name] = f"f{i}"
    if not guess:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT r, {', '.join(parts)} "
                    f"FROM {relation}")
        return name, columns
    # Whether each cell is good, from its typed value where that decides it: a date is
    # good when it is written back the same (only YYYY-MM-DD of a day that exists, years
    # 0001 to 9999, is), a flag when it has a value; a number by its pattern.
    checks = []
    within = f"BETWEEN DATE '{FIRST_DAY}' AND DATE '{LAST_DAY}'"
    for i, f in enumerate(ds.fields):
        if native and i in native:
            if f.type == "date":
                checks.append(f"COALESCE(n{i} {within}, FALSE) AS k{i}")
            continue
        if f.type == "date":
            checks.append(f"COALESCE(length(c{i}) = 10 AND CAST(f{i} AS VARCHAR) = c{i}, "
                          f"FALSE) AS k{i}")
        elif f.type == "flag":
            checks.append(f"f{i} IS NOT NULL AS k{i}")
        elif f.type == "number":
            checks.append(f"COALESCE(regexp_full_match(c{i}, '{_NUMBER}'), FALSE) AS k{i}")
    if not numbers:  # the first scan's type cannot hold the measures' numbers
        parts = [p for p, f in zip(parts, ds.fields, strict=True) if f.type != "number"]
    # A date DuckDB reads from a bad cell (or a date32 column) may be of its own far range
    # (`999999-1-1`), which a condition's shift or count of days would take beyond what
    # DuckDB holds (an error, not D008): the measures see only the dates a cell can be,
    # years 0001 to 9999.
    bounded = [f"CASE WHEN f{i} {within} THEN f{i} END AS f{i}"
               for i, f in enumerate(ds.fields) if f.type == "date"]
    keep = f" REPLACE ({', '.join(bounded)})" if bounded else ""
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT *{keep}"
                f"{''.join(', ' + c for c in checks)}"
                f" FROM (SELECT *{''.join(', ' + p for p in parts)} FROM {relation})")
    return name, columns


__all__ = ["FIRST_ERRORS", "TypedRecords", "measure_datasets", "quote"]
