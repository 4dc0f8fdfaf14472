"""The one scan that checks a dataset's records and counts its measures (engine/duck.py).

The scan counts at a guessed decimal type (64-bit, two places or a condition's) before the
data's numbers are known, and uses those counts only when the scan shows the type held
every number; otherwise the measures are counted again at the exact type. These tests hold
the two ways to the same answer, written the same (a mean's total to the exact type's
places), on numbers of every width and number of places, as CSV text and as typed Parquet.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.data.load import load_bundle
from obc_check.checker.engine import duck, measure_datasets
from obc_check.checker.engine.measures import measures_query
from obc_check.dsl import compile_text

CONTRACT = '''contract S "One scan" {{
  version "1"
  currency GBP
  term 2020-04-01 to 2022-03-31
  party C "C" role commissioner sector nhs
  dataset R "Records" {{
    field id text
    field a  date
    field n  number
    field f  flag
    field p  text
    key id
    person p
  }}
  indicator MEAN "Mean" {{
    unit score
    measure R by a {{ mean n where f }}
  }}
  indicator SOME "Some" {{
    unit count
    measure R by a {{ count where n > {literal} }}
  }}
  indicator PEOPLE "People" {{
    unit percent
    measure R by a counting people {{
      denominator where n is present
      numerator   where n <= {literal}
    }}
  }}
}}
'''

def _numbers(most_places: int, most_digits: int) -> st.SearchStrategy[Decimal | None]:
    """Numbers of up to ``most_places`` places and ``most_digits`` digits before the point."""
    def number(whole: int, places: int, digits: int, negative: bool) -> Decimal:
        text = str(whole % 10 ** digits) + (f".{whole % 10 ** places:0{places}d}"
                                             if places else "")
        return Decimal(("-" if negative else "") + text)

    return st.one_of(st.none(), st.builds(number, st.integers(0, 10 ** 20),
                                          st.integers(0, most_places),
                                          st.integers(1, most_digits), st.booleans()))


def _rows(numbers: st.SearchStrategy[Decimal | None]) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.tuples(st.dates(min_value=dt.date(2020, 1, 1),
                                       max_value=dt.date(2022, 6, 30)),
                              numbers, st.booleans(), st.integers(0, 3)),
                    min_size=1, max_size=25)


#: Records whose numbers the guessed type holds (two places, a few digits), and records
#: with some it does not (a third place, a seventeenth digit).
rows_st = st.one_of(_rows(_numbers(2, 6)), _rows(_numbers(6, 20)))
literals = st.sampled_from(["0", "5", "-1.5", "0.125", "1000000000000000000", "2.000001"])


def _typed(values: list[Decimal | None], kind: str) -> pa.Array:
    """The numbers as a typed Parquet column of ``kind`` (cut to what it holds)."""
    if kind == "int64":
        return pa.array([None if v is None else int(v) % 10 ** 18 for v in values], pa.int64())
    if kind == "decimal128(20, 2)":
        return pa.array([None if v is None else v.quantize(Decimal("0.01")) % 10 ** 18
                         for v in values], pa.decimal128(20, 2))
    return pa.array(values, pa.decimal128(27, 6))


def _counts(data: Path, text: str, exact_only: bool, monkeypatch: pytest.MonkeyPatch
            ) -> dict[str, Any]:
    compiled = compile_text(text)
    assert compiled.contract is not None, compiled.diagnostics
    bundle, diags = load_bundle(data, compiled.contract)
    assert bundle is not None, diags
    with monkeypatch.context() as m:
        if exact_only:  # no guess: the measures counted at the exact type only
            m.setattr(duck, "_guess_places", lambda measures: None)
        counted, diags = measure_datasets(compiled.contract, bundle.datasets)
    assert counted is not None, diags
    found = counted["R"]
    return {"records": found.records, "by": found.by,
            "measures": {k: [(y.denominator, y.numerator, str(y.total), y.count) for y in v]
                         for k, v in found.measures.items()}}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=rows_st, literal=literals,
       parquet=st.sampled_from([None, "decimal128(27, 6)", "decimal128(20, 2)", "int64"]))
def test_the_guessed_type_counts_as_the_exact_type_or_is_not_used(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        rows: list[tuple[Any, ...]], literal: str, parquet: str | None) -> None:
    data = tmp_path_factory.mktemp("d")
    if parquet:  # a typed column: its least and most values say whether it fits
        pq.write_table(pa.table({
            "id": pa.array([str(i) for i in range(len(rows))]),
            "a": pa.array([r[0] for r in rows], pa.date32()),
            "n": _typed([r[1] for r in rows], parquet),
            "f": pa.array([r[2] for r in rows], pa.bool_()),
            "p": pa.array([str(r[3]) for r in rows])}), data / "R.parquet")
    else:
        with (data / "R.csv").open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["id", "a", "n", "f", "p"])
            for i, (a, n, f, p) in enumerate(rows):
                out.writerow([str(i), a.isoformat(), "" if n is None else format(n, "f"),
                              "Y" if f else "N", str(p)])
    text = CONTRACT.format(literal=literal)
    assert _counts(data, text, False, monkeypatch) == _counts(data, text, True, monkeypatch)


def _queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The relations the engine builds a measures query over, in order, as it runs."""
    again: list[str] = []
    real = measures_query

    def spy(relation: str, *args: Any, **kwargs: Any) -> Any:
        again.append(relation)
        return real(relation, *args, **kwargs)

    monkeypatch.setattr(duck, "measures_query", spy)
    return again


