"""``check --evidence DIR``: the audit trail of what each measure counted (RECORDS.md).

One CSV per measured indicator and contract year, ``DIR/<INDICATOR>_<year, / as ->.csv``.
Each file is written by the engine itself (``COPY (query) TO file``): the query is compiled
from the same typed condition tree, over the same typed view, as the counts the report pays
on, so the evidence and the report cannot disagree; and the rows stream from the engine to
the file, never held in Python (a year of ten million referrals is written as it is read).

What a file lists (docs/records.md, *Evidence*):

- proportion: every denominator record of the year, ``KEY`` (when the dataset has a key),
  ``record`` (its number in the table: 1 for the first record) and ``in_numerator``
  (``true``/``false``); with ``counting people``, one row per
  person of the denominator, ``PERSON`` and ``in_numerator`` (some record of theirs also
  meets the numerator);
- mean: every record averaged (meets the condition, the expression present), ``KEY``,
  ``record`` and ``value`` (the expression's exact value; their sum is the report's ``total``);
- count: every record counted, ``KEY`` and ``record``; with ``counting people`` every person
  counted, ``PERSON``.

Rows are ordered by key (or by person), else by record. A year with nothing counted still has
its file, with the header only; so has every year of a dataset absent from the bundle.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from obc_check.checker.engine.duck import TypedRecords
from obc_check.checker.engine.sql import ConditionCompiler, Dialect, Sql, join, param
from obc_check.model import Contract, ContractYear, Dataset, Measure


class EvidenceError(Exception):
    """The evidence could not be written (the folder or a file): a clear message, exit 2."""


def file_name(indicator: str, year: ContractYear) -> str:
    """``EIP14_2016-17.csv``: the indicator, ``_``, the year label with ``/`` as ``-``."""
    return f"{indicator}_{year.label.replace('/', '-')}.csv"


def header(ds: Dataset, m: Measure) -> list[str]:
    """The columns of a measure's evidence file (see the module doc)."""
    if m.counting_people:
        assert ds.person is not None
        return [ds.person, "in_numerator"] if m.shape == "proportion" else [ds.person]
    ident = [ds.key, "record"] if ds.key is not None else ["record"]
    return ident + {"proportion": ["in_numerator"], "mean": ["value"], "count": []}[m.shape]


@dataclass(frozen=True, slots=True)
class EvidenceQuery:
    """One file's query: its name and the SQL that yields its rows, in order."""

    name: str
    sql: Sql


def evidence_queries(relation: str, columns: Mapping[str, str], ds: Dataset,
                     measures: Mapping[str, Measure], years: Sequence[ContractYear],
                     dialect: Dialect, offset: int | None = None) -> list[EvidenceQuery]:
    """Per measure and year the query of its evidence, over the typed view ``relation``.

    ``columns`` maps each field to its typed column (as for the counts); ``r`` is the row.
    A record's number is ``r - offset`` when the rows are numbered one after another (the
    caller knows); otherwise (``None``: a CSV record spanning lines, read by the row reader)
    it is counted by a window over the rows, which sorts them all.
    Engine-neutral: standard SQL with bound parameters, names quoted by ``dialect``.
    """
    comp = ConditionCompiler(columns, dialect)
    q = dialect.quote
    out: list[EvidenceQuery] = []
    for ident, m in measures.items():
        by = columns[m.by]
        names = header(ds, m)
        for year in years:
            where = [Sql(f"{by} BETWEEN ") + param(year.start.isoformat(), "DATE") + " AND "
                     + param(year.end.isoformat(), "DATE")]
            cond = m.denominator if m.shape == "proportion" else m.where
            if cond is not None:
                where.append(comp.cond(cond))
            if m.shape == "mean":
                assert m.value is not None
                where.append("(" + comp.expr(m.value) + " IS NOT NULL)")
            numerator = (comp.cond(m.numerator) if m.numerator is not None else Sql("TRUE"))
            # A record's number is its place among the table's records, counted in the engine
            # (the row reader's ``r`` is a line, DuckDB's reader's a count of records).
            if m.counting_people:
                source = relation
            elif offset is not None:
                source = f"(SELECT *, r - {int(offset)} AS rec_n FROM {relation})"
            else:
                source = f"(SELECT *, row_number() OVER (ORDER BY r) AS rec_n FROM {relation})"
            filtered = " FROM " + source + " WHERE " + join(where, " AND ")
            if m.counting_people:
                assert ds.person is not None
                p = columns[ds.person]
                if m.shape == "proportion":
                    select = (Sql(f"SELECT {p} AS {q(names[0])}, bool_or(") + numerator
                              + f") AS {q(names[1])}" + filtered + f" GROUP BY {p} ORDER BY {p}")
                else:
                    select = (Sql(f"SELECT DISTINCT {p} AS {q(names[0])}") + filtered
                              + f" ORDER BY {q(names[0])}")
            else:
                picked: list[Sql] = []
                if ds.key is not None:
                    picked.append(Sql(f"{columns[ds.key]} AS {q(ds.key)}"))
                picked.append(Sql(f"rec_n AS {q('record')}"))
                if m.shape == "proportion":
                    picked.append(numerator + f" AS {q('in_numerator')}")
                elif m.shape == "mean":
                    assert m.value is not None
                    picked.append(comp.expr(m.value) + f" AS {q('value')}")
                order = columns[ds.key] if ds.key is not None else "rec_n"
                select = "SELECT " + join(picked) + filtered + f" ORDER BY {order}"
            out.append(EvidenceQuery(file_name(ident, year), select))
    return out


