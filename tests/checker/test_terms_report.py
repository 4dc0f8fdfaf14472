"""TERMS.md in every report format: who pays what, the reconciliation, JUnit, --explain."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

from obc_check.checker.data.money import pounds
from obc_check.checker.report.explain import explain
from obc_check.checker.report.formats import ReportFormat, render
from obc_check.checker.report.model import Report
from obc_check.dsl import compile_file
from tests.checker.conftest import ROOT


def test_who_pays_what_and_the_reconciliation_show_the_reports_figures(
        library_report_of: Callable[[str], Report]) -> None:
    report = library_report_of("care_leavers_lcf")
    assert report.funding is not None
    text, markdown = render(report, ReportFormat.text), render(report, ReportFormat.markdown)
    for y in report.funding:
        for part in y.payers.values():
            assert pounds(part) in text and pounds(part) in markdown
    total_dfe = sum((y.payers["DFE"] for y in report.funding), Decimal(0))
    assert total_dfe == Decimal("1250000.00")  # DFE's cap, reached in 2021/22
    assert f"Total     {pounds(Decimal('2150500.00'))}   {pounds(total_dfe)}" in text
    assert "| BCC | 2020/21 | £210,441.00 | £180,000.00 | £205,441.00 | -£5,000.00 (owed to " \
           "the provider) | BREACHED |" in markdown
    assert "£25,572.00 (recoverable from the provider)" in markdown
    assert "Who pays what" in text and "owed to the provider" in text


def test_a_payout_row_is_a_junit_test_case(
        library_report_of: Callable[[str], Report]) -> None:
    xml = render(library_report_of("care_leavers_lcf"), ReportFormat.junit)
    assert 'classname="CLF.obligation.COUNCIL" name="2020/21"' in xml
    assert xml.count('classname="CLF.obligation.COUNCIL"') == 4


def test_explain_a_payer_gives_its_parts_payments_and_balance(
        library_report_of: Callable[[str], Report]) -> None:
    contract = compile_file(ROOT / "contracts" / "care_leavers_lcf" / "contract.obc").contract
    assert contract is not None
    out = explain(contract, library_report_of("care_leavers_lcf"), "BCC")
    assert "BCC's parts of the payable: £900,500.00 over 4 years" in out
    assert "due £900,500.00, paid £921,072.00; net balance £20,572.00" in out
    assert "2021/22: £462,854.00" in out
    dfe = explain(contract, library_report_of("care_leavers_lcf"), "DFE")
    assert "DFE's parts of the payable: £1,250,000.00" in dfe


def test_the_json_report_has_funding_rows_and_payout_balances(
        library_report_of: Callable[[str], Report]) -> None:
    data = json.loads(library_report_of("msk_prime_terms").to_json())
    assert "funding" not in data  # a sole commissioner: no funding block, no split
    payout = [r for r in data["obligations"] if r["obligation"] == "PAYOUT"]
    assert [(r["required"], r["actual"], r["paid"], r["balance"]) for r in payout] == [
        ("540000.00", "540000.00", "540000.00", "0.00"),
        ("400000.00", "300000.00", "400000.00", "0.00"),
        ("666000.00", "666000.00", "666000.00", "0.00")]
