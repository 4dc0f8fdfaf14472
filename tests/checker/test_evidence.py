"""``check --evidence DIR`` (RECORDS.md): one CSV per measured indicator and year.

The files are the audit trail of what each measure counted, so they must tie to the report:
as many denominator rows as the report's denominator, as many ``in_numerator`` true as its
numerator, a mean's values summing to its total, a count's rows as its count.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obc_check.checker.check import check_bundle
from obc_check.checker.engine.evidence import EvidenceError, file_name
from obc_check.cli import app
from obc_check.dsl import compile_file

ROOT = Path(__file__).resolve().parents[2]
EIP = ROOT / "contracts" / "eip_records"
SMALL = Path(__file__).resolve().parent / "evidence" / "small"
GOLDENS = Path(__file__).resolve().parent / "evidence" / "golden"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_evidence_ties_to_the_reports_counts_for_eip_records(tmp_path: Path) -> None:
    out = tmp_path / "evidence"
    code, text, err = run(str(EIP / "contract.obc"), "--data", str(EIP / "data"),
                          "--as-of", "2019-09-30", "--format", "json", "--evidence", str(out))
    assert code == 1, err  # eip_records has one breach
    report = json.loads(text)
    compiled = compile_file(EIP / "contract.obc")
    assert compiled.contract is not None
    years = {y.label: y for y in compiled.contract.term.years}
    checked = 0
    for y in report["outcome_payment"]:
        for i in y["indicators"]:
            if not ({"count", "total", "numerator"} & set(i)):
                continue
            rows = rows_of(out / file_name(i["indicator"], years[y["year"]]))
            if "count" in i:  # SETTLED counts people: one row per person
                assert len(rows) == int(i["count"]) > 0
                assert len({r["person_id"] for r in rows}) == len(rows)
            elif "total" in i:
                assert len(rows) == int(i["denominator"]) > 0
                assert sum(Decimal(r["value"]) for r in rows) == Decimal(i["total"])
            else:
                assert len(rows) == int(i["denominator"]) > 0
                assert sum(r["in_numerator"] == "true" for r in rows) == int(i["numerator"])
                assert {r["in_numerator"] for r in rows} <= {"true", "false"}
            checked += 1
    assert checked == 12  # four measured indicators, three years
    assert sorted(p.name for p in out.iterdir()) == sorted(
        file_name(ind, year) for ind in ("EIP14", "WAIT", "READMIT30", "SETTLED")
        for year in years.values())


def test_small_case_goldens(tmp_path: Path, golden: Callable[[Path, str], None]) -> None:
    """Each shape; a dataset without a key (rows); people; a year with nothing; a dataset
    not in the bundle (header only, every year); keys with commas and quotes, in key order."""
    out = tmp_path / "deeper" / "evidence"  # created, parents too
    code, _, err = run(str(SMALL / "contract.obc"), "--data", str(SMALL / "data"),
                       "--as-of", "2022-06-30", "--evidence", str(out))
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{i}_{y}.csv" for i in ("SEEN", "PEOPLE", "MEAN", "ANSWERED",
                                                     "SENT") for y in ("2020-21", "2021-22"))
    for name in names:
        golden(GOLDENS / name, (out / name).read_text(encoding="utf-8"))


def test_existing_files_are_overwritten_and_others_left(tmp_path: Path) -> None:
    out = tmp_path / "ev"
    out.mkdir()
    (out / "SEEN_2020-21.csv").write_text("stale\n")
    (out / "notes.txt").write_text("mine\n")
    code, _, err = run(str(SMALL / "contract.obc"), "--data", str(SMALL / "data"),
                       "--as-of", "2022-06-30", "--evidence", str(out))
    assert code == 0, err
    assert (out / "SEEN_2020-21.csv").read_text().startswith("visit_id,record,in_numerator\n")
    assert (out / "notes.txt").read_text() == "mine\n"


def test_evidence_that_is_a_file_is_exit_2_before_anything_is_checked(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    code, out, err = run(str(SMALL / "contract.obc"), "--data", str(SMALL / "data"),
                         "--as-of", "2022-06-30", "--evidence", str(target))
    assert code == 2
    assert "--evidence" in err and "is a file, not a folder" in err
    assert "Traceback" not in err and out == ""
    assert target.read_text() == "x"


def test_evidence_under_a_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = run(str(SMALL / "contract.obc"), "--data", str(SMALL / "data"),
                       "--as-of", "2022-06-30", "--evidence", str(tmp_path / "file" / "ev"))
    assert code == 2
    assert "--evidence" in err and "cannot create the folder" in err
    assert "Traceback" not in err


def test_no_evidence_when_the_data_has_errors(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL / "data", data)
    with (data / "VISITS.csv").open("a") as f:
        f.write("V11,P5,2020-13-01,1,yes\n")
    out = tmp_path / "ev"
    code, _, err = run(str(SMALL / "contract.obc"), "--data", str(data),
                       "--as-of", "2022-06-30", "--evidence", str(out))
    assert code == 2 and "D008" in err
    assert not out.exists()  # nothing was counted, so nothing is evidence


def test_library_call_raises_evidence_error(tmp_path: Path) -> None:
    compiled = compile_file(SMALL / "contract.obc")
    assert compiled.contract is not None
    (tmp_path / "f").write_text("")
    with pytest.raises(EvidenceError, match="not a folder"):
        check_bundle(compiled.contract, SMALL / "data", dt.date(2022, 6, 30), tmp_path / "f")


@pytest.mark.parametrize("calls", [
    'person,rang_on,answered\nP1,2020-04-02,true\n"P\n2",2020-04-03,false\n'
    'P1,2020-05-02,true\nP3,,true\n',  # a line break in a cell: DuckDB's reader or not
    'person,rang_on,answered\r\nP1,2020-04-02,true\r\nP2,2020-04-03,false\r\n'
    'P1,2020-05-02,true\r\nP3,,true\r\n',
    # a quote beside a space: the row reader, whose rows are lines, with a gap at line 4
    'person,rang_on,answered\nP1,2020-04-02,true\n"P\n2",2020-04-03,false\n'
    'P1 "x",2020-05-02,true\nP3,,true\n',
], ids=["line-break-in-a-cell", "crlf", "row-reader-lines"])
def test_a_record_is_numbered_by_its_place_whatever_reads_it(tmp_path: Path,
                                                             calls: str) -> None:
    """``record`` is the record's place in the table (1 = first), not a line of the file."""
    data = tmp_path / "data"
    shutil.copytree(SMALL / "data", data)
    (data / "CALLS.csv").write_bytes(calls.encode())
    out = tmp_path / "ev"
    code, _, err = run(str(SMALL / "contract.obc"), "--data", str(data),
                       "--as-of", "2022-06-30", "--evidence", str(out))
    assert code == 0, err
    assert (out / "ANSWERED_2020-21.csv").read_text() == "record\n1\n3\n"
