"""Review of measures over records (RECORDS.md, Measures and Conditions) against the spec.

Each test here was written failing, from a sentence of RECORDS.md or the standard that bad
or odd input "succeeds or raises our error, never anything else" (exit 3 is a bug).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.check import check_bundle
from obc_check.checker.data.load import load_bundle
from obc_check.checker.engine import measure_datasets
from obc_check.dsl import compile_text
from obc_check.model import (
    And,
    Between,
    Compare,
    Cond,
    DateValue,
    DaysBetween,
    Expr,
    FieldRef,
    FlagValue,
    InList,
    IsMissing,
    IsTrue,
    Not,
    NumberValue,
    Or,
    Shift,
    TextValue,
)
from tests.checker.test_records_engine import Row, conds, rows_st, run_python

FIELDS = """\
    field id  text
    field a   date
    field b   date
    field n   number
    key id"""


def contract(measure: str, fields: str = FIELDS, unit: str = "count", extra: str = "") -> str:
    return f'''contract H "Review" {{
  version "1"
  currency GBP
  term 2020-04-01 to 2022-03-31
  party C "C" role commissioner sector nhs
  party P "P" role lead_provider sector nhs
  outcome_payment £1,000
  dataset R "Records" {{
{fields}
  }}
  outcome O "O" weight 100% {{
    indicator N "N" {{
      unit {unit}
      higher is better
      floor 0
      target 2
      {extra}
      measure R by a {{
        {measure}
      }}
    }}
  }}
}}
'''


def check(tmp_path: Path, measure: str, rows: list[list[str]], fields: str = FIELDS,
          unit: str = "count", extra: str = "") -> tuple[Any, list[str]]:
    compiled = compile_text(contract(measure, fields, unit, extra))
    assert compiled.contract is not None, compiled.diagnostics
    data = tmp_path / "data"
    data.mkdir()
    with (data / "R.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30))
    return report, [d.code for d in diags if d.severity == "error"]


ROWS = [["id", "a", "b", "n"], ["1", "2020-05-01", "2020-06-01", "1.5"],
        ["2", "2021-05-01", "", "-2"]]


@pytest.mark.parametrize("literal", [
    "99999999999999999999999999999999999999999",  # 41 digits: wider than any DECIMAL
    "9999999999999999999999999999999999999",  # 37 digits, and the data has 2 decimals
])
def test_a_number_in_a_condition_wider_than_an_exact_decimal_is_our_error(
        tmp_path: Path, literal: str) -> None:
    rows = [*ROWS, ["3", "2020-07-01", "", "0.25"]]
    report, codes = check(tmp_path, f"count where n < {literal}", rows)
    assert report is None and codes == ["D043"]


def test_a_number_in_a_condition_that_fits_beside_the_data_is_compared_exactly(
        tmp_path: Path) -> None:
    report, codes = check(tmp_path, "count where n < 999999999999999999999999999999999999",
                          ROWS)
    assert codes == [] and report is not None


def test_days_from_a_to_b_beside_numbers_of_many_decimals_is_our_error(
        tmp_path: Path) -> None:
    # 33 decimals leave 5 digits before the point: too few for a count of days (up to 7)
    rows = [*ROWS, ["3", "2020-07-01", "9999-12-31", "0." + "1" * 33]]
    report, codes = check(tmp_path, "count where days from a to b > 0", rows)
    assert report is None and codes == ["D043"]


def test_a_mean_whose_sum_needs_more_digits_than_an_exact_decimal_is_our_error(
        tmp_path: Path) -> None:
    big = "9" * 37
    rows = [["id", "a", "b", "n"], *([str(i), "2020-05-01", "", big] for i in range(20))]
    report, codes = check(tmp_path, "mean n", rows, unit="score")
    assert report is None and codes == ["D043"]


@pytest.mark.parametrize("shift", ["+ 365250 days", "- 52178 weeks", "+ 12000 months",
                                   "- 1000 years"])
def test_a_date_moved_by_the_most_a_condition_allows_is_counted(tmp_path: Path,
                                                                 shift: str) -> None:
    """E086 bounds a shift at 1,000 years; up to that, even from 9999-12-31 or 0001-01-01
    (the first and last days a date cell can hold), DuckDB holds it."""
    rows = [*ROWS, ["3", "2020-07-01", "9999-12-31", "1"], ["4", "2020-07-02", "0001-01-01",
                                                           "1"]]
    report, codes = check(tmp_path, f"count where a < b {shift} or a > b {shift}", rows)
    assert codes == [] and report is not None


def test_a_dataset_date_of_year_0000_is_not_a_date_as_in_the_five_tables(
        tmp_path: Path) -> None:
    """Year 0 is no year of the calendar Python (and the five tables' reader) knows: the
    dataset's cells say so too (D008), where they used to count it outside the term."""
    rows = [*ROWS, ["3", "2020-07-01", "0000-01-01", "1"]]
    report, codes = check(tmp_path, "count where a < b", rows)
    assert report is None and codes == ["D008"]


def test_a_parquet_decimal_wider_than_38_digits_is_refused_not_read_as_a_float(
        tmp_path: Path) -> None:
    """RECORDS.md: a number field is "an integer or decimal column ... a floating-point
    column is an error, since it cannot hold exact decimals". DuckDB reads a Parquet decimal
    of more than 38 digits (pyarrow's decimal256) as DOUBLE: 1234567890.123456789 became
    1234567890.1234567 and the condition below silently counted 0."""
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    compiled = compile_text(contract("count where n = 1234567890.123456789"))
    assert compiled.contract is not None, compiled.diagnostics
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({
        "id": ["1", "2"], "a": pa.array([dt.date(2020, 5, 1)] * 2),
        "b": pa.array([None, None], pa.date32()),
        "n": pa.array([decimal.Decimal("1234567890.123456789"), decimal.Decimal("0.1")],
                      pa.decimal256(50, 9))}), data / "R.parquet")
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30))
    assert report is None
    [d] = [d for d in diags if d.severity == "error"]
    assert d.code == "D043" and "decimal256(50, 9)" in d.message


