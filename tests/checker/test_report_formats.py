"""The report's formats: golden files for the library, and the formats agree on totals."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from obc_check.checker.report.formats import ReportFormat, render
from obc_check.checker.report.model import Report, report_schema

GOLDENS = Path(__file__).resolve().parent / "goldens"
NAMES = ["amh", "eip_records", "msk", "older_people", "rough_sleeping", "sib_claims",
         "year_of_care"]
SUFFIX = {ReportFormat.text: "txt", ReportFormat.markdown: "md", ReportFormat.junit: "xml"}


@pytest.mark.parametrize("fmt", list(SUFFIX), ids=lambda f: f.value)
@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str, fmt: ReportFormat, golden: Callable[[Path, str], None],
                library_report_of: Callable[[str], Report]) -> None:
    golden(GOLDENS / f"{name}.{SUFFIX[fmt]}", render(library_report_of(name), fmt))


@pytest.mark.parametrize("name", NAMES)
def test_text_fits_80_columns_without_colour(name: str,
                                             library_report_of: Callable[[str], Report]) -> None:
    text = render(library_report_of(name), ReportFormat.text)
    assert max(len(line) for line in text.splitlines()) <= 80
    # fitting by folding a figure over two lines does not count: every amount stays whole
    assert re.findall(r"£[-\d,.]*", text) == re.findall(r"£[\d,]+\.\d\d", text)
    assert "\x1b[" not in text
    coloured = render(library_report_of(name), ReportFormat.text, color=True)
    assert "\x1b[" in coloured


@pytest.mark.parametrize("name", NAMES)
def test_text_json_markdown_totals_agree(name: str,
                                         library_report_of: Callable[[str], Report],
                                         totals_agree: Callable[[Report], None]) -> None:
    totals_agree(library_report_of(name))


@pytest.mark.parametrize("name", NAMES)
def test_junit_has_one_case_per_indicator_year_and_obligation_row(
        name: str, library_report_of: Callable[[str], Report]) -> None:
    report = library_report_of(name)
    root = ET.fromstring(render(report, ReportFormat.junit))
    cases = root.findall(".//testcase")
    indicator_years = sum(len(y.indicators) + len(y.gateways)
                          for y in report.outcome_payment or [])
    tier_years = sum(len(y.tiers) for y in report.capitation or [])
    card = report.rate_card
    price_years = 0
    if card is not None and card.claims is not None:  # one case per price and year (RECORDS.md)
        price_years = len({(c.price, c.year) for c in card.claims if c.year is not None})
    datasets = len(report.datasets or [])  # one passing case per dataset of records
    assert len(cases) == (indicator_years + tier_years + price_years + datasets
                          + len(report.obligations))
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == report.totals.breaches == int(root.get("failures", "-1"))
    missing = sum(1 for y in report.outcome_payment or [] for i in y.indicators
                  if i.status != "assessed")
    not_due = sum(1 for r in report.obligations if r.status == "not_due")
    short = sum(1 for y in report.capitation or [] for t in y.tiers if t.missing)
    assert int(root.get("skipped", "-1")) == missing + not_due + short


def test_json_rows_carry_only_their_identifying_keys(
        library_report_of: Callable[[str], Report]) -> None:
    data = library_report_of("msk").to_jsonable()
    for row in data["obligations"]:
        assert ("period" in row) != ("invoice" in row)
        assert "year" not in row and "indicator" not in row
        assert row["derivation"]
    for year in data["outcome_payment"]:
        assert all("period" not in i and "year" not in i for i in year["indicators"])


def test_report_schema_describes_the_json() -> None:
    schema = report_schema()
    assert schema["$id"] == "obc-report/1"
    props = schema["properties"]
    assert {"schema", "contract", "as_of", "status", "obligations", "penalties"} <= set(props)
    money = schema["$defs"]["YearPayment"]["properties"]["earned"]
    assert money["type"] == "string"


def test_markdown_lists_breaches_in_the_open(library_report_of: Callable[[str], Report]) -> None:
    md = render(library_report_of("amh"), ReportFormat.markdown)
    before_details = md.split("<details><summary>All obligation rows")[0]
    assert "**PROMPT ELM-1501**" in before_details
    assert "**REPORT 2016/17 Q2**" in before_details


@pytest.mark.parametrize("name", NAMES)
def test_streamed_json_is_what_pydantic_would_print(
        name: str, library_report_of: Callable[[str], Report]) -> None:
    report = library_report_of(name)
    expected = report.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert json.loads(report.to_json()) == expected
    assert list(json.loads(report.to_json())) == list(expected)  # same key order


def test_measured_counts_stand_beside_the_value_in_every_format(
        library_report_of: Callable[[str], Report]) -> None:
    """RECORDS.md: text, markdown and JUnit show a measured year's counts (eip_records)."""
    report = library_report_of("eip_records")
    first = report.outcome_payment[0] if report.outcome_payment else None
    assert first is not None
    rows = {i.indicator: i for i in first.indicators}
    assert (rows["EIP14"].numerator, rows["EIP14"].denominator) == ("184", "351")
    text = render(report, ReportFormat.text)
    assert re.search(r"EIP14 +assessed +52\.4217% +184/351 ", text)
    assert re.search(r"WAIT +assessed +18\.5492 +7,160/386 ", text)
    assert re.search(r"SETTLED +assessed +308 +308 ", text)
    assert re.search(r"REFERRALS +2,639 +referred_on +3 +472", text)
    md = render(report, ReportFormat.markdown)
    assert "| EIP14 | assessed | 52.4217% | 184/351 |" in md
    assert "| REFERRALS | 2,639 | referred_on | 3 | 472 |" in md
    root = ET.fromstring(render(report, ReportFormat.junit))
    case = next(c for c in root.iter("testcase") if c.get("name") == "EIP14")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props == {"numerator": "184", "denominator": "351"}
    ds = next(c for c in root.iter("testcase") if c.get("name") == "REFERRALS")
    props = {p.get("name"): p.get("value") for p in ds.iter("property")}
    assert props == {"records": "2639", "referred_on.unplaced": "3",
                     "referred_on.outside_term": "472"}


def test_a_provided_value_has_no_counts_column(
        library_report_of: Callable[[str], Report]) -> None:
    """amh's provider gives numerators and denominators: they stay in JSON, not in text."""
    text = render(library_report_of("amh"), ReportFormat.text)
    assert "Counts" not in text and "Datasets" not in text
