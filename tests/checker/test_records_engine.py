"""Measures over records (RECORDS.md) on DuckDB: formats agree, hostile headers are harmless,
and the engine agrees with a small pure-Python evaluator of the same condition tree."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.check import check_bundle
from obc_check.checker.data.convert import write_sheets
from obc_check.checker.engine import duck
from obc_check.checker.engine.measures import measures_query
from obc_check.dsl import compile_file, compile_text
from obc_check.model import (
    And,
    Between,
    Compare,
    Cond,
    ContractYear,
    DateValue,
    DaysBetween,
    Expr,
    FieldRef,
    FlagValue,
    InList,
    IsMissing,
    IsTrue,
    Measure,
    Not,
    NumberValue,
    Or,
    Shift,
    TextValue,
    add_months,
    contract_years,
)

ROOT = Path(__file__).resolve().parents[2]
EIP = ROOT / "contracts" / "eip_records"


def _report(data: Path) -> str:
    compiled = compile_file(EIP / "contract.obc")
    assert compiled.contract is not None
    report, diags = check_bundle(compiled.contract, data, dt.date(2019, 9, 30))
    assert report is not None, diags
    return json.dumps(_figures(json.loads(report.to_json())), sort_keys=True)


def _figures(node: object) -> object:
    """The report without the words that name source files (derivations, the bundle)."""
    if isinstance(node, dict):
        return {k: _figures(v) for k, v in node.items() if k not in ("derivation", "data")}
    if isinstance(node, list):
        return [_figures(v) for v in node]
    return node


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_csv_parquet_json_and_xlsx_give_the_same_report(tmp_path: Path) -> None:
    expected = _report(EIP / "data")
    tables = {p.stem: _rows(p) for p in sorted((EIP / "data").glob("*.csv"))}
    # JSON: every table a list of objects; an empty cell is null
    doc = {name: [{h: (v or None) for h, v in zip(rows[0], r, strict=True)} for r in rows[1:]]
           for name, rows in tables.items()}
    (tmp_path / "data.json").write_text(json.dumps(doc), encoding="utf-8")
    assert _report(tmp_path / "data.json") == expected
    write_sheets({name: [[v or None for v in r] for r in rows] for name, rows in tables.items()},
                 tmp_path / "data.xlsx")
    assert _report(tmp_path / "data.xlsx") == expected
    # Parquet: the datasets as typed columns (dates as dates, ages as integers, flags as text)
    folder = tmp_path / "parquet"
    folder.mkdir()
    for name in ("indicators", "submissions"):
        shutil.copy(EIP / "data" / f"{name}.csv", folder)
    for name, rows in tables.items():
        if name.isupper():
            cols = {h: [r[i] or None for r in rows[1:]] for i, h in enumerate(rows[0])}
            arrays = {}
            for h, values in cols.items():
                if h.endswith("_on"):
                    arrays[h] = pa.array([dt.date.fromisoformat(v) if v else None
                                          for v in values], type=pa.date32())
                elif h == "age":
                    arrays[h] = pa.array([int(v) if v else None for v in values], pa.int32())
                else:
                    arrays[h] = pa.array(values, type=pa.string())
            pq.write_table(pa.table(arrays), folder / f"{name}.parquet")
    assert _report(folder) == expected


HOSTILE = "Team'; DROP TABLE raw0; --"
CONTRACT = f'''contract H "Hostile headers" {{
  version "1"
  currency GBP
  term 2020-04-01 to 2021-03-31
  party C "C" role commissioner sector nhs
  party P "P" role lead_provider sector nhs
  outcome_payment £1,000
  dataset RECS "Records" {{
    field rid  text from "id ) OR 1=1 --"
    field seen date from "on; SELECT 1"
    field team text from "{HOSTILE}"
  }}
  outcome O "O" weight 100% {{
    indicator N "N" {{
      unit count
      higher is better
      floor 0
      target 2
      measure RECS by seen {{
        count where team = "North'; --"
      }}
    }}
  }}
}}
'''


def test_hostile_headers_and_values_are_harmless(tmp_path: Path) -> None:
    compiled = compile_text(CONTRACT)
    assert compiled.contract is not None, compiled.diagnostics
    ds = compiled.contract.datasets[0]
    header = [f.column for f in ds.fields]
    rows = [["1", "2020-05-01", "North'; --"], ["2", "2020-06-01", "South"],
            ["3", "2020-07-01", "North'; --"]]
    data = tmp_path / "data"
    data.mkdir()
    with (data / "RECS.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    report, diags = check_bundle(compiled.contract, data, dt.date(2021, 6, 30))
    assert report is not None, diags
    [year] = report.outcome_payment or []
    assert year.indicators[0].count == "2"
    # the same through Parquet, whose column names reach SQL quoted
    (data / "RECS.csv").unlink()
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}),
                   data / "RECS.parquet")
    report, diags = check_bundle(compiled.contract, data, dt.date(2021, 6, 30))
    assert report is not None, diags
    assert (report.outcome_payment or [])[0].indicators[0].count == "2"


# ---- differential: DuckDB against a pure-Python evaluator of the same tree ----------------
YEARS = contract_years(dt.date(2020, 1, 31), dt.date(2022, 1, 30))
D1 = FieldRef(name="a", type="date")
D2 = FieldRef(name="b", type="date")
NUM = FieldRef(name="n", type="number")
FLAG = FieldRef(name="f", type="flag")
TEXT = FieldRef(name="t", type="text")

Row = dict[str, object]


def shift(d: dt.date, amount: int, unit: str) -> dt.date:
    if unit in ("days", "weeks"):
        return d + dt.timedelta(days=amount * (7 if unit == "weeks" else 1))
    return add_months(d, amount * (12 if unit == "years" else 1))


def value(e: Expr, row: Row) -> object:
    if isinstance(e, FieldRef):
        return row[e.name]
    if isinstance(e, NumberValue | TextValue | DateValue | FlagValue):
        return e.value
    if isinstance(e, Shift):
        d = row[e.field.name]
        return None if d is None else shift(d, e.amount, e.unit)  # type: ignore[arg-type]
    assert isinstance(e, DaysBetween)
    a, b = row[e.start.name], row[e.end.name]
    return None if a is None or b is None else Decimal((b - a).days)  # type: ignore[operator]


OPS = {"=": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
       "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y}


def holds(c: Cond, row: Row) -> bool:
    """RECORDS.md: a comparison, in or between with a missing operand is false."""
    if isinstance(c, And):
        return all(holds(i, row) for i in c.items)
    if isinstance(c, Or):
        return any(holds(i, row) for i in c.items)
    if isinstance(c, Not):
        return not holds(c.item, row)
    if isinstance(c, IsTrue):
        return row[c.field.name] is True
    if isinstance(c, IsMissing):
        return (row[c.field.name] is None) == c.missing
    if isinstance(c, Compare):
        a, b = value(c.left, row), value(c.right, row)
        return a is not None and b is not None and OPS[c.op](a, b)
    if isinstance(c, InList):
        a = value(c.expr, row)
        return a is not None and any(a == value(v, row) for v in c.values)
    assert isinstance(c, Between)
    a, lo, hi = value(c.expr, row), value(c.low, row), value(c.high, row)
    return a is not None and lo is not None and hi is not None and lo <= a <= hi  # type: ignore


def year_of(d: object, years: tuple[ContractYear, ...]) -> int | None:
    if d is None:
        return None
    return next((y.number for y in years if y.start <= d <= y.end), None)  # type: ignore


dates = st.one_of(st.none(), st.dates(dt.date(2019, 12, 1), dt.date(2022, 3, 31)),
                  st.sampled_from([dt.date(2020, 2, 29), dt.date(2020, 1, 31),
                                   dt.date(2021, 3, 31), dt.date(2020, 12, 31)]))
numbers = st.one_of(st.none(), st.decimals(-50, 50, places=2, allow_nan=False))
rows_st = st.lists(st.fixed_dictionaries({
    "a": dates, "b": dates, "n": numbers, "f": st.one_of(st.none(), st.booleans()),
    "t": st.one_of(st.none(), st.sampled_from(["North", "South", "it's"]))}),
    max_size=40)

date_expr = st.one_of(st.just(D1), st.just(D2),
                      st.builds(lambda f, n, u: Shift(field=f, amount=n, unit=u),
                                st.sampled_from([D1, D2]), st.integers(-14, 14),
                                st.sampled_from(["days", "weeks", "months", "years"])),
                      st.builds(lambda d: DateValue(value=d), st.dates(dt.date(2020, 1, 1),
                                                                        dt.date(2021, 12, 31))))
num_expr = st.one_of(st.just(NUM), st.just(DaysBetween(start=D1, end=D2)),
                     st.builds(lambda v: NumberValue(value=v),
                               st.decimals(-50, 50, places=3, allow_nan=False)))
atoms = st.one_of(
    st.just(IsTrue(field=FLAG)),
    st.builds(lambda b: Compare(op="=", left=FLAG, right=FlagValue(value=b)), st.booleans()),
    st.builds(lambda f, m: IsMissing(field=f, missing=m),
              st.sampled_from([D1, D2, NUM, FLAG, TEXT]), st.booleans()),
    st.builds(lambda op, a, b: Compare(op=op, left=a, right=b),
              st.sampled_from(list(OPS)), date_expr, date_expr),
    st.builds(lambda op, a, b: Compare(op=op, left=a, right=b),
              st.sampled_from(list(OPS)), num_expr, num_expr),
    st.builds(lambda op, v: Compare(op=op, left=TEXT, right=TextValue(value=v)),
              st.sampled_from(["=", "!="]), st.sampled_from(["North", "it's", "x"])),
    st.builds(lambda vs: InList(expr=TEXT, values=tuple(TextValue(value=v) for v in vs)),
              st.lists(st.sampled_from(["North", "South", "it's"]), min_size=1, max_size=3)),
    st.builds(lambda vs: InList(expr=NUM, values=tuple(NumberValue(value=v) for v in vs)),
              st.lists(st.decimals(-5, 5, places=1, allow_nan=False), min_size=1, max_size=3)),
    st.builds(lambda a, lo, hi: Between(expr=a, low=lo, high=hi), date_expr, date_expr,
              date_expr),
    st.builds(lambda a, lo, hi: Between(expr=a, low=lo, high=hi), num_expr, num_expr,
              num_expr),
)
conds = st.recursive(atoms, lambda inner: st.one_of(
    st.builds(lambda c: Not(item=c), inner),
    st.builds(lambda cs: And(items=tuple(cs)), st.lists(inner, min_size=2, max_size=3)),
    st.builds(lambda cs: Or(items=tuple(cs)), st.lists(inner, min_size=2, max_size=3))),
    max_leaves=6)


def run_engine(rows: list[Row], measures: dict[str, Measure]) -> dict[str, list[tuple]]:
    fields = ["a", "b", "n", "f", "t"]
    table = pa.table({
        "a": pa.array([r["a"] for r in rows], pa.date32()),
        "b": pa.array([r["b"] for r in rows], pa.date32()),
        "n": pa.array([r["n"] for r in rows], pa.decimal128(38, 3)),
        "f": pa.array([r["f"] for r in rows], pa.bool_()),
        "t": pa.array([r["t"] for r in rows], pa.string()),
        "p": pa.array([str(i % 3) for i in range(len(rows))], pa.string())})
    with duck.connection() as con:
        con.register("typed0", table)
        columns = {f: f for f in fields}
        query, read = measures_query("typed0", columns, "p", measures, YEARS, duck.dialect(3))
        found = read(con.execute(query.text, list(query.params)).fetchall()[0])
    return {k: [(y.denominator, y.numerator, y.total, y.count) for y in v]
            for k, v in found.measures.items()}


def run_python(rows: list[Row], measures: dict[str, Measure]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for ident, m in measures.items():
        got = []
        for y in YEARS:
            mine = [(i, r) for i, r in enumerate(rows) if year_of(r[m.by], YEARS) == y.number]
            if m.shape == "proportion":
                d = [(i, r) for i, r in mine if m.denominator is None or holds(m.denominator, r)]
                n = [(i, r) for i, r in d if m.numerator is None or holds(m.numerator, r)]
                if m.counting_people:
                    got.append((len({i % 3 for i, _ in d}), len({i % 3 for i, _ in n}),
                                None, None))
                else:
                    got.append((len(d), len(n), None, None))
            elif m.shape == "mean":
                assert m.value is not None
                vals = [value(m.value, r) for _, r in mine
                        if m.where is None or holds(m.where, r)]
                vals = [v for v in vals if v is not None]
                got.append((len(vals), None, sum(vals, Decimal(0)), None))  # type: ignore
            else:
                c = [(i, r) for i, r in mine if m.where is None or holds(m.where, r)]
                got.append((None, None, None,
                            len({i % 3 for i, _ in c}) if m.counting_people else len(c)))
        out[ident] = got
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_st, conds, conds, st.booleans(), st.sampled_from(["a", "b"]))
def test_engine_equals_python(rows: list[Row], c1: Cond, c2: Cond, people: bool,
                              by: str) -> None:
    measures = {
        "P": Measure(dataset="R", by=by, counting_people=people, shape="proportion",
                     denominator=c1, numerator=c2),
        "M": Measure(dataset="R", by=by, shape="mean", value=DaysBetween(start=D1, end=D2),
                     where=c2),
        "V": Measure(dataset="R", by=by, shape="mean", value=NUM, where=c1),
        "C": Measure(dataset="R", by=by, counting_people=people, shape="count", where=c1),
    }
    engine, python = run_engine(rows, measures), run_python(rows, measures)
    for ident in measures:
        for e, p in zip(engine[ident], python[ident], strict=True):
            assert e[0] == p[0] and e[1] == p[1] and e[3] == p[3], (ident, e, p)
            if p[2] is not None:
                assert Decimal(e[2] or 0) == p[2], (ident, e, p)
