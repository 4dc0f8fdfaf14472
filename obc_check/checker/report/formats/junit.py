"""The JUnit XML report, so CI systems show a check as test results.

One test case per indicator-year, per capitation tier and year, per dataset of records, and
per obligation row. A measured indicator-year carries its counts as properties (RECORDS.md);
a dataset's case passes and says how many records were read and how many no year took. A
breached obligation row is a failure; a missing or insufficient indicator value, a capitation
tier-year with a begun month that has no caseload row, and a row not yet due, are skipped (they
are neither passes nor failures yet). Each case carries its derivation as ``system-out``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data.money import pounds
from obc_check.checker.report.claim_summary import by_price_year
from obc_check.checker.report.formats.common import measured, row_label
from obc_check.checker.report.model import DatasetSummary, IndicatorResult, RateCardResult, Report
from obc_check.textsafe import printable


def _suite(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, "testsuite", name=printable(name))


def _case(suite: ET.Element, classname: str, name: str, derivation: str) -> ET.Element:
    """A test case, its name and derivation made printable (textsafe).

    They hold data (invoice references, file names), and XML 1.0 cannot hold most control
    characters at all, so each is shown as an escape.
    """
    case = ET.SubElement(suite, "testcase", classname=printable(classname), name=printable(name))
    ET.SubElement(case, "system-out").text = printable(derivation)
    return case


def _count(root: ET.Element) -> None:
    """Fill in tests/failures/skipped on each suite and on the root."""
    totals = [0, 0, 0]
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        failures = sum(1 for c in cases if c.find("failure") is not None)
        skipped = sum(1 for c in cases if c.find("skipped") is not None)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        totals[0] += len(cases)
        totals[1] += failures
        totals[2] += skipped
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", "0")
    root.set("skipped", str(totals[2]))


def _distinct(column: pa.ChunkedArray) -> list[str]:
    """A column's distinct non-null values in the order of their first row.

    ``pc.unique`` keeps that order; a dictionary column is uniqued by its codes, so a
    million rows are never decoded to strings.
    """
    array = column.combine_chunks()
    if isinstance(array, pa.DictionaryArray):
        codes = pc.unique(array.indices.drop_null())
        return [str(v) for v in array.dictionary.take(codes).to_pylist()]
    return [str(v) for v in pc.unique(array.drop_null()).to_pylist()]


def contract_prices(card: RateCardResult) -> list[str]:
    """The prices that have claims, in the order of their first claim."""
    return _distinct(card.claims.table.column("price")) if card.claims is not None else []


def claim_years(card: RateCardResult) -> list[str]:
    """The contract years that have claims, in order (labels sort as the years do)."""
    return sorted(_distinct(card.claims.table.column("year"))) \
        if card.claims is not None else []


def _claim_cases(root: ET.Element, cid: str, card: RateCardResult, prices: list[str],
                 years: list[str]) -> None:
    """A test case per price and year with claims, of a claims-paid rate card (RECORDS.md).

    A rate card's claims are decided, not breached: each case passes and says what was paid
    and rejected, and why, in ``system-out``.
    """
    suite = _suite(root, f"{cid} rate card claims")
    for price, year, t in by_price_year(card, prices, years):
        if not t.claims:
            continue
        _case(suite, f"{cid}.rate_card.{year}", price, f"{price} {year}: {t.words()}")


def _counts(case: ET.Element, report: Report, i: IndicatorResult) -> None:
    """A measured indicator-year's counts as the case's properties (as JSON names them)."""
    if not measured(report, i):
        return
    found = [(name, getattr(i, name)) for name in ("numerator", "denominator", "total",
                                                   "count")]
    props = [(name, value) for name, value in found if value is not None]
    if props:
        holder = ET.Element("properties")
        for name, value in props:
            ET.SubElement(holder, "property", name=name, value=value)
        case.insert(0, holder)


def _dataset_words(d: DatasetSummary) -> str:
    parts = [f"{d.dataset}: {d.records:,} records read"]
    parts += [f"by {field}: {c.unplaced:,} unplaced (date missing), {c.outside_term:,} "
              "outside the term" for field, c in d.by.items()]
    return "; ".join(parts)


def _dataset_cases(root: ET.Element, cid: str, report: Report) -> None:
    """One passing case per dataset: records read, and per ``by`` field those in no year."""
    suite = _suite(root, f"{cid} datasets")
    for d in report.datasets or []:
        case = _case(suite, f"{cid}.datasets", d.dataset, _dataset_words(d))
        holder = ET.Element("properties")
        ET.SubElement(holder, "property", name="records", value=str(d.records))
        for field, c in d.by.items():
            ET.SubElement(holder, "property", name=f"{field}.unplaced", value=str(c.unplaced))
            ET.SubElement(holder, "property", name=f"{field}.outside_term",
                          value=str(c.outside_term))
        case.insert(0, holder)


def render_junit(report: Report) -> str:
    """The report as JUnit XML (testsuites → testsuite per year or obligation → testcase)."""
    cid = report.contract.id
    root = ET.Element("testsuites", name=f"obc-check {cid} as of {report.as_of.isoformat()}")
    for year in report.outcome_payment or []:
        suite = _suite(root, f"{cid} outcome payment {year.year}")
        for i in year.indicators:
            case = _case(suite, f"{cid}.outcome_payment.{year.year}", i.indicator, i.derivation)
            _counts(case, report, i)
            if i.status != "assessed":
                ET.SubElement(case, "skipped", message=f"{i.status}: earned {pounds(i.earned)}")
        for g in year.gateways:
            case = _case(suite, f"{cid}.gateway.{year.year}", g.gateway, g.derivation)
            if g.status in ("missing", "insufficient"):
                ET.SubElement(case, "skipped", message=f"gateway indicator {g.status}")
    if report.datasets:
        _dataset_cases(root, cid, report)
    for cy in report.capitation or []:
        suite = _suite(root, f"{cid} capitation {cy.year}")
        for t in cy.tiers:
            case = _case(suite, f"{cid}.capitation.{cy.year}", t.price, t.derivation)
            if t.missing:
                ET.SubElement(case, "skipped", message="no caseload row for "
                              + ", ".join(t.missing))
    card = report.rate_card
    if card is not None and card.claims is not None:
        _claim_cases(root, cid, card, contract_prices(card), claim_years(card))
    suites: dict[str, ET.Element] = {}
    for row in report.obligations:
        if row.obligation not in suites:
            suites[row.obligation] = _suite(root, f"{cid} obligation {row.obligation}")
        suite = suites[row.obligation]
        case = _case(suite, f"{cid}.obligation.{row.obligation}", row_label(row),
                     row.derivation)
        if row.status == "breached":
            failure = ET.SubElement(case, "failure", type="breach",
                                    message=f"breached; penalty {pounds(row.penalty)}")
            failure.text = printable(row.derivation)
        elif row.status == "not_due":
            ET.SubElement(case, "skipped", message="not yet due")
    _count(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"
