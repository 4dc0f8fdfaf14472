"""The text and markdown reports fold the breached rows of a big ledger after the first few.

A person reads a few examples; JSON and JUnit keep every row, and every count and penalty is
unchanged by the fold.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from obc_check.checker.check import check_bundle
from obc_check.checker.report.formats import ReportFormat, render
from obc_check.checker.report.formats.common import BREACHED_ROWS_SHOWN
from obc_check.checker.report.model import Report
from obc_check.dsl import compile_file

AMH = Path(__file__).resolve().parents[2] / "contracts" / "amh"
LATE = BREACHED_ROWS_SHOWN + 37


def _report(folder: Path) -> Report:
    shutil.copytree(AMH / "data", folder)
    with (folder / "payments.csv").open("w", encoding="utf-8") as out:
        out.write("payer,payee,invoice,amount,received_on,paid_on\n")
        for i in range(LATE):  # paid 40 days after receipt: 10 days late
            out.write(f"OH,MIND,LATE-{i:04d},100.00,2015-06-01,2015-07-11\n")
        for i in range(3):
            out.write(f"OH,RESP,OK-{i},100.00,2015-06-01,2015-06-02\n")
    contract = compile_file(AMH / "contract.obc").contract
    assert contract is not None
    report, diags = check_bundle(contract, folder, dt.date(2018, 9, 30))
    assert report is not None, diags
    return report


def test_text_shows_the_first_breaches_then_one_line(tmp_path: Path) -> None:
    report = _report(tmp_path / "bundle")
    text = render(report, ReportFormat.text)
    shown = [line for line in text.splitlines() if "LATE-" in line]
    assert [line.split()[1] for line in shown] == [f"LATE-{i:04d}"
                                                   for i in range(BREACHED_ROWS_SHOWN)]
    assert (" … and 37 more breached rows of PROMPT: see --format json or junit"
            in text.splitlines())
    # the summary and the penalties still count every row
    assert f"{LATE:,}" in text.split("Obligation rows")[0]
    assert report.obligations.count("breached") >= LATE
    assert f"Penalties: £{report.penalties:,.2f}" in text
    coloured = render(report, ReportFormat.text, color=True)
    assert "37 more breached rows of PROMPT" in coloured


def test_markdown_folds_the_same_way(tmp_path: Path) -> None:
    report = _report(tmp_path / "bundle")
    md = render(report, ReportFormat.markdown)
    listed = [line for line in md.splitlines() if line.startswith("- **PROMPT LATE-")]
    assert len(listed) == BREACHED_ROWS_SHOWN
    assert md.count("… and 37 more breached rows of PROMPT") == 2


def test_json_and_junit_keep_every_row(tmp_path: Path) -> None:
    report = _report(tmp_path / "bundle")
    rows = report.to_jsonable()["obligations"]
    assert sum(1 for r in rows if r.get("invoice", "").startswith("LATE-")
               and r["status"] == "breached") == LATE
    junit = render(report, ReportFormat.junit)
    assert junit.count("LATE-0136") >= 1