def test_a_parquet_decimal_of_38_digits_is_read_exactly(tmp_path: Path) -> None:
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    compiled = compile_text(contract("count where n = 1234567890.123456789"))
    assert compiled.contract is not None, compiled.diagnostics
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({
        "id": ["1", "2"], "a": pa.array([dt.date(2020, 5, 1)] * 2),
        "b": pa.array([None, None], pa.date32()),
        "n": pa.array([decimal.Decimal("1234567890.123456789"), decimal.Decimal("0.1")],
                      pa.decimal128(38, 9))}), data / "R.parquet")
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30))
    assert report is not None, diags
    assert report.outcome_payment is not None
    assert (report.outcome_payment or [])[0].indicators[0].count == "1"


@pytest.mark.parametrize(("measure", "unit", "fields"), [
    ("mean n", "score", {"total": "4", "denominator": "3"}),
    ("denominator\n        numerator where n > 1", "ratio",
     {"numerator": "1", "denominator": "3"}),
])
def test_a_rounded_measured_value_keeps_its_counts(tmp_path: Path, measure: str, unit: str,
                                                   fields: dict[str, str]) -> None:
    """RECORDS.md: a measured year's row adds `total` and `denominator` (mean) or `numerator`
    and `denominator` (proportion); TERMS.md's `value rounded to` rounds the value only. The
    rounded mean 4/3 -> 1.3 lost its `total`."""
    rows = [["id", "a", "b", "n"], ["1", "2020-05-01", "", "1"], ["2", "2020-05-02", "", "1"],
            ["3", "2020-05-03", "", "2"]]
    report, codes = check(tmp_path, measure, rows, unit=unit,
                          extra="value rounded to 1 decimal place")
    assert codes == [] and report is not None
    row = (report.outcome_payment or [])[0].indicators[0].model_dump(mode="json")
    assert row["value"] in ("1.3", "0.3")
    assert {k: row.get(k) for k in fields} == fields


