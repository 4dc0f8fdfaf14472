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

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
from pydantic import BaseModel

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
#: Digits of the most days between two dates of four-digit years (3,652,424).
DAY_DIGITS = 7
_FLAGS_TRUE = ("true", "yes", "y", "1")
_FLAGS_FALSE = ("false", "no", "n", "0")
_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def quote(name: str) -> str:
    """A name as a DuckDB identifier: in double quotes, a quote inside doubled."""
    return '"' + name.replace('"', '""') + '"'


def _shift_months(date: Sql, months: Sql) -> Sql:
    return "CAST(" + date + " + to_months(" + months + ") AS DATE)"


def dialect(scale: int) -> Dialect:
    """DuckDB with numbers as DECIMAL(38, scale)."""
    return Dialect(quote=quote, decimal=f"DECIMAL({MAX_DIGITS}, {scale})",
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
    con = duckdb.connect(":memory:")
    try:
        yield con
    finally:
        con.close()


def measure_datasets(contract: Contract, tables: Mapping[str, DatasetTable]
                     ) -> tuple[dict[str, DatasetCounts] | None, list[Diagnostic]]:
    """Check every dataset table's records, then count every measure; errors stop it."""
    problems = Problems()
    counts: dict[str, DatasetCounts] = {}
    by_dataset: dict[str, dict[str, Measure]] = {}
    for ind in contract.all_indicators():
        if ind.measure is not None:
            by_dataset.setdefault(ind.measure.dataset, {})[ind.id] = ind.measure
    with connection() as con:
        for n, (name, table) in enumerate(tables.items()):
            relation = _register(con, n, table)
            scale = _check(con, relation, table, by_dataset.get(name, {}), problems)
            if scale is None or problems.errors:
                continue
            typed, columns = _typed_view(con, n, relation, table.dataset, scale)
            person = columns.get(table.dataset.person) if table.dataset.person else None
            query, read = measures_query(typed, columns, person, by_dataset.get(name, {}),
                                         contract.term.years, dialect(scale))
            counts[name] = read(_one(con, query.text, query.params))
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


def _register(con: duckdb.DuckDBPyConnection, n: int, table: DatasetTable) -> str:
    """The table as relation ``raw{n}``: ``r`` (the row) and ``c{i}`` text per field."""
    name = f"raw{n}"
    if table.arrow is not None:
        con.register(name, table.arrow)
        return name
    assert table.parquet is not None
    cols = ", ".join(f"CAST({quote(f.column)} AS VARCHAR) AS c{i}"
                     for i, f in enumerate(table.dataset.fields))
    # A view cannot be prepared with the path as a parameter; DuckDB's own reader takes it
    # as a value instead (never as SQL text).
    source = con.read_parquet(str(table.parquet.path), file_row_number=True)
    source.project(f"file_row_number + 1 AS r, {cols}").create_view(name)
    return name


def _kinds(ds: Dataset) -> list[_Kind]:
    kinds: list[_Kind] = []
    for i, f in enumerate(ds.fields):
        c = f"c{i}"
        present = f"({c} IS NOT NULL AND {c} <> '')"
        if f.type == "number":
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
            allowed = ", ".join(f"'{w}'" for w in _FLAGS_TRUE + _FLAGS_FALSE)
            kinds.append(_Kind("D042", f.name, f.column,
                               f"{present} AND lower({c}) NOT IN ({allowed})",
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


def _check(con: duckdb.DuckDBPyConnection, relation: str, table: DatasetTable,
           measures: Mapping[str, Measure], problems: Problems) -> int | None:
    """Report every bad cell (first 100 of each kind); the decimal scale when all is well."""
    ds = table.dataset
    kinds = _kinds(ds)
    numbers = [i for i, f in enumerate(ds.fields) if f.type == "number"]
    aggregates = [f"COUNT(*) FILTER (WHERE {k.test})" for k in kinds] + ["COUNT(*)"]
    for i in numbers:
        aggregates.append(f"MAX(length(split_part(c{i}, '.', 2))) FILTER "
                          f"(WHERE regexp_full_match(c{i}, '{_NUMBER}'))")
        aggregates.append(f"MAX(length(ltrim(split_part(ltrim(c{i}, '-'), '.', 1), '0'))) "
                          f"FILTER (WHERE regexp_full_match(c{i}, '{_NUMBER}'))")
    row = _one(con, f"SELECT {', '.join(aggregates)} FROM {relation}")
    origin = table.origin
    for kind, bad in zip(kinds, row[:len(kinds)], strict=False):
        total = int(bad or 0)  # type: ignore[call-overload]
        if not total:
            continue
        i = next(n for n, f in enumerate(ds.fields) if f.name == kind.field)
        first = con.execute(f"SELECT r, c{i} FROM {relation} WHERE {kind.test} ORDER BY r "
                            f"LIMIT {FIRST_ERRORS}").fetchall()
        for r, value in first:
            shown = f"`{value}` " if value else ""
            problems.at(origin, int(r), kind.column, kind.code, f"{shown}{kind.message}",
                        kind.hint)
        problems.more(origin, kind.code, total - len(first))
    _repeated_keys(con, relation, table, problems)
    scale = _literal_scale(measures)
    widest = 0
    records = int(row[len(kinds)])  # type: ignore[call-overload]
    for n in range(len(numbers)):
        s, digits = row[len(kinds) + 1 + 2 * n], row[len(kinds) + 2 + 2 * n]
        scale = max(scale, int(s or 0))  # type: ignore[call-overload]
        widest = max(widest, int(digits or 0))  # type: ignore[call-overload]
    need, why = _needed_digits(measures, widest, records)
    if need + scale > MAX_DIGITS:
        data = need == widest
        problems.table(origin, "D043", f"the numbers of dataset {ds.id} need {need} digits "
                       f"before the point{'' if data else f' ({why})'} and {scale} after "
                       f"it, more than the {MAX_DIGITS} an exact decimal can hold",
                       "check the number columns for values that are far too long"
                       + ("" if data else ", and the measures' definitions"))
        return None
    return scale


def _repeated_keys(con: duckdb.DuckDBPyConnection, relation: str, table: DatasetTable,
                   problems: Problems) -> None:
    """D013 for each record whose key an earlier record already has."""
    ds = table.dataset
    if ds.key is None:
        return
    i = next(n for n, f in enumerate(ds.fields) if f.name == ds.key)
    column = ds.fields[i].column
    inner = (f"SELECT r, c{i} AS k, MIN(r) OVER (PARTITION BY c{i}) AS first FROM {relation} "
             f"WHERE c{i} IS NOT NULL AND c{i} <> ''")
    total = int(_one(con, f"SELECT COUNT(*) FROM ({inner}) WHERE r <> first")[0])  # type: ignore[call-overload]
    if not total:
        return
    first = con.execute(f"SELECT r, k, first FROM ({inner}) WHERE r <> first ORDER BY r "
                        f"LIMIT {FIRST_ERRORS}").fetchall()
    for r, key, earlier in first:
        problems.at(table.origin, int(r), column, "D013",
                    f"key `{key}` is repeated (first in row {earlier})",
                    f"`{ds.key}` is the dataset's key: each record has its own")
    problems.more(table.origin, "D013", total - len(first))


def _typed_view(con: duckdb.DuckDBPyConnection, n: int, relation: str, ds: Dataset,
                scale: int) -> tuple[str, dict[str, str]]:
    """View ``typed{n}``: ``f{i}`` the typed value of field i (NULL when missing)."""
    parts = []
    columns: dict[str, str] = {}
    decimal = f"DECIMAL({MAX_DIGITS}, {scale})"
    true = ", ".join(f"'{w}'" for w in _FLAGS_TRUE)
    for i, f in enumerate(ds.fields):
        c = f"NULLIF(c{i}, '')"
        if f.type == "number":
            expr = f"CAST({c} AS {decimal})"
        elif f.type == "date":
            expr = f"CAST({c} AS DATE)"
        elif f.type == "flag":
            expr = f"CASE WHEN {c} IS NULL THEN NULL ELSE lower({c}) IN ({true}) END"
        else:
            expr = c
        parts.append(f"{expr} AS f{i}")
        columns[f.name] = f"f{i}"
    name = f"typed{n}"
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT r, {', '.join(parts)} FROM {relation}")
    return name, columns


__all__ = ["FIRST_ERRORS", "measure_datasets", "quote"]
