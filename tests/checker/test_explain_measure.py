"""``check --explain`` of a measured indicator: the definition in render's words, with counts.

RECORDS.md (What the report adds): ``--explain`` states the definition in words with the
counts. The words must be those the Schedule gives (one source, ``model/wording.py``), and
the counts those of the JSON report.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obc_check.cli import app
from obc_check.dsl import compile_file
from obc_check.model import Contract
from obc_check.model.wording import measure_terms
from obc_check.render import render_markdown

ROOT = Path(__file__).resolve().parents[2]
EIP = ROOT / "contracts" / "eip_records"
GOLDENS = Path(__file__).resolve().parent / "goldens"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


def explain(ident: str, *more: str, data: Path = EIP / "data") -> str:
    code, out, err = run(str(EIP / "contract.obc"), "--data", str(data), "--as-of",
                         "2019-09-30", "--explain", ident, *more)
    assert code in (0, 1), err  # 1: eip_records has a breach
    return out


def contract() -> Contract:
    c = compile_file(EIP / "contract.obc").contract
    assert c is not None
    return c


@pytest.mark.parametrize("ident", ["EIP14", "WAIT", "READMIT30", "SETTLED"])
def test_the_definition_is_the_schedules_own_words(ident: str) -> None:
    c = contract()
    ind = c.indicator(ident)
    assert ind is not None and ind.measure is not None
    ds = c.dataset(ind.measure.dataset)
    assert ds is not None
    terms = measure_terms(ind, ind.measure, ds)
    schedule = " ".join(render_markdown(c).split())
    assert terms in schedule  # render states it (with its clause) ...
    out = explain(ident)
    assert f"  definition: The Value is computed from the records of Dataset {ds.id}. " \
        f"{terms}\n" in out  # ... and explain states the very same words
    doc = json.loads(explain(ident, "--format", "json"))
    assert doc["definition"].endswith(terms)
    assert doc["dataset"] == ds.id


def test_each_years_counts_are_the_reports(
        library_report_of: Callable[[str], object]) -> None:
    _, out, _ = run(str(EIP / "contract.obc"), "--data", str(EIP / "data"), "--as-of",
                    "2019-09-30", "--format", "json")
    report = json.loads(out)
    doc = json.loads(explain("EIP14", "--format", "json"))
    text = explain("EIP14")
    rows = [(y["year"], i) for y in report["outcome_payment"] for i in y["indicators"]
            if i["indicator"] == "EIP14"]
    assert len(rows) == 3
    assert doc["counts"] == [{"year": year, "status": i["status"], "numerator": i["numerator"],
                              "denominator": i["denominator"]} for year, i in rows]
    for year, i in rows:
        assert (f"  {year}: the Denominator is {int(i['denominator']):,} Referrals and the "
                f"Numerator {int(i['numerator']):,} of them\n") in text
    # the text's lines are the JSON's derivations
    assert text.splitlines()[1:] == [f"  {line}" for line in doc["derivations"]]


def test_explain_golden(golden: Callable[[Path, str], None]) -> None:
    out = explain("WAIT") + explain("SETTLED")
    golden(GOLDENS / "eip_records-explain.txt", out.replace(str(ROOT) + "/", ""))


def test_a_dataset_not_in_the_bundle_is_said(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(EIP / "data", data)
    (data / "REFERRALS.csv").unlink()
    out = explain("EIP14", data=data)
    assert ("  records: Dataset REFERRALS is not in the bundle, so the Value is missing in "
            "every Contract Year\n") in out
    assert ": the Denominator is" not in out  # no counts where nothing was counted
    doc = json.loads(explain("EIP14", "--format", "json", data=data))
    assert doc["counts"] == []
    assert doc["definition"].startswith("The Value is computed from the records of Dataset")


def test_an_indicator_given_as_a_value_has_no_definition() -> None:
    out = explain("DQMI")
    assert "definition:" not in out and "records:" not in out
    doc = json.loads(explain("DQMI", "--format", "json"))
    assert "definition" not in doc and "counts" not in doc


def test_an_outcome_gives_its_measured_members_counts() -> None:
    out = explain("ACCESS")
    assert "  2016/17: EIP14: the Denominator is 351 Referrals and the Numerator 184 of them\n" \
        in out
    assert "  2016/17: WAIT: the Denominator is 386 Referrals with a value, and the sum of " \
        "their values 7,160\n" in out
    assert "definition:" not in out  # each member's definition is under --explain MEMBER
