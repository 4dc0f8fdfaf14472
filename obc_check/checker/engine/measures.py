"""All measures of one dataset → one query, one scan: counts and exact sums per contract year.

The innermost level computes, once per record, the contract year each ``by`` field places
it in and the truth of each condition (TRUE/FALSE, never NULL). The answer is one row: per
measure and year the denominator and numerator counts, the mean's count and exact ``SUM``,
the count's count, plus the records read and, per ``by`` field, how many records it left
unplaced (date missing) or outside the term. Every measure of the dataset is answered by
the same scan whatever its ``by`` field (:func:`_grouped` says how).

People are counted by grouping the records by person in the same scan: per
people-counted slot, whether any of the person's records meets it (a bit OR-ed per person),
then how many people do. One hash table of people instead of a ``COUNT(DISTINCT person)
FILTER (…)`` per slot, each its own table over every record: on 10M records and nine such
slots, 11 s against 51 s on the benchmark machine.

:class:`Extra` lets the engine layer count its checks of the records (bad cells, ragged
rows, the numbers' widths) in the same scan.

Engine-neutral: the text is standard SQL from :mod:`.sql`; the engine layer runs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from obc_check.checker.engine.sql import ConditionCompiler, Dialect, Sql, join, param
from obc_check.model import ContractYear, Measure


@dataclass(frozen=True, slots=True)
class YearCounts:
    """What the engine counted for one measure in one contract year.

    proportion: ``denominator`` and ``numerator``; mean: ``denominator`` (the records with a
    value) and ``total`` (their exact sum); count: ``count``.
    """

    year: int
    denominator: int | None = None
    numerator: int | None = None
    total: Decimal | None = None
    count: int | None = None


@dataclass(frozen=True, slots=True)
class ByCounts:
    """Records a ``by`` field placed in no contract year."""

    unplaced: int
    outside_term: int


@dataclass(frozen=True, slots=True)
class DatasetCounts:
    """The answer of one dataset's query."""

    records: int
    by: dict[str, ByCounts] = field(default_factory=dict)
    measures: dict[str, tuple[YearCounts, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Slot:
    measure: str
    year: int
    what: str


@dataclass(frozen=True, slots=True)
class Extra:
    """Checks of the records that the engine layer counts in the same scan as the measures.

    ``counts``: conditions over the relation's own columns, each counted over its rows (a
    condition that is NULL counts as false, as in ``COUNT(*) FILTER``); ``extremes``:
    ``(MAX or MIN, value, condition)``, the most or least of each value over the rows where
    its condition holds (NULL when there are none); ``few``: the extremes' values take few
    values (a length, a number of places), and are grouped by rather than aggregated (the
    people's groups then carry no aggregate for them). Read back by :meth:`_Reader.extra`.
    ``records``: a condition over the relation's columns that holds for the rows that are
    records (DuckDB's CSV reader also gives a line of blanks as a row, which is none); the
    measures and the records read count only those, the extra figures every row.
    ``repeats``: ``(value, condition)``, the rows where the condition holds less the
    distinct values among them (how many repeat an earlier row's value), read by a
    consumer of its own of the same scan (:func:`_grouped`).
    """

    counts: tuple[str, ...] = ()
    extremes: tuple[tuple[str, str, str], ...] = ()
    few: tuple[bool, ...] = ()
    records: str | None = None
    repeats: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class _Agg:
    """One figure of the answer: what it aggregates and over which records.

    ``kind``: ``rows`` (records counted), ``values`` (a mean's values counted), ``sum``
    (their sum), ``people`` (people with any such record), ``most`` (an extra extreme of
    column ``mean``, ``fn`` MAX or MIN). The records: those whose year columns pass
    ``keys`` (SQL over ``y0``, ``u0``, …; None: any) and where every inner column of
    ``conds`` is true. ``few``: an extreme grouped by (:class:`Extra`); ``name``: an
    extreme's own name in the grouped rows (a MIN and a MAX may share a column).
    """

    kind: str
    keys: str | None = None
    conds: tuple[str, ...] = ()
    mean: str | None = None
    fn: str = "MAX"
    few: bool = False
    name: str | None = None


#: Bits of one mask column: a BIGINT, sign bit left alone.
_BITS = 62


def measures_query(relation: str, columns: Mapping[str, str], person: str | None,
                   measures: Mapping[str, Measure], years: Sequence[ContractYear],
                   dialect: Dialect, extra: Extra = Extra()) -> tuple[Sql, _Reader]:
    """The query over ``relation`` (an internal name) and how to read its one row.

    ``measures`` maps an indicator id to its measure; ``columns`` each field to its typed
    column; ``person`` is the person field's typed column, if any; ``extra``: checks of the
    records to count in the same scan (their figures come after the measures').
    """
    comp = ConditionCompiler(columns, dialect)
    inner: list[Sql] = []
    # The records' own bit, asked by every figure of the measures (none when all rows are).
    scope: tuple[str, ...] = ()
    if extra.records is not None:
        inner.append(Sql(f"COALESCE(({extra.records}), FALSE) AS s"))
        scope = ("s",)
    by_fields = sorted({m.by for m in measures.values()})
    year_col = {b: f"y{i}" for i, b in enumerate(by_fields)}
    for b in by_fields:
        whens = join((Sql(f"WHEN {columns[b]} BETWEEN ") + param(y.start.isoformat(), "DATE")
                      + " AND " + param(y.end.isoformat(), "DATE") + f" THEN {y.number}"
                      for y in years), " ")
        inner.append("CASE " + whens + f" END AS {year_col[b]}")
        inner.append(Sql(f"{columns[b]} IS NULL AS u{year_col[b][1:]}"))
    conds: dict[tuple[str, str], str] = {}
    values: dict[str, str] = {}
    for n, (ident, m) in enumerate(measures.items()):
        for what, c in (("d", m.denominator), ("n", m.numerator), ("w", m.where)):
            if c is not None:
                name = f"c{n}{what}"
                conds[(ident, what)] = name
                inner.append(comp.cond(c) + f" AS {name}")
        if m.value is not None:
            values[ident] = f"v{n}"
            inner.append(comp.expr(m.value) + f" AS v{n}")
    people = person is not None and any(m.counting_people for m in measures.values())
    if people:
        inner.append(Sql(f"{person} AS p"))
    aggs: list[_Agg] = [_Agg("rows", conds=scope)]
    for b in by_fields:
        y = year_col[b]
        aggs += [_Agg("rows", f"u{y[1:]}", scope),
                 _Agg("rows", f"NOT u{y[1:]} AND {y} IS NULL", scope)]
    slots: list[_Slot] = []
    for ident, m in measures.items():
        y = year_col[m.by]
        rows = "people" if m.counting_people and people else "rows"

        def these(*whats: str, ident: str = ident) -> tuple[str, ...]:
            return scope + tuple(conds[(ident, w)] for w in whats if (ident, w) in conds)

        for year in years:
            here = f"{y} = {year.number}"
            if m.shape == "proportion":
                aggs += [_Agg(rows, here, these("d")), _Agg(rows, here, these("d", "n"))]
                slots += [_Slot(ident, year.number, "denominator"),
                          _Slot(ident, year.number, "numerator")]
            elif m.shape == "mean":
                aggs += [_Agg("values", here, these("w"), values[ident]),
                         _Agg("sum", here, these("w"), values[ident])]
                slots += [_Slot(ident, year.number, "denominator"),
                          _Slot(ident, year.number, "total")]
            else:
                aggs.append(_Agg(rows, here, these("w")))
                slots.append(_Slot(ident, year.number, "count"))
    for k, test in enumerate(extra.counts):
        inner.append(Sql(f"({test}) AS e{k}"))
        aggs.append(_Agg("rows", conds=(f"e{k}",)))
    few = extra.few or (False,) * len(extra.extremes)
    shared: dict[tuple[str, str], str] = {}  # an aggregated value's column, for its MIN and MAX
    for k, ((fn, value, test), grouped) in enumerate(zip(extra.extremes, few, strict=True)):
        column = f"x{k}" if grouped else shared.setdefault((value, test), f"x{k}")
        if column == f"x{k}":
            inner.append(Sql(f"CASE WHEN {test} THEN {value} END AS {column}"))
        aggs.append(_Agg("most", mean=column, fn=fn, few=grouped, name=f"x{k}"))
    if extra.repeats is not None:
        value, test = extra.repeats
        inner.append(Sql(f"CASE WHEN {test} THEN {value} END AS h"))
    keys = [k for y in year_col.values() for k in (y, f"u{y[1:]}")]
    query = _grouped(relation, inner, aggs, keys, people, sorted(set(values.values())),
                     extra.repeats is not None)
    return query, _Reader(by_fields, slots, tuple(measures), tuple(y.number for y in years),
                          len(extra.counts), len(extra.extremes), extra.repeats is not None)


def _grouped(relation: str, inner: list[Sql], aggs: list[_Agg], keys: list[str],
             people: bool, means: list[str], repeats: bool = False) -> Sql:
    """One scan of ``relation`` answering every figure of ``aggs``, in their order.

    Each record gets a bit (in ``BIGINT`` mask columns ``m0``, ``m1``, …) for each condition
    a record count asks of it, and one for each people count it could make its person
    count (``q0``, …). The marked records are a common table expression that DuckDB streams
    from the one parallel scan to each of its consumers: a grouping by their year columns
    and record bits — a handful of groups, each with its records, and each mean's values
    counted and summed — and, when some measure counts people, a grouping by person, whose
    people bits are OR-ed. A record count is then the records of the groups of its year with
    its bits; a people count the people with theirs. One scan of the file where a
    ``COUNT(*) FILTER (…)`` per figure beside a separate grouping of people would take two,
    and the people's hash table holds one mask per person, not a flag per figure.

    ``repeats``: one more consumer counts the inner column ``h`` less its distinct values,
    the answer's last figure: a separate query would read the file again (1.4 s of CPU of
    10M records), and a grouping set would carry every aggregate for each of 10M values.
    """
    record_bits: dict[str, int] = {}
    people_bits: dict[str, int] = {}
    for a in aggs:
        if a.kind == "people":
            people_bits.setdefault(_where(a.keys, a.conds), len(people_bits))
        elif a.kind != "most":
            for c in a.conds:
                record_bits.setdefault(c, len(record_bits))
    masks = _masks("m", record_bits) + _masks("q", people_bits)
    most = [a for a in aggs if a.kind == "most"]
    marked = (["p"] if people else []) + keys
    marked += [f"{mask} AS {name}" for name, mask in masks]
    marked += means + list(dict.fromkeys(a.mean or "" for a in most))
    by_bits = keys + [a.mean or "" for a in most if a.few]
    by_bits += [name for name, _ in masks if name.startswith("m")]
    people_masks = [name for name, _ in masks if name.startswith("q")]
    singles = [a for a in most if not a.few]
    # Per group of year columns and record bits: its records, each mean's values and sum.
    in_years = (["1 AS g"] if people else []) + by_bits + ["COUNT(*) AS n"]
    in_years += [f"CAST(NULL AS BIGINT) AS {q}" for q in people_masks]
    in_years += ["CAST(NULL AS BIGINT) AS np"] if people else []
    in_years += [f"COUNT({v}) AS n{v}, SUM({v}) AS s{v}" for v in means]
    in_years += [f"{a.fn}({a.mean}) AS {a.name or a.mean}" for a in singles]
    grouped = ("SELECT " + ", ".join(in_years) + " FROM marked"
               + (" GROUP BY " + ", ".join(by_bits) if by_bits else ""))
    if people:
        # Per person, the people bits OR-ed; then the people (millions) condensed to one row
        # per mask they have, with how many have it (``np``): each count then reads a few
        # hundred rows, not every person once per count (1.7 s of CPU on 3.2M people and 35
        # counts). A ``UNION ALL`` beside the years' groups, not ``GROUPING SETS``: those
        # carry every aggregate in every set (each person a count, a sum, …; 3.4 s of CPU
        # against 2.1 s of 10M records).
        in_people = ["0 AS g", *(f"NULL AS {b}" for b in by_bits),
                     "CAST(NULL AS BIGINT) AS n", *people_masks, "COUNT(*) AS np"]
        in_people += [f"NULL AS n{v}, NULL AS s{v}" for v in means]
        in_people += [f"NULL AS {a.name or a.mean}" for a in singles]
        per_person = ", ".join(f"BIT_OR({q}) AS {q}" for q in people_masks)
        grouped += (" UNION ALL SELECT " + ", ".join(in_people) + f" FROM (SELECT {per_person}"
                    " FROM marked GROUP BY p) AS people GROUP BY " + ", ".join(people_masks))
    in_bits = "g = 1" if people else "TRUE"
    outer: list[str] = []
    for a in aggs:
        if a.kind == "most":
            outer.append(f"{a.fn}({a.mean if a.few else a.name or a.mean}) "
                         f"FILTER (WHERE {in_bits})")
        elif a.kind == "people":
            bit = people_bits[_where(a.keys, a.conds)]
            outer.append(f"COALESCE(SUM(np) FILTER (WHERE g = 0 AND {_has('q', [bit])}), 0)")
        else:
            where = " AND ".join([in_bits] + ([f"({a.keys})"] if a.keys else [])
                                 + ([_has("m", [record_bits[c] for c in a.conds])]
                                    if a.conds else []))
            figure = {"rows": "n", "values": f"n{a.mean}", "sum": f"s{a.mean}"}[a.kind]
            total = f"SUM({figure}) FILTER (WHERE {where})"
            outer.append(total if a.kind == "sum" else f"COALESCE({total}, 0)")
    records = "(SELECT " + join(inner or [Sql("1 AS one")]) + f" FROM {relation}) AS records"
    marked_sql = "SELECT " + ", ".join((marked or ["1 AS one"]) + (["h"] if repeats else [])
                                       ) + " FROM " + records
    query = ("WITH marked AS (" + marked_sql + ") SELECT " + ", ".join(outer)
             + (", ANY_VALUE(repeats)" if repeats else "") + f" FROM ({grouped}) AS grouped")
    if repeats:
        query += ", (SELECT COUNT(h) - COUNT(DISTINCT h) AS repeats FROM marked) AS repeated"
    return query


def _where(keys: str | None, conds: tuple[str, ...]) -> str:
    """SQL over the inner columns: the year test and every condition."""
    return " AND ".join(([keys] if keys else []) + list(conds)) or "TRUE"


def _masks(prefix: str, bits: Mapping[str, int]) -> list[tuple[str, str]]:
    """The mask columns of ``bits`` (condition → bit number): name and SQL of each."""
    chunks: dict[int, list[str]] = {}
    for where, bit in bits.items():
        chunks.setdefault(bit // _BITS, []).append(
            f"CASE WHEN {where} THEN CAST({1 << (bit % _BITS)} AS BIGINT) ELSE 0 END")
    return [(f"{prefix}{j}", " + ".join(terms)) for j, terms in sorted(chunks.items())]


def _has(prefix: str, bits: Sequence[int]) -> str:
    """SQL: the mask columns have every one of ``bits``."""
    chunks: dict[int, int] = {}
    for bit in bits:
        chunks[bit // _BITS] = chunks.get(bit // _BITS, 0) | 1 << (bit % _BITS)
    return " AND ".join(f"({prefix}{j} & CAST({m} AS BIGINT)) = CAST({m} AS BIGINT)"
                        for j, m in sorted(chunks.items()))


def _and(a: str, b: str | None) -> str:
    return a if b is None else f"{a} AND {b}"


@dataclass(frozen=True, slots=True)
class _Reader:
    """Turns the query's one row into :class:`DatasetCounts` (and the extra checks' figures)."""

    by_fields: list[str]
    slots: list[_Slot]
    measures: tuple[str, ...]
    years: tuple[int, ...]
    counts: int = 0
    extremes: int = 0
    repeats: bool = False

    def extra(self, row: Sequence[object]) -> tuple[list[int], list[object]]:
        """The figures of :class:`Extra`: each condition's count, each extreme."""
        row = row[:len(row) - self.repeats]
        mine = row[len(row) - self.counts - self.extremes:]
        return ([int(v) for v in mine[:self.counts]],  # type: ignore[call-overload]
                list(mine[self.counts:]))

    def repeated(self, row: Sequence[object]) -> int:
        """The figure of :attr:`Extra.repeats` (0 when it was not asked)."""
        return int(row[-1] or 0) if self.repeats else 0  # type: ignore[call-overload]

    def __call__(self, row: Sequence[object]) -> DatasetCounts:
        row = row[:len(row) - self.counts - self.extremes - self.repeats]
        records = int(row[0])  # type: ignore[call-overload]
        pos = 1
        by: dict[str, ByCounts] = {}
        for b in self.by_fields:
            by[b] = ByCounts(int(row[pos]), int(row[pos + 1]))  # type: ignore[call-overload]
            pos += 2
        found: dict[tuple[str, int], dict[str, object]] = {}
        for slot, value in zip(self.slots, row[pos:], strict=True):
            found.setdefault((slot.measure, slot.year), {})[slot.what] = value
        out: dict[str, tuple[YearCounts, ...]] = {}
        for ident in self.measures:
            rows = []
            for y in self.years:
                got = found.get((ident, y), {})
                total = got.get("total")
                rows.append(YearCounts(
                    year=y, denominator=_int(got.get("denominator")),
                    numerator=_int(got.get("numerator")),
                    total=(Decimal(str(total)) if total is not None
                           else Decimal(0) if "total" in got else None),
                    count=_int(got.get("count"))))
            out[ident] = tuple(rows)
        return DatasetCounts(records=records, by=by, measures=out)


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