def test_a_number_with_a_third_place_is_counted_again_at_the_exact_type(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """0.125 at two places would be 0.13 (rounded by the guessed type's cast): the scan
    sees three places and the measures are counted again, exactly."""
    (tmp_path / "R.csv").write_text("id,a,n,f,p\n1,2020-05-01,0.125,Y,1\n2,2020-05-02,1,Y,1\n",
                                    encoding="utf-8")
    again = _queries(monkeypatch)
    found = _counts(tmp_path, CONTRACT.format(literal="0.13"), False, monkeypatch)
    assert found["measures"]["MEAN"][0][2] == "1.125"
    assert found["measures"]["SOME"][0][3] == 1  # 1 > 0.13, and 0.125 is not
    assert [r for r in again if r.startswith("typed")], again  # counted again


def test_numbers_the_guessed_type_holds_are_counted_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "R.csv").write_text("id,a,n,f,p\n1,2020-05-01,0.12,Y,1\n2,2020-05-02,1,Y,1\n",
                                    encoding="utf-8")
    again = _queries(monkeypatch)
    found = _counts(tmp_path, CONTRACT.format(literal="0.13"), False, monkeypatch)
    assert found["measures"]["MEAN"][0][2] == "1.12"  # the exact type's two places
    assert again == ["checked_every0"]


def _repeated_keys(data: Path, monkeypatch: pytest.MonkeyPatch, collide: bool
                   ) -> list[tuple[str, int | None, str]]:
    """The D013 diagnostics of the bundle, with the scan's key hash made to collide."""
    compiled = compile_text(CONTRACT.format(literal="0"))
    assert compiled.contract is not None
    bundle, diags = load_bundle(data, compiled.contract)
    assert bundle is not None, diags
    with monkeypatch.context() as m:
        if collide:  # every key of one length has the same "hash": only the exact count knows
            m.setattr(duck, "KEY_HASH", "length({})")
        _, found = measure_datasets(compiled.contract, bundle.datasets)
    return [(d.code, d.span.line if d.span else None, d.message) for d in found]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(keys=st.lists(st.sampled_from(["k1", "k2", "k3", "k10", "k11", ""]), min_size=1,
                     max_size=12),
       parquet=st.booleans())
def test_repeated_keys_are_counted_in_the_scan_and_exactly_when_hashes_repeat(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        keys: list[str], parquet: bool) -> None:
    data = tmp_path_factory.mktemp("k")
    if parquet:
        pq.write_table(pa.table({
            "id": pa.array([k or None for k in keys]),
            "a": pa.array([dt.date(2020, 5, 1)] * len(keys), pa.date32()),
            "n": pa.array([1] * len(keys), pa.int64()),
            "f": pa.array([True] * len(keys)),
            "p": pa.array(["x"] * len(keys))}), data / "R.parquet")
    else:
        (data / "R.csv").write_text("id,a,n,f,p\n" + "".join(
            f"{k},2020-05-01,1,Y,x\n" for k in keys), encoding="utf-8")
    found = _repeated_keys(data, monkeypatch, collide=False)
    seen: set[str] = set()
    first = 1 if parquet else 2  # a Parquet file's rows from 1, a CSV file's lines
    repeats = [row + first for row, k in enumerate(keys) if k and (k in seen or seen.add(k))]
    assert [line for code, line, _ in found if code == "D013"] == repeats
    assert _repeated_keys(data, monkeypatch, collide=True) == found
