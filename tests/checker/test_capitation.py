"""Capitation (RECORDS.md): the year-of-care tariff paid monthly on the caseload.

The library's ``year_of_care`` reproduces its expected.json field by field (library call and
CLI, from CSV, JSON and XLSX); the boundaries of the issue (as-of on the first and last day of
a month, a calendar-year and a financial-year term, a row after the as-of date) are pinned
with hand-worked figures; hypothesis holds the invariants: payable is monotone in every
caseload, each tier and year is rounded once (the rounded sum of unrounded months), and the
risk share over capitation keeps its signs and its cap.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from obc_check.checker.data.convert import write_json, write_xlsx
from obc_check.checker.data.load import load_bundle
from obc_check.checker.data.money import round_money
from obc_check.checker.report.model import Report
from obc_check.checker.rules.evaluate import evaluate
from obc_check.cli import app
from obc_check.dsl import compile_file
from obc_check.model import Contract
from tests.checker.conftest import Kit
from tests.checker.test_examples import _compare

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "contracts" / "year_of_care"
EXPECTED = json.loads((FOLDER / "expected.json").read_text(encoding="utf-8"))
AS_OF = dt.date.fromisoformat(EXPECTED["as_of"])

PRICES = {"TIER1": Decimal(1195), "TIER2": Decimal(3640), "TIER3": Decimal(9870)}


def _contract(start: str = "2019-01-01", end: str = "2021-12-31", risk: bool = False,
              cap: str = "£2,000,000") -> str:
    risk_share = f"""
  risk_share {{
    budget capitation
    commissioner share 50%
    members EHT 60%, EGPF 40%
    member loss cap {cap} per year
  }}""" if risk else ""
    return f"""contract YOC "Year of care" {{
  version "1.0"
  currency GBP
  term {start} to {end}
  party ECCG "Commissioning Group" role commissioner    sector nhs
  party EHT  "Hospitals Trust"     role alliance_member sector nhs
  party EGPF "GP Federation"       role alliance_member sector private
  capitation {{
    price TIER1 "One condition"    £1,195 per person per year
    price TIER2 "Two or three"     £3,640 per person per year
    price TIER3 "Four or more"     £9,870 per person per year
  }}{risk_share}
}}
"""


# ---- the library example ---------------------------------------------------------------------
def test_year_of_care_reproduces_expected(library_report_of: Callable[[str], Report]) -> None:
    report = library_report_of("year_of_care")
    assert _compare(EXPECTED, report.to_jsonable()) == []
    assert report.status == "incomplete"
    assert report.capitation is not None
    third = report.capitation[2]
    assert [(t.price, t.missing) for t in third.tiers] == [
        ("TIER1", []), ("TIER2", []), ("TIER3", ["2021 M7"])]
    # 2021 ended but misses a month, and has no spend row anyway: no risk share for it
    assert report.risk_share is not None
    assert [r.year for r in report.risk_share] == ["2019", "2020"]
    assert report.totals.capitation_missing_months == 1


def test_year_of_care_cli_json_exit_0() -> None:
    result = CliRunner().invoke(app, ["check", str(FOLDER / "contract.obc"), "--data",
                                      str(FOLDER / "data"), "--as-of", EXPECTED["as_of"],
                                      "--format", "json"])
    assert result.exit_code == 0, result.output  # incomplete is not a breach
    assert _compare(EXPECTED, json.loads(result.stdout)) == []


def test_year_of_care_strict_exits_1_on_incomplete() -> None:
    result = CliRunner().invoke(app, ["check", str(FOLDER / "contract.obc"), "--data",
                                      str(FOLDER / "data"), "--as-of", EXPECTED["as_of"],
                                      "--strict"])
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("fmt", ["json", "json-numbers", "xlsx", "xlsx-typed"])
def test_csv_json_xlsx_give_the_same_report(fmt: str, tmp_path: Path) -> None:
    contract = compile_file(FOLDER / "contract.obc").contract
    assert contract is not None
    bundle, diags = load_bundle(FOLDER / "data", contract)
    assert bundle is not None, diags
    path = {"json": lambda: write_json(bundle, tmp_path / "d.json"),
            "json-numbers": lambda: write_json(bundle, tmp_path / "d.json", numbers=True),
            "xlsx": lambda: write_xlsx(bundle, tmp_path / "d.xlsx"),
            "xlsx-typed": lambda: write_xlsx(bundle, tmp_path / "d.xlsx", numbers=True,
                                             dates=True)}[fmt]()
    again, diags = load_bundle(path, contract)
    assert again is not None and diags == []
    a = _without_sources(evaluate(contract, bundle, AS_OF).to_jsonable())
    b = _without_sources(evaluate(contract, again, AS_OF).to_jsonable())
    assert a == b
    assert _compare(EXPECTED, b) == []


def _without_sources(value: object) -> object:
    """The report without what names the files (``data``, derivations citing rows)."""
    if isinstance(value, dict):
        return {k: _without_sources(v) for k, v in value.items()
                if k not in ("data", "derivation")}
    if isinstance(value, list):
        return [_without_sources(v) for v in value]
    return value


# ---- hand-worked figures and boundaries ------------------------------------------------------
def _full_year(k: Kit, year: str, people: dict[str, int], skip: tuple[str, ...] = ()
               ) -> list[object]:
    return [k.caseload(t, f"{year} M{m}", n) for m in range(1, 13) for t, n in people.items()
            if f"{t} {year} M{m}" not in skip]


def test_one_month_pays_a_twelfth_and_rounds_once(obc: Callable[[str], Contract],
                                                  kit: Callable[[Contract], Kit]) -> None:
    c = obc(_contract())
    k = kit(c)
    # 7 people in TIER1 in 2019 M1: 7 × 1195 / 12 = 697.083.. → £697.08
    report = evaluate(c, k.bundle(k.caseload("TIER1", "2019 M1", 7),
                                  k.caseload("TIER2", "2019 M1", 1),
                                  k.caseload("TIER3", "2019 M1", 0)), dt.date(2019, 1, 31))
    assert report.capitation is not None and len(report.capitation) == 1
    year = report.capitation[0]
    assert [(t.price, t.payable, t.months) for t in year.tiers] == [
        ("TIER1", Decimal("697.08"), 1), ("TIER2", Decimal("303.33"), 1),
        ("TIER3", Decimal("0.00"), 1)]
    assert year.payable == Decimal("1000.41")
    assert report.status == "compliant"


def test_rounding_is_once_per_tier_and_year_not_per_month(
        obc: Callable[[str], Contract], kit: Callable[[Contract], Kit]) -> None:
    c = obc(_contract())
    k = kit(c)
    # 1 person in TIER1 for 12 months: 12 × 99.58333.. = £1,195.00 exactly; month by month
    # rounding would give 12 × £99.58 = £1,194.96
    rows = _full_year(k, "2019", {"TIER1": 1, "TIER2": 0, "TIER3": 0})
    report = evaluate(c, k.bundle(*rows), dt.date(2019, 12, 31))
    assert report.capitation is not None
    assert report.capitation[0].tiers[0].payable == Decimal("1195.00")


@pytest.mark.parametrize(("as_of", "begun"), [
    (dt.date(2019, 2, 28), 2),   # the last day of a month: that month has begun (and ended)
    (dt.date(2019, 3, 1), 3),    # the first day of a month: it has begun
    (dt.date(2018, 12, 31), 0),  # before the term: no year has a begun month
    (dt.date(2019, 12, 31), 12),
])
def test_as_of_on_first_and_last_day_of_a_month(as_of: dt.date, begun: int,
                                                obc: Callable[[str], Contract],
                                                kit: Callable[[Contract], Kit]) -> None:
    c = obc(_contract())
    k = kit(c)
    rows = _full_year(k, "2019", {"TIER1": 12, "TIER2": 12, "TIER3": 12})
    report = evaluate(c, k.bundle(*rows), as_of)
    assert report.capitation is not None
    if not begun:
        assert report.capitation == []
        return
    year = report.capitation[0]
    assert year.begun == begun
    assert all(t.months == begun and not t.missing for t in year.tiers)
    # 12 people × price / 12 per month = price per month
    assert year.tiers[0].payable == Decimal(1195 * begun).quantize(Decimal("0.01"))


def test_a_row_after_the_as_of_date_is_ignored(obc: Callable[[str], Contract],
                                               kit: Callable[[Contract], Kit]) -> None:
    c = obc(_contract())
    k = kit(c)
    rows = [k.caseload(t, "2019 M1", 12) for t in PRICES]
    later = [k.caseload("TIER1", "2019 M2", 1_000_000), k.caseload("TIER2", "2020 M5", 5)]
    report = evaluate(c, k.bundle(*rows, *later), dt.date(2019, 1, 31))
    assert report.capitation is not None and len(report.capitation) == 1
    assert report.capitation[0].tiers[0].payable == Decimal("1195.00")
    assert report.status == "compliant"


def test_a_financial_year_term_labels_months_from_april(obc: Callable[[str], Contract],
                                                        kit: Callable[[Contract], Kit]) -> None:
    c = obc(_contract("2019-04-01", "2021-03-31"))
    k = kit(c)
    assert [y.label for y in c.term.years] == ["2019/20", "2020/21"]
    rows = [k.caseload(t, "2019/20 M1", 24) for t in PRICES]
    # 2019/20 M2 starts on 1 May 2019: begun on that day, with no rows: missing
    report = evaluate(c, k.bundle(*rows), dt.date(2019, 5, 1))
    assert report.capitation is not None
    year = report.capitation[0]
    assert year.year == "2019/20" and year.begun == 2
    assert [t.missing for t in year.tiers] == [["2019/20 M2"]] * 3
    assert year.tiers[0].payable == Decimal("2390.00")  # 24 × 1195 / 12, M2 pays nothing
    assert report.status == "incomplete"


def test_a_missing_month_makes_the_report_incomplete_and_is_named(
        obc: Callable[[str], Contract], kit: Callable[[Contract], Kit]) -> None:
    c = obc(_contract())
    k = kit(c)
    rows = _full_year(k, "2019", {"TIER1": 12, "TIER2": 12, "TIER3": 12},
                      skip=("TIER2 2019 M4", "TIER2 2019 M9"))
    report = evaluate(c, k.bundle(*rows), dt.date(2019, 12, 31))
    assert report.status == "incomplete"
    assert report.capitation is not None
    tier2 = report.capitation[0].tiers[1]
    assert tier2.missing == ["2019 M4", "2019 M9"] and tier2.months == 10
    assert tier2.payable == Decimal(3640 * 10).quantize(Decimal("0.01"))
    assert report.totals.capitation_missing_months == 2


def test_risk_share_budget_is_capitation_and_a_missing_month_means_no_risk_share(
        obc: Callable[[str], Contract], kit: Callable[[Contract], Kit]) -> None:
    c = obc(_contract(risk=True))
    k = kit(c)
    y1 = _full_year(k, "2019", {"TIER1": 12, "TIER2": 12, "TIER3": 12})
    y2 = _full_year(k, "2020", {"TIER1": 12, "TIER2": 12, "TIER3": 12}, skip=("TIER3 2020 M12",))
    # 2019 capitation = 12 × (1195 + 3640 + 9870) = 176,460; spend 170,000: gain 6,460
    report = evaluate(c, k.bundle(*y1, *y2, k.spend("2019", 170000), k.spend("2020", 1)),
                      dt.date(2021, 3, 31))
    assert report.risk_share is not None
    assert [r.year for r in report.risk_share] == ["2019"]  # 2020 misses a month
    r = report.risk_share[0]
    assert r.budget == Decimal("176460.00") and r.variance == Decimal("6460.00")
    assert r.members == {"EHT": Decimal("1938.00"), "EGPF": Decimal("1292.00")}
    assert report.status == "incomplete"


# ---- properties ------------------------------------------------------------------------------
PEOPLE = st.integers(min_value=0, max_value=10**7)
CONTRACT_TEXT = _contract()


def _compiled() -> Contract:
    from obc_check.dsl import compile_text

    c = compile_text(CONTRACT_TEXT, "p.obc").contract
    assert c is not None
    return c


COMPILED = _compiled()


@settings(max_examples=60, deadline=None)
@given(st.lists(PEOPLE, min_size=12, max_size=12), st.integers(0, 11), st.integers(1, 1000),
       st.sampled_from(sorted(PRICES)))
def test_payable_is_monotone_in_every_caseload(people: list[int], month: int, more: int,
                                               tier: str) -> None:
    k = Kit(COMPILED)

    def payable(counts: list[int]) -> Decimal:
        rows = [k.caseload(tier, f"2019 M{m + 1}", n) for m, n in enumerate(counts)]
        report = evaluate(COMPILED, k.bundle(*rows), dt.date(2019, 12, 31))
        assert report.capitation is not None
        return report.capitation[0].payable

    bigger = list(people)
    bigger[month] += more
    assert payable(bigger) >= payable(people)


@settings(max_examples=60, deadline=None)
@given(st.lists(PEOPLE, min_size=1, max_size=12), st.sampled_from(sorted(PRICES)))
def test_rounding_happens_once_per_tier_and_year(people: list[int], tier: str) -> None:
    k = Kit(COMPILED)
    rows = [k.caseload(tier, f"2019 M{m + 1}", n) for m, n in enumerate(people)]
    as_of = dt.date(2019, len(people), 1)
    report = evaluate(COMPILED, k.bundle(*rows), as_of)
    assert report.capitation is not None
    found = next(t for t in report.capitation[0].tiers if t.price == tier)
    exact = sum((Fraction(n) * Fraction(PRICES[tier]) / 12 for n in people), Fraction(0))
    assert found.payable == round_money(exact)
    assert found.months == len(people)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 10**9), st.integers(0, 5 * 10**6))
def test_risk_share_over_capitation_signs_and_cap(people: int, spend: int, cap: int) -> None:
    from obc_check.dsl import compile_text

    c = compile_text(_contract(risk=True, cap=f"£{cap}"), "p.obc").contract
    assert c is not None
    k = Kit(c)
    rows = _full_year(k, "2019", {"TIER1": people, "TIER2": people, "TIER3": people})
    report = evaluate(c, k.bundle(*rows, k.spend("2019", spend)), dt.date(2019, 12, 31))
    assert report.risk_share is not None and report.capitation is not None
    (r,) = report.risk_share
    assert r.budget == report.capitation[0].payable
    assert r.variance == r.budget - Decimal(spend)
    total = sum(r.members.values(), Decimal(0))
    if r.variance > 0:
        assert all(v >= 0 for v in r.members.values())
    elif r.variance < 0:
        assert all(v <= 0 for v in r.members.values())
        # the members' part is capped; each rounded amount is within half a penny of it
        assert -total <= Decimal(cap) + Decimal("0.01") * len(r.members)
    else:
        assert total == 0


# ---- the formats and --explain ---------------------------------------------------------------
def test_text_markdown_junit_show_each_year_and_tier_with_missing_months(
        library_report_of: Callable[[str], Report]) -> None:
    from obc_check.checker.report.formats import ReportFormat, render

    report = library_report_of("year_of_care")
    text = render(report, ReportFormat.text)
    assert "1 capitation month without a caseload row" in text
    assert " 2021   TIER3        11/12   M7        £18,063,745.00" in text
    assert "Not assessed (the capitation misses a month): 2021" in text
    assert "Capitation payable: £227,006,277.92" in text
    md = render(report, ReportFormat.markdown)
    assert "| 2021 | TIER3 | 11/12 | M7 | £18,063,745.00 |" in md
    junit = render(report, ReportFormat.junit)
    assert 'name="YOC capitation 2021" tests="3" failures="0" errors="0" skipped="1"' in junit
    assert 'message="no caseload row for 2021 M7"' in junit


def test_missing_months_are_shown_as_runs() -> None:
    from obc_check.checker.report.formats.common import month_runs

    assert month_runs(["2019 M4", "2019 M5", "2019 M6", "2019 M9"]) == "M4–M6, M9"
    assert month_runs(["2019/20 M12"]) == "M12"
    assert month_runs([]) == ""


def test_explain_tier_gives_months_caseloads_and_sums() -> None:
    result = CliRunner().invoke(app, ["check", str(FOLDER / "contract.obc"), "--data",
                                      str(FOLDER / "data"), "--as-of", EXPECTED["as_of"],
                                      "--explain", "TIER1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "TIER1 — One long-term condition (capitation tier, £1,195.00 per person " \
        "per year)"
    assert "    2019 M1: 21,440 people × £1,195.00 / 12 = £2,135,066.6666…; so far " \
        "£2,135,066.6666…" in lines
    assert any(line.startswith("    2019 M12: 21,516 people") and
               line.endswith("so far £25,669,097.9166…") for line in lines)
    assert "rounded half up to the penny once = £25,669,097.92" in result.stdout
    assert sum(1 for line in lines if line.startswith("    20")) == 36  # every begun month
    short = CliRunner().invoke(app, ["check", str(FOLDER / "contract.obc"), "--data",
                                     str(FOLDER / "data"), "--as-of", EXPECTED["as_of"],
                                     "--explain", "TIER3"])
    assert "    2021 M7: no caseload row: nothing paid for it (the report is incomplete)" \
        in short.stdout.splitlines()


# ---- diff ------------------------------------------------------------------------------------
def test_diff_names_a_tier_price_change_per_person_per_year_and_month() -> None:
    from obc_check.diff import diff_contracts
    from obc_check.dsl import compile_text

    old = compile_text(_contract(risk=True), "a.obc").contract
    new = compile_text(_contract(risk=True).replace("£3,640", "£3,652").replace(
        '    price TIER3 "Four or more"     £9,870 per person per year\n', ""), "b.obc").contract
    assert old is not None and new is not None
    changes = {c.path: c for c in diff_contracts(old, new).changes}
    price = changes["capitation.TIER2.price"]
    assert (price.old, price.new, price.effect) == (
        "£3,640 per person per year", "£3,652 per person per year", "looser")
    assert price.why.startswith("£12 more per person per year on the caseload, £1 per person "
                                "per month")
    gone = changes["capitation.TIER3"]
    assert gone.kind == "removed" and gone.effect == "stricter" and gone.breaks_data


def test_diff_budget_from_a_sum_to_capitation_is_neutral() -> None:
    from obc_check.diff import diff_contracts
    from obc_check.dsl import compile_text

    text = _contract(risk=True)
    old = compile_text(text.replace("budget capitation", "budget £150,000,000 per year"),
                       "a.obc").contract
    new = compile_text(text, "b.obc").contract
    assert old is not None and new is not None
    (change,) = [c for c in diff_contracts(old, new).changes if c.field == "budget"]
    assert change.effect == "neutral"
    assert change.new == "capitation (each year's capitation payable)"


def test_no_caseload_table_makes_every_begun_month_missing(
        obc: Callable[[str], Contract], kit: Callable[[Contract], Kit]) -> None:
    c = obc(_contract(risk=True))
    k = kit(c)
    report = evaluate(c, k.bundle(k.spend("2019", 1)), dt.date(2020, 2, 1))
    assert report.capitation is not None
    assert [(y.year, y.begun, y.payable) for y in report.capitation] == [
        ("2019", 12, Decimal("0.00")), ("2020", 2, Decimal("0.00"))]
    assert all(t.missing and t.months == 0 for y in report.capitation for t in y.tiers)
    assert report.totals.capitation_missing_months == 3 * 14
    assert report.risk_share == [] and report.risk_share_not_assessed == ["2019"]
    assert report.status == "incomplete"


SPEC_EXAMPLE = ROOT.parent / "shared" / "spec" / "examples-records" / "year_of_care"


@pytest.mark.skipif(not SPEC_EXAMPLE.is_dir(), reason="../shared/spec/examples-records is not here")
def test_the_library_copy_is_the_spec_example_verbatim() -> None:
    for spec_file in sorted(f for f in SPEC_EXAMPLE.rglob("*") if f.is_file()):
        ours = FOLDER / spec_file.relative_to(SPEC_EXAMPLE)
        assert ours.read_bytes() == spec_file.read_bytes(), ours