def prepare_folder(folder: Path) -> None:
    """Create the evidence folder (and its parents); a file in its place is an error."""
    if folder.exists() and not folder.is_dir():
        raise EvidenceError(f"--evidence {folder} is not a folder (a file of that name exists)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise EvidenceError(f"--evidence {folder}: cannot create the folder "
                            f"({err.strerror or err})") from None


def check_names(contract: Contract) -> None:
    """Refuse indicators whose evidence files differ only by case (``SEEN``, ``SEEn``).

    Windows and macOS keep ``SEEN_2020-21.csv`` and ``SEEn_2020-21.csv`` as one file, so the
    second would silently replace the first's audit trail; refused everywhere (the folder is
    often copied to such a machine), before anything is read or written.
    """
    seen: dict[str, list[str]] = {}
    for ind in contract.all_indicators():
        if ind.measure is not None:
            seen.setdefault(ind.id.casefold(), []).append(ind.id)
    clashes = [ids for ids in seen.values() if len(ids) > 1]
    if clashes:
        names = "; ".join(" and ".join(ids) for ids in clashes)
        raise EvidenceError(
            f"--evidence: the measured indicators {names} differ only by case, so their "
            "files (<INDICATOR>_<year>.csv) would be one file on a case-insensitive file "
            "system (Windows, macOS) and one audit trail would replace the other; rename "
            "one of them in the contract")


def measured(contract: Contract) -> dict[str, dict[str, Measure]]:
    """Per dataset, its measured indicators' measures, in contract order."""
    out: dict[str, dict[str, Measure]] = {}
    for ind in contract.all_indicators():
        if ind.measure is not None:
            out.setdefault(ind.measure.dataset, {})[ind.id] = ind.measure
    return out


def write_headers_only(folder: Path, contract: Contract, absent: Sequence[str]) -> None:
    """The files of datasets absent from the bundle: every year, the header and no row."""
    by_dataset = measured(contract)
    for name in absent:
        ds = contract.dataset(name)
        assert ds is not None
        for ident, m in by_dataset.get(name, {}).items():
            for year in contract.term.years:
                path = folder / file_name(ident, year)
                try:
                    with path.open("w", newline="", encoding="utf-8") as f:
                        csv.writer(f, lineterminator="\n").writerow(header(ds, m))
                except OSError as err:
                    raise EvidenceError(f"--evidence: cannot write {path} "
                                        f"({err.strerror or err})") from None


def write_evidence(records: TypedRecords, years: Sequence[ContractYear], folder: Path) -> None:
    """Have the engine write each of the dataset's evidence files, streamed, into ``folder``.

    The file path is handed to DuckDB as a value (its relation API), never pasted into SQL.
    One aggregate first tells whether the rows are numbered one after another (a file with a
    line per record, Parquet, JSON): then a record's number is its row less the first row's,
    and no query sorts the whole table to count records.
    """
    first, last, count = records.con.execute(
        f"SELECT MIN(r), MAX(r), COUNT(*) FROM {records.relation}").fetchall()[0]
    offset = (0 if not count else int(first) - 1
              if int(last) - int(first) + 1 == int(count) else None)
    for eq in evidence_queries(records.relation, records.columns, records.dataset,
                               records.measures, years, records.dialect, offset):
        path = folder / eq.name
        try:
            records.con.sql(eq.sql.text, params=list(eq.sql.params)).write_csv(
                str(path), header=True)
        except (duckdb.IOException, duckdb.PermissionException) as err:
            raise EvidenceError(f"--evidence: cannot write {path} ({err})") from None
