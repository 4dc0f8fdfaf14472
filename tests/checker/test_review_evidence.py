"""Review of #11's evidence files against the report, for random records and conditions.

RECORDS.md: ``--evidence DIR`` lists every denominator record with ``in_numerator`` — the
audit trail of what was counted. For every shape (proportion, mean, count; counting people;
either ``by`` date; missing values; years below a minimum denominator, reported insufficient)
each file must hold exactly the report's figures, and the records the Python evaluator says.
And the same records in CSV, JSON, a workbook and Parquet give byte-identical files: a
record's number is its place in the table whichever reader read it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.check import check_bundle
from obc_check.checker.data.convert import write_sheets
from obc_check.dsl import compile_text
from obc_check.model import Cond, Contract
from tests.checker.test_records_engine import YEARS as MAYBE_YEARS
from tests.checker.test_records_engine import Row, conds, holds, rows_st, value, year_of
from tests.checker.test_review_records import DATASET, _cell, written

assert MAYBE_YEARS is not None
YEARS = MAYBE_YEARS


def _contract(c1: Cond, c2: Cond, people: bool, by: str) -> Contract:
    counting = " counting people" if people else ""
    text = f'''contract EV "Evidence" {{
  version "1"
  currency GBP
  term 2020-01-31 to 2022-01-30
  party C "C" role commissioner sector nhs
  party Q "Q" role lead_provider sector nhs
  outcome_payment £1,000
{DATASET}  outcome O "O" weight 100% {{
    indicator P "P" weight 25% {{
      unit percent
      higher is better
      floor 10%
      target 20%
      minimum denominator 3
      measure R by {by}{counting} {{
        denominator where {written(c1)}
        numerator   where {written(c2)}
      }}
    }}
    indicator M "M" weight 25% {{
      unit days
      lower is better
      floor 30
      target 10
      minimum denominator 2
      measure R by {by} {{ mean days from a to b where {written(c2)} }}
    }}
    indicator V "V" weight 25% {{
      unit score
      higher is better
      floor 1
      target 2
      measure R by {by} {{ mean n where {written(c1)} }}
    }}
    indicator CNT "Count" weight 25% {{
      unit count
      higher is better
      floor 1
      target 2
      measure R by {by}{counting} {{ count where {written(c1)} }}
    }}
  }}
}}
'''
    compiled = compile_text(text)
    assert compiled.contract is not None, (text, compiled.diagnostics)
    return compiled.contract


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=rows_st, c1=conds, c2=conds, people=st.booleans(), by=st.sampled_from(["a", "b"]),
       picks=st.lists(st.integers(0, 100), min_size=5, max_size=5))
def test_every_evidence_file_holds_the_reports_figures_and_the_records_counted(
        tmp_path_factory: pytest.TempPathFactory, rows: list[Row], c1: Cond, c2: Cond,
        people: bool, by: str, picks: list[int]) -> None:
    contract = _contract(c1, c2, people, by)
    data = tmp_path_factory.mktemp("d")
    with (data / "R.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "a", "b", "n", "f", "t", "p"])
        for i, r in enumerate(rows):
            out.writerow([f"K{i:03}", *(_cell(r[k], picks[j] + i) for j, k in
                                        enumerate("abnft")), f"P{i % 3}"])
    ev = data / "ev"
    report, diags = check_bundle(contract, data, dt.date(2022, 6, 30), ev)
    assert report is not None, diags
    doc = json.loads(report.to_json())
    measures = {i.id: i.measure for i in contract.all_indicators() if i.measure}
    labels = {y.number: y.label.replace("/", "-") for y in YEARS}
    seen = 0
    for year in doc["outcome_payment"]:
        number = next(y.number for y in YEARS if y.label == year["year"])
        for row in year["indicators"]:
            ident = row["indicator"]
            m = measures[ident]
            got = _rows(ev / f"{ident}_{labels[number]}.csv")
            mine = [(i, r) for i, r in enumerate(rows) if year_of(r[m.by], YEARS) == number]
            if m.shape == "proportion":
                d = [(i, r) for i, r in mine if m.denominator is None or holds(m.denominator, r)]
                n = {i for i, r in d if m.numerator is None or holds(m.numerator, r)}
                assert len(got) == int(row["denominator"]), (ident, got, row)
                assert sum(g["in_numerator"] == "true" for g in got) == int(row["numerator"])
                if people:
                    assert {g["p"]: g["in_numerator"] == "true" for g in got} == {
                        f"P{k}": any(i in n for i, _ in d if i % 3 == k)
                        for k in {i % 3 for i, _ in d}}
                else:
                    assert [(g["id"], g["record"], g["in_numerator"]) for g in got] == [
                        (f"K{i:03}", str(i + 1), "true" if i in n else "false") for i, _ in d]
            elif m.shape == "mean":
                assert m.value is not None
                vals = [(i, value(m.value, r)) for i, r in mine
                        if m.where is None or holds(m.where, r)]
                vals = [(i, v) for i, v in vals if v is not None]
                assert len(got) == int(row["denominator"]) == len(vals), (ident, got, row)
                assert sum((Decimal(g["value"]) for g in got), Decimal(0)) == Decimal(
                    row["total"])
                assert [(g["id"], Decimal(g["value"])) for g in got] == [
                    (f"K{i:03}", v) for i, v in vals]
            else:
                c = [(i, r) for i, r in mine if m.where is None or holds(m.where, r)]
                assert len(got) == int(row["count"]), (ident, got, row)
                assert [g["p"] if people else g["id"] for g in got] == (
                    sorted({f"P{i % 3}" for i, _ in c}) if people
                    else [f"K{i:03}" for i, _ in c])
            seen += 1
    assert seen == 4 * len(doc["outcome_payment"]) > 0


EIP = Path(__file__).resolve().parents[2] / "contracts" / "eip_records"


def _evidence(data: Path, out: Path) -> dict[str, bytes]:
    compiled = compile_text((EIP / "contract.obc").read_text(encoding="utf-8"))
    assert compiled.contract is not None
    report, diags = check_bundle(compiled.contract, data, dt.date(2019, 9, 30), out)
    assert report is not None, diags
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_csv_json_xlsx_and_parquet_give_the_same_evidence(tmp_path: Path) -> None:
    expected = _evidence(EIP / "data", tmp_path / "ev-csv")
    tables = {}
    for p in sorted((EIP / "data").glob("*.csv")):
        with p.open(newline="", encoding="utf-8") as fh:
            tables[p.stem] = list(csv.reader(fh))
    doc = {name: [{h: (v or None) for h, v in zip(rows[0], r, strict=True)} for r in rows[1:]]
           for name, rows in tables.items()}
    (tmp_path / "data.json").write_text(json.dumps(doc), encoding="utf-8")
    assert _evidence(tmp_path / "data.json", tmp_path / "ev-json") == expected
    write_sheets({name: [[v or None for v in r] for r in rows] for name, rows in tables.items()},
                 tmp_path / "data.xlsx")
    assert _evidence(tmp_path / "data.xlsx", tmp_path / "ev-xlsx") == expected
    folder = tmp_path / "parquet"
    folder.mkdir()
    for name, rows in tables.items():
        if not name.isupper():
            (folder / f"{name}.csv").write_bytes((EIP / "data" / f"{name}.csv").read_bytes())
            continue
        cols = {h: [r[i] or None for r in rows[1:]] for i, h in enumerate(rows[0])}
        arrays = {h: (pa.array([dt.date.fromisoformat(v) if v else None for v in vs],
                               pa.date32()) if h.endswith("_on") else pa.array(vs, pa.string()))
                  for h, vs in cols.items()}
        pq.write_table(pa.table(arrays), folder / f"{name}.parquet")
    assert _evidence(folder, tmp_path / "ev-parquet") == expected


SMALL = Path(__file__).resolve().parent / "evidence" / "small"


def test_keys_with_commas_quotes_line_breaks_and_formula_signs_read_back_as_written(
        tmp_path: Path) -> None:
    """A key is the audit trail's link to the source record, so it is written as the data
    has it (docs/records.md, *Evidence files*): commas, quotes and line breaks quoted so that
    any CSV reader gets the key back; a key starting with = + - @ is not altered (a prefix
    would break the link), and the docs say to import the files as text in a spreadsheet."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "CALLS.csv").write_bytes((SMALL / "data" / "CALLS.csv").read_bytes())
    keys = ["=1+1", "+44 20", "-3", "@SUM(A1)", 'say "hi", then', "two\nlines", " padded "]
    with (data / "VISITS.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["visit_id", "person", "seen_on", "score", "urgent"])
        for i, k in enumerate(keys):
            out.writerow([k, f"P{i}", "2020-05-01", "6", "yes"])
    compiled = compile_text((SMALL / "contract.obc").read_text(encoding="utf-8"))
    assert compiled.contract is not None
    ev = tmp_path / "ev"
    report, diags = check_bundle(compiled.contract, data, dt.date(2022, 6, 30), ev)
    assert report is not None, diags
    got = _rows(ev / "SEEN_2020-21.csv")
    assert sorted((g["visit_id"], g["record"]) for g in got) == sorted(
        (k, str(i + 1)) for i, k in enumerate(keys))
    docs = (Path(__file__).resolve().parents[2] / "docs" / "records.md").read_text()
    assert "formula" in docs.split("## Evidence files")[1]


def test_indicators_differing_only_by_case_are_refused_before_a_file_is_written(
        tmp_path: Path) -> None:
    """``SEEN_2020-21.csv`` and ``SEEn_2020-21.csv`` are one file on Windows and macOS: the
    second would silently replace the first's audit trail. Exit 2, naming both, before
    anything is written; without --evidence the contract checks as before."""
    from typer.testing import CliRunner

    from obc_check.cli import app

    contract = tmp_path / "contract.obc"
    contract.write_text((SMALL / "contract.obc").read_text(encoding="utf-8").replace(
        'indicator MEAN "Mean score"', 'indicator SEEn "Mean score"'), encoding="utf-8")
    ev = tmp_path / "ev"
    args = ["check", str(contract), "--data", str(SMALL / "data"), "--as-of", "2022-06-30"]
    result = CliRunner().invoke(app, [*args, "--evidence", str(ev)])
    assert result.exit_code == 2, result.stdout
    assert "SEEN" in result.stderr and "SEEn" in result.stderr, result.stderr
    assert "case" in result.stderr
    assert not ev.exists() or not any(ev.iterdir())
    assert CliRunner().invoke(app, args).exit_code == 0