def test_a_means_total_is_the_exact_sum(tmp_path: Path) -> None:
    """RECORDS.md: "`total` the exact sum as a decimal string". It was shown to four places:
    a sum of 0.00001 and 0.00002 was "0" (and the derivation said "= 0 / 2")."""
    rows = [["id", "a", "b", "n"], ["1", "2020-05-01", "", "0.00001"],
            ["2", "2020-05-02", "", "0.00002"], ["3", "2021-05-02", "", "-123456789.123456789"]]
    report, codes = check(tmp_path, "mean n", rows, unit="score")
    assert codes == [] and report is not None
    first, second = (y.indicators[0] for y in report.outcome_payment or [])
    assert (first.total, first.denominator) == ("0.00003", "2")
    assert "0.00003 / 2" in first.derivation
    assert second.total == "-123456789.123456789"


def test_a_json_boolean_is_a_flag(tmp_path: Path) -> None:
    """RECORDS.md: a flag is `true`/`false` (or yes/no, y/n, 1/0), and a dataset's table in a
    JSON bundle is a list of objects. JSON's own `true` and `false` were refused (D006: "not
    a string, a number or null"), though a workbook's TRUE cell is read as a flag; elsewhere
    (a text or number field, the five tables) a JSON boolean stays an error."""
    import json

    fields = FIELDS + "\n    field f flag\n    field t text"
    compiled = compile_text(contract("count where f", fields))
    assert compiled.contract is not None, compiled.diagnostics

    def rec(i: int, f: object, t: object = "x") -> dict[str, object]:
        return {"id": str(i), "a": "2020-05-01", "b": None, "n": 1, "f": f, "t": t}

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"R": [rec(1, True), rec(2, False), rec(3, None),
                                      rec(4, "Y")]}), encoding="utf-8")
    report, diags = check_bundle(compiled.contract, good, dt.date(2022, 6, 30))
    assert report is not None, diags
    assert (report.outcome_payment or [])[0].indicators[0].count == "2"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"R": [rec(1, True, t=True)]}), encoding="utf-8")
    report, diags = check_bundle(compiled.contract, bad, dt.date(2022, 6, 30))
    assert report is None
    assert [(d.code, "`t`" in d.message) for d in diags if d.severity == "error"] == [
        ("D006", True)]


@pytest.mark.parametrize("declared", [False, True])
def test_a_parquet_column_named_file_row_number_is_harmless(tmp_path: Path,
                                                           declared: bool) -> None:
    """RECORDS.md: "other columns are allowed and ignored". DuckDB's row-number option adds
    a column `file_row_number` and refused a file that has one (Binder Error, exit 3)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = FIELDS + ('\n    field frn number from "file_row_number"' if declared else "")
    compiled = compile_text(contract("count where n > 0", fields))
    assert compiled.contract is not None, compiled.diagnostics
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({
        "id": ["1", "2", "3"], "a": pa.array([dt.date(2020, 5, 1)] * 3),
        "b": pa.array([None] * 3, pa.date32()), "n": ["1", "-2", "3"],
        "file_row_number": pa.array([70, 80, 90], pa.int64())}), data / "R.parquet")
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30))
    assert report is not None, diags
    assert (report.outcome_payment or [])[0].indicators[0].count == "2"
    # a bad cell is still reported at its own row (2), not at the column's value
    pq.write_table(pa.table({
        "id": ["1", "2"], "a": pa.array([dt.date(2020, 5, 1)] * 2),
        "b": pa.array([None] * 2, pa.date32()), "n": ["1", "x"],
        "file_row_number": pa.array([70, 80], pa.int64())}), data / "R.parquet")
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30))
    assert report is None
    assert [(d.code, d.span.line if d.span else 0) for d in diags] == [("D007", 2)]


def test_a_parquet_file_with_a_column_name_twice(tmp_path: Path) -> None:
    """A Parquet file may hold two columns of one name (pyarrow writes them). A repeated
    column the dataset reads is D005, as in a CSV header (which of the two is meant?); one it
    ignores is harmless. Both stopped check with a KeyError (exit 3)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    compiled = compile_text(contract("count where n > 0"))
    assert compiled.contract is not None, compiled.diagnostics
    data = tmp_path / "data"
    data.mkdir()
    dates = pa.array([dt.date(2020, 5, 1)] * 2)
    nulls = pa.array([None] * 2, pa.date32())

    def write(names: list[str]) -> None:
        columns = [pa.array(["1", "2"]), dates, nulls, pa.array(["1", "-2"]),
                   pa.array(["x", "y"]), pa.array(["5", "6"])]
        pq.write_table(pa.Table.from_arrays(columns, names=names), data / "R.parquet")

    write(["id", "a", "b", "n", "extra", "extra"])
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30))
    assert report is not None, diags
    assert (report.outcome_payment or [])[0].indicators[0].count == "1"
    write(["id", "a", "b", "n", "x", "n"])
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30))
    assert report is None
    assert [(d.code, "`n`" in d.message) for d in diags] == [("D005", True)]


