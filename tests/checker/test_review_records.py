"""Review of measures over records (RECORDS.md, Measures and Conditions) against the spec.

Each test here was written failing, from a sentence of RECORDS.md or the standard that bad
or odd input "succeeds or raises our error, never anything else" (exit 3 is a bug).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from obc_check.checker.check import check_bundle
from obc_check.dsl import compile_text

FIELDS = """\
    field id  text
    field a   date
    field b   date
    field n   number
    key id"""


def contract(measure: str, fields: str = FIELDS, unit: str = "count") -> str:
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
      measure R by a {{
        {measure}
      }}
    }}
  }}
}}
'''


def check(tmp_path: Path, measure: str, rows: list[list[str]], fields: str = FIELDS,
          unit: str = "count") -> tuple[object, list[str]]:
    compiled = compile_text(contract(measure, fields, unit))
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
    """E086 bounds a shift at 1,000 years; up to that, even from 9999-12-31, DuckDB holds it."""
    rows = [*ROWS, ["3", "2020-07-01", "9999-12-31", "1"], ["4", "2020-07-02", "0000-01-01",
                                                           "1"]]
    report, codes = check(tmp_path, f"count where a < b {shift} or a > b {shift}", rows)
    assert codes == [] and report is not None


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
    assert report.outcome_payment[0].indicators[0].count == "1"
