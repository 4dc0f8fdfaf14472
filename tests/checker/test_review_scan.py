"""Review of the one scan per dataset (engine/measures.py GROUPING SETS, engine/duck.py _scan).

Each test here was written failing first, or holds a corner the other properties never reach
(more condition or people bits than one 62-bit mask holds).
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
from obc_check.checker.engine.measures import _BITS
from obc_check.dsl import compile_text
from tests.checker.test_records_engine import Row, conds, rows_st, run_python
from tests.checker.test_review_records import DATASET, ROWS, _cell, check, contract, written

HEADER = ["id", "a", "b", "n", "f", "t", "p"]


def _many(pool: list[Any], count: int) -> tuple[str, int]:
    """A contract of ``count`` measures over the conditions of ``pool``, and its people bits.

    Every shape, both ``by`` fields, people counted and not, in turn: each measure has its
    own condition columns (its own record bits), and each people-counted figure of each year
    its own people bit, so that enough measures need several mask columns of each kind.
    """
    out = []
    people_bits = 0
    for j in range(count):
        c1, c2 = written(pool[j % len(pool)]), written(pool[(j // len(pool) + j + 1) % len(pool)])
        by = "ab"[j % 2]
        people = (j // 3) % 3 != 2
        counting = " counting people" if people else ""
        shape = j % 3
        if shape == 0:
            body = (f"measure R by {by}{counting} {{ denominator where {c1}\n"
                    f"      numerator where {c2} }}")
            unit = "percent"
            people_bits += 2 * 2 if people else 0
        elif shape == 1:
            body = f"measure R by {by} {{ mean n where {c1} }}"
            unit = "score"
        else:
            body = f"measure R by {by}{counting} {{ count where {c2} }}"
            unit = "count"
            people_bits += 2 if people else 0
        out.append(f'  indicator I{j} "I{j}" {{\n    unit {unit}\n    {body}\n  }}\n')
    text = ('contract MANY "Many" {\n  version "1"\n  currency GBP\n'
            '  term 2020-01-31 to 2022-01-30\n  party C "C" role commissioner sector nhs\n'
            + DATASET + "".join(out) + "}\n")
    return text, people_bits


def _write(data: Path, rows: list[Row], picks: list[int]) -> None:
    with (data / "R.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i, r in enumerate(rows):
            out.writerow([str(i), *(_cell(r[k], picks[j] + i) for j, k in enumerate("abnft")),
                          str(i % 3)])


def _counted(data: Path, text: str) -> tuple[Any, Any]:
    compiled = compile_text(text)
    assert compiled.contract is not None, (text, compiled.diagnostics)
    bundle, diags = load_bundle(data, compiled.contract)
    assert bundle is not None, diags
    counted, diags = measure_datasets(compiled.contract, bundle.datasets)
    assert counted is not None, diags
    return compiled.contract, counted["R"]


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=rows_st, pool=st.lists(conds, min_size=3, max_size=5),
       picks=st.lists(st.integers(0, 100), min_size=5, max_size=5))
def test_more_bits_than_one_mask_holds_count_as_the_python_evaluator_says(
        tmp_path_factory: pytest.TempPathFactory, rows: list[Row], pool: list[Any],
        picks: list[int]) -> None:
    """48 measures: 64 condition columns and 64 people bits, past one mask of 62 bits each
    (and the record checks' own bits after them)."""
    text, people_bits = _many(pool, 48)
    assert people_bits > _BITS
    data = tmp_path_factory.mktemp("d")
    _write(data, rows, picks)
    contract, found = _counted(data, text)
    measures = {i.id: i.measure for i in contract.all_indicators() if i.measure}
    conditions = sum((m.denominator is not None) + (m.numerator is not None)
                     + (m.where is not None) for m in measures.values())
    assert conditions > _BITS
    python = run_python(rows, measures)
    for ident, years in found.measures.items():
        for y, p in zip(years, python[ident], strict=True):
            assert (y.denominator, y.numerator, y.count) == (p[0], p[1], p[3]), (ident, y, p)
            if p[2] is not None:
                assert Decimal(y.total or 0) == p[2], (ident, y, p)
    assert found.records == len(rows)


ONE = '''contract ONE "One" {
  version "1"
  currency GBP
  term 2020-01-31 to 2022-01-30
  party C "C" role commissioner sector nhs
''' + DATASET + '''  indicator CNT "Count" {
    unit count
    measure R by a { count }
  }
  indicator PP "People" {
    unit percent
    measure R by b counting people {
      denominator where f is missing
      numerator where n > 0
    }
  }
}
'''


@pytest.mark.parametrize("blank", ["   ", " , ,\t", "\t"])
def test_a_line_of_blanks_is_no_record_to_the_measures(tmp_path: Path, blank: str) -> None:
    """The row reader skips a line of only blanks (it is no row); DuckDB's reader gives it
    as a short row, not a record (``ok`` false) and not ragged: the scan counted it as a
    record, unplaced by every ``by`` field, and as a person of no name."""
    (tmp_path / "R.csv").write_text(
        f"id,a,b,n,f,t,p\n1,2020-05-01,2020-05-01,1,,x,P1\n{blank}\n"
        "2,2020-06-01,2020-06-01,2,,y,P2\n", encoding="utf-8")
    _, found = _counted(tmp_path, ONE)
    assert found.records == 2
    assert {b: (c.unplaced, c.outside_term) for b, c in found.by.items()} == {
        "a": (0, 0), "b": (0, 0)}
    assert found.measures["CNT"][0].count == 2
    assert (found.measures["PP"][0].denominator, found.measures["PP"][0].numerator) == (2, 2)


@pytest.mark.parametrize("cell", ["5881580-07-10", "999999-1-1", "294248-01-01",
                                  "-5000-01-01"])
@pytest.mark.parametrize("measure", ["count where a + 1 months > b",
                                     "count where b - 5 years < a or a + 7 days > b",
                                     "count where days from a to b > 0.00000000001"])
def test_a_bad_date_of_a_far_year_is_d008_not_an_engine_error(
        tmp_path: Path, cell: str, measure: str) -> None:
    """DuckDB reads these cells as dates of its own far range, which the scan's conditions
    then moved out of range (a conversion error: exit 3) before the cell was found bad; the
    measures used to be counted only after the records were checked."""
    rows = [*ROWS, ["3", cell, "2020-01-01", "1"]]
    report, codes = check(tmp_path, measure, rows)
    assert report is None and codes == ["D008"]


@pytest.mark.parametrize("days", [200_000_000, 3_000_000, -800_000])
def test_a_parquet_date_no_date_cell_can_be_is_d008_not_an_engine_error(
        tmp_path: Path, days: int) -> None:
    """A date32 column holds days far beyond the years 0001 to 9999 a date cell can have
    (and than DuckDB's month arithmetic reaches: exit 3); RECORDS.md's dates are ISO dates,
    as the same date written in a CSV cell is."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    compiled = compile_text(contract("count where a + 1 months > b"))
    assert compiled.contract is not None
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({
        "id": ["1", "2"], "a": pa.array([days, 18400], pa.int32()).cast(pa.date32()),
        "b": pa.array([18300, None], pa.int32()).cast(pa.date32()),
        "n": pa.array([1, 2], pa.int64())}), data / "R.parquet")
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30))
    assert report is None
    assert [(d.code, d.span.line if d.span else None) for d in diags] == [("D008", 1)]
    assert "is not an ISO date" in diags[0].message, diags[0].message


WIDE = '''contract W "Wide" {{
  version "1"
  currency GBP
  term 2020-01-31 to 2022-01-30
  party C "C" role commissioner sector nhs
  dataset R "Records" {{
    field id text
    field a date
{numbers}    key id
  }}
  indicator CNT "Count" {{
    unit count
    measure R by a {{ count where n0 > 0.5 or n{last} < -1 }}
  }}
  indicator M "Mean" {{
    unit score
    measure R by a {{ mean n{last} where n0 is present }}
  }}
}}
'''


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(width=st.integers(1, 5), cells=st.lists(st.lists(st.one_of(
    st.just(""), st.decimals(-10 ** 17, 10 ** 17, places=0, allow_nan=False).map(str),
    st.builds(lambda whole, places: format(Decimal(whole).scaleb(-places), "f"),
              st.integers(-10 ** 9, 10 ** 9), st.integers(0, 7))),
    min_size=5, max_size=5), min_size=1, max_size=12))
def test_many_number_columns_count_as_the_exact_type(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        width: int, cells: list[list[str]]) -> None:
    """The scan's most places and longest text per number column, with one to five such
    columns (past two they are aggregated, not grouped by): the guess is used only when
    it held every number, so the counts are the exact type's."""
    from obc_check.checker.engine import duck

    text = WIDE.format(numbers="".join(f"    field n{j} number\n" for j in range(width)),
                       last=width - 1)
    data = tmp_path_factory.mktemp("w")
    with (data / "R.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "a", *(f"n{j}" for j in range(width))])
        for i, row in enumerate(cells):
            out.writerow([str(i), f"2020-0{1 + i % 9}-15", *row[:width]])

    def counted() -> Any:
        _, found = _counted(data, text)
        return found.records, found.by, {k: [(y.denominator, str(y.total), y.count) for y in v]
                                         for k, v in found.measures.items()}

    guessed = counted()
    rows = [[Decimal(c) if c else None for c in row[:width]] for i, row in enumerate(cells)
            if i % 9]  # the 15th of January is before the term
    first, last = [r[0] for r in rows], [r[width - 1] for r in rows]
    count = sum((a is not None and a > Decimal("0.5")) or (b is not None and b < -1)
                for a, b in zip(first, last, strict=True))
    values = [b for a, b in zip(first, last, strict=True) if a is not None and b is not None]
    assert guessed[2]["CNT"][0][2] == count
    assert guessed[2]["M"][0][0] == len(values)
    assert Decimal(guessed[2]["M"][0][1]) == sum(values, Decimal(0))
    with monkeypatch.context() as m:
        m.setattr(duck, "_guess_places", lambda measures: None)
        assert counted() == guessed