# ---- the differential test from the contract's text and the data's spellings --------------
# test_records_engine holds DuckDB equal to a Python evaluator on typed columns handed to the
# query directly. Here the same random trees are written as condition *text* (with the fewest
# parentheses RECORDS.md's precedence allows: `not` over `and` over `or`, and the `and`
# after `between X` belongs to the between), compiled, and the records written as CSV cells
# in the spellings RECORDS.md allows (flags in any case, numbers with leading and trailing
# zeros, -0): parser, builder, typed view and query together must count what Python counts.
def _written(e: Expr) -> str:
    if isinstance(e, FieldRef):
        return e.name
    if isinstance(e, NumberValue):
        return format(e.value, "f")
    if isinstance(e, TextValue):
        return f'"{e.value}"'
    if isinstance(e, DateValue):
        return e.value.isoformat()
    if isinstance(e, FlagValue):
        return "true" if e.value else "false"
    if isinstance(e, Shift):
        return f"{e.field.name} {'-' if e.amount < 0 else '+'} {abs(e.amount)} {e.unit}"
    assert isinstance(e, DaysBetween)
    return f"days from {e.start.name} to {e.end.name}"


_LEVEL: dict[type, int] = {Or: 0, And: 1, Not: 2}


def written(c: Cond, level: int = 0) -> str:
    """``c`` as condition text; parentheses only where the precedence needs them."""
    mine = _LEVEL.get(type(c), 3)
    if isinstance(c, Or | And):
        text = (" or " if isinstance(c, Or) else " and ").join(
            written(i, mine + (0 if type(i) is type(c) else 1)) for i in c.items)
    elif isinstance(c, Not):
        text = "not " + written(c.item, 2)
    elif isinstance(c, IsTrue):
        text = c.field.name
    elif isinstance(c, IsMissing):
        text = f"{c.field.name} is {'missing' if c.missing else 'present'}"
    elif isinstance(c, Compare):
        text = f"{_written(c.left)} {c.op} {_written(c.right)}"
    elif isinstance(c, InList):
        text = f"{_written(c.expr)} in ({', '.join(_written(v) for v in c.values)})"
    else:
        assert isinstance(c, Between)
        text = f"{_written(c.expr)} between {_written(c.low)} and {_written(c.high)}"
    return f"({text})" if mine < level else text


#: The dataset of the differential tests: every field type, a key and a person.
DATASET = '''  dataset R "Records" {
    field id text
    field a date
    field b date
    field n number
    field f flag
    field t text
    field p text
    key id
    person p
  }
'''


def _contract_of(c1: Cond, c2: Cond, people: bool, by: str) -> str:
    counting = " counting people" if people else ""
    return f'''contract DIFF "Differential" {{
  version "1"
  currency GBP
  term 2020-01-31 to 2022-01-30
  party C "C" role commissioner sector nhs
{DATASET}  indicator P "P" {{
    unit percent
    measure R by {by}{counting} {{
      denominator where {written(c1)}
      numerator   where {written(c2)}
    }}
  }}
  indicator M "M" {{
    unit days
    measure R by {by} {{ mean days from a to b where {written(c2)} }}
  }}
  indicator V "V" {{
    unit score
    measure R by {by} {{ mean n where {written(c1)} }}
  }}
  indicator CNT "Count" {{
    unit count
    measure R by {by}{counting} {{ count where {written(c1)} }}
  }}
}}
'''


_TRUE = ["true", "TRUE", "True", "yes", "Yes", "y", "Y", "1"]
_FALSE = ["false", "FALSE", "no", "NO", "n", "N", "0"]


def _cell(v: object, pick: int) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        words = _TRUE if v else _FALSE
        return words[pick % len(words)]
    if isinstance(v, Decimal):
        text = format(v, "f")
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        if pick % 3 == 1:
            digits = "00" + digits  # leading zeros
        elif pick % 3 == 2:
            digits += "0" if "." in digits else ".00"  # trailing zeros
        return sign + digits
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=rows_st, c1=conds, c2=conds, people=st.booleans(), by=st.sampled_from(["a", "b"]),
       picks=st.lists(st.integers(0, 100), min_size=5, max_size=5))
def test_conditions_written_as_text_count_as_the_python_evaluator_says(
        tmp_path_factory: pytest.TempPathFactory, rows: list[Row], c1: Cond, c2: Cond,
        people: bool, by: str, picks: list[int]) -> None:
    text = _contract_of(c1, c2, people, by)
    compiled = compile_text(text)
    assert compiled.contract is not None, (text, compiled.diagnostics)
    data = tmp_path_factory.mktemp("d")
    with (data / "R.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "a", "b", "n", "f", "t", "p"])
        for i, r in enumerate(rows):
            out.writerow([str(i), *(_cell(r[k], picks[j] + i) for j, k in
                                    enumerate("abnft")), str(i % 3)])
    measures = {i.id: i.measure for i in compiled.contract.all_indicators() if i.measure}
    python = run_python(rows, measures)
    _same_counts(data, compiled.contract, python, text)
    # the same records as typed Parquet columns (the engine uses them as they are)
    import pyarrow as pa
    import pyarrow.parquet as pq

    (data / "R.csv").unlink()
    pq.write_table(pa.table({
        "id": pa.array([str(i) for i in range(len(rows))], pa.string()),
        "a": pa.array([r["a"] for r in rows], pa.date32()),
        "b": pa.array([r["b"] for r in rows], pa.date32()),
        "n": pa.array([r["n"] for r in rows], pa.decimal128(12, 2)),
        "f": pa.array([r["f"] for r in rows], pa.bool_()),
        "t": pa.array([r["t"] for r in rows], pa.string()),
        "p": pa.array([str(i % 3) for i in range(len(rows))], pa.string())}),
        data / "R.parquet")
    _same_counts(data, compiled.contract, python, text)


def _same_counts(data: Path, contract: Any, python: dict[str, list[tuple[Any, ...]]],
                 text: str) -> None:
    bundle, diags = load_bundle(data, contract)
    assert bundle is not None, diags
    counted, diags = measure_datasets(contract, bundle.datasets)
    assert counted is not None, diags
    for ident, years in counted["R"].measures.items():
        for y, p in zip(years, python[ident], strict=True):
            assert (y.denominator, y.numerator, y.count) == (p[0], p[1], p[3]), (text, ident)
            if p[2] is not None:
                assert Decimal(y.total or 0) == p[2], (text, ident)
