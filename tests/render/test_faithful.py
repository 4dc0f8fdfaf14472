"""The rendered schedule says what `check` computes: one edge contract per point of issue 9.

Each test builds a contract that exercises the point, runs the checker on edge data (the
library call), and asserts that the rendered sentence describes the figure the checker
produced. The checker is the truth: where the two disagree, the text is what gets signed.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from obc_check.checker.check import check_bundle
from obc_check.checker.report import Report
from obc_check.checker.report.rows import ObligationRow
from obc_check.dsl import compile_text
from obc_check.model import Contract
from obc_check.render import render_markdown
from obc_check.render.blocks import Block, Para, Section, Table
from obc_check.render.document import build_document

HEAD = """
contract EDGE "Edge contract" {{
  version "1"
  currency GBP
  term {term}
  party C "Council" role commissioner sector local_authority
  party L "Acme Care Ltd" role lead_provider sector private
{body}
}}
"""
APRIL = "2016-04-01 to 2018-03-31"
OCTOBER = "2016-10-01 to 2018-09-30"


def _compile(body: str, term: str = APRIL) -> Contract:
    result = compile_text(HEAD.format(term=term, body=body))
    assert result.contract is not None, [d.message for d in result.diagnostics]
    return result.contract


def _check(contract: Contract, folder: Path, tables: dict[str, str],
           as_of: dt.date = dt.date(2019, 12, 31)) -> Report:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text.strip() + "\n", encoding="utf-8")
    report, diags = check_bundle(contract, folder, as_of)
    assert report is not None, [d.message for d in diags]
    return report


def _paras(blocks: tuple[Block, ...]) -> list[Para]:
    out: list[Para] = []
    for b in blocks:
        if isinstance(b, Section):
            out.extend(_paras(b.blocks))
        elif isinstance(b, Para):
            out.append(b)
    return out


def _tables(blocks: tuple[Block, ...]) -> list[Table]:
    out: list[Table] = []
    for b in blocks:
        if isinstance(b, Section):
            out.extend(_tables(b.blocks))
        elif isinstance(b, Table):
            out.append(b)
    return out


def _definition(c: Contract, term: str) -> str:
    found = [p.text for p in _paras(build_document(c).sections) if p.term == term]
    assert len(found) == 1, term
    return found[0]


def _rows(report: Report, ident: str) -> list[ObligationRow]:
    return [r for r in report.obligations if r.obligation == ident]


def _indicator(report: Report, year: int, ident: str) -> object:
    assert report.outcome_payment is not None
    return next(i for i in report.outcome_payment[year].indicators if i.indicator == ident)


# --- Value: numerator and denominator are used exactly ---------------------------------

TARGET_60 = """
  annual_value £1,000,000
  outcome_payment £10,000
  outcome O "People recover" weight 100% {
    indicator I "Recovered" { unit percent higher is better target 60% pays all or nothing }
  }
"""


def test_value_uses_numerator_over_denominator_not_the_written_value(tmp_path: Path) -> None:
    c = _compile(TARGET_60)
    report = _check(c, tmp_path, {"indicators": """
indicator,period,value,numerator,denominator
I,2016/17,60.0,5999,10000
I,2017/18,60.0,6000,10000
"""})
    first, second = _indicator(report, 0, "I"), _indicator(report, 1, "I")
    assert (first.value, first.earned) == ("59.99", Decimal("0.00"))  # type: ignore[attr-defined]
    assert second.earned == Decimal("10000.00")  # type: ignore[attr-defined]
    value = _definition(c, "Value")
    assert ("the Value is its numerator divided by its denominator (multiplied by 100 for a "
            "percentage), computed exactly, where it gives them, a value written beside them "
            "serving only to cross-check them (so 5,999 out of 10,000 is a Value of 59.99%, "
            "even where the value is written as 60.0)") in value
    assert "the figure reported" not in value


# --- Missing and insufficient, exactly when the checker says so ------------------------

def test_periods_without_numerator_and_denominator_make_the_value_missing(
        tmp_path: Path) -> None:
    c = _compile(TARGET_60)
    report = _check(c, tmp_path, {"indicators": """
indicator,period,value,numerator,denominator
I,2016/17 Q1,70,,
I,2016/17 Q2,70,,
I,2016/17 Q3,70,,
I,2016/17 Q4,70,,
I,2017/18 Q1,,0,0
I,2017/18 Q2,,0,0
I,2017/18 Q3,,0,0
I,2017/18 Q4,,0,0
"""})
    assert [_indicator(report, y, "I").status for y in (0, 1)] == [  # type: ignore[attr-defined]
        "missing", "missing"]
    value = _definition(c, "Value")
    assert ("where not every Quarter (nor every Month) of the Contract Year is reported, or "
            "one of them is reported without both a numerator and a denominator") in value
    assert "or where the denominators of the Quarters (or Months) add up to nought" in value
    assert "insufficient" not in value  # no minimum denominator in this contract


def test_a_pooled_denominator_below_the_minimum_is_insufficient(tmp_path: Path) -> None:
    c = _compile(TARGET_60.replace("pays all or nothing", "pays all or nothing "
                                   "minimum denominator 100 if missing pay 25%"))
    report = _check(c, tmp_path, {"indicators": """
indicator,period,value,numerator,denominator
I,2016/17 Q1,,20,20
I,2016/17 Q2,,20,20
I,2016/17 Q3,,20,20
I,2016/17 Q4,,19,19
"""})
    ind = _indicator(report, 0, "I")
    assert (ind.status, ind.denominator) == ("insufficient", "79")  # type: ignore[attr-defined]
    assert ind.earned == Decimal("2500.00")  # type: ignore[attr-defined]
    md = render_markdown(c)
    assert ("Where the denominator for a Contract Year (that of the figure for the Contract "
            "Year, or the sum of the denominators of its Quarters or Months) is below 100, the "
            "Value for that Contract Year is insufficient.") in md
    assert ("Where the Value of this Indicator for a Contract Year is missing or insufficient, "
            "25% of this Indicator's Allocation for that Contract Year is payable") in md
    assert "is insufficient where the denominator for the Contract Year" in _definition(
        c, "Value")


# --- A missing Value loses this Indicator's Allocation only ----------------------------

TWO_INDICATORS = """
  annual_value £1,000,000
  outcome_payment £10,000
  outcome O "People recover" weight 100% {
    indicator I "Recovered" weight 50% {
      unit percent higher is better target 60% pays all or nothing }
    indicator J "In work" weight 50% {
      unit percent higher is better target 60% pays all or nothing }
  }
"""


def test_a_missing_value_loses_only_that_indicators_allocation(tmp_path: Path) -> None:
    c = _compile(TWO_INDICATORS)
    report = _check(c, tmp_path, {"indicators": """
indicator,period,value,numerator,denominator
J,2016/17,70,,
"""})
    assert report.outcome_payment is not None
    year = report.outcome_payment[0]
    assert _indicator(report, 0, "I").status == "missing"  # type: ignore[attr-defined]
    assert year.earned == Decimal("5000.00")  # J's Allocation: the year is not lost
    md = render_markdown(c)
    assert ("Where the Value of this Indicator for a Contract Year is missing, nothing of this "
            "Indicator's Allocation for that Contract Year is payable.") in md
    assert "nothing is payable for that Contract Year" not in md


# --- Gateways: shares of the Indicator Sum before any Gateway, capped ------------------

GATEWAYS = TWO_INDICATORS + """
  indicator SAFE "Safeguarding audit" { unit percent higher is better minimum denominator 10 }
  gateway G1 "Safety" {
    requires SAFE at least 90%
    otherwise withhold 60% of outcome_payment
  }
  gateway G2 "Data" {
    requires J at least 95%
    otherwise withhold 60% of outcome_payment
  }
"""


def test_gateways_take_shares_of_the_indicator_sum_and_are_capped(tmp_path: Path) -> None:
    c = _compile(GATEWAYS)
    report = _check(c, tmp_path, {"indicators": """
indicator,period,value,numerator,denominator
I,2016/17,70,,
J,2016/17,70,,
SAFE,2016/17,,9,9
"""})
    assert report.outcome_payment is not None
    year = report.outcome_payment[0]
    g1, g2 = year.gateways
    # SAFE is insufficient (9 cases, minimum 10): it withholds, as a Value below 90% would.
    assert g1.status == "insufficient" and g2.status == "not_met"
    # each takes 60% of the £10,000 indicator sum, not of what the other left
    assert g1.withheld == g2.withheld == Decimal("6000.00")
    assert year.earned_before_gateways == Decimal("10000.00")
    assert year.gateway_withheld == Decimal("10000.00") and year.earned == Decimal("0.00")
    md = render_markdown(c)
    assert ("Each Gateway's share is taken of the Indicator Sum for the Contract Year as it "
            "stands before any Gateway, not of what remains after another Gateway. The sums "
            "withheld under all the Gateways together in a Contract Year never exceed the "
            "Indicator Sum for it.") in md
    assert ("In a Contract Year in which that Value is below 90%, or is missing or "
            "insufficient, 60% of the Indicator Sum for that Contract Year is withheld") in md
    assert ("The Value of Indicator SAFE for a Contract Year is insufficient where its "
            "denominator for the Contract Year is below 10") in md
    assert "Outcome Payment earned" not in md
    assert "the Indicator Sum for a Contract Year less the sums withheld under the Gateways" \
        in _definition(c, "Earned Outcome Payment")


# --- Rate card: the order of the limits, and what is counted ---------------------------

def _rate_card(prices: str, cap: str) -> str:
    return f"""
  rate_card {{
    cap {cap} over term
{prices}
  }}
"""


def test_a_year_row_is_paid_before_its_last_quarter(tmp_path: Path) -> None:
    c = _compile(_rate_card('    price P "Housed" £1,000 per person\n'
                            '    price Q "Sustained" £1,000 per person', "£8,000"))
    report = _check(c, tmp_path, {"outcomes": """
price,period,count
Q,2016/17 Q4,5
P,2016/17,5
Q,2016/17 Q1,1
"""})
    assert report.rate_card is not None
    lines = [(ln.period, ln.price, ln.amount) for ln in report.rate_card.lines]
    assert lines == [("2016/17 Q1", "Q", Decimal("1000.00")),
                     ("2016/17", "P", Decimal("5000.00")),
                     ("2016/17 Q4", "Q", Decimal("2000.00"))]  # cut to what fits the cap
    md = render_markdown(c)
    assert ("The Rate Card Cap applies in time order: periods in the order of their last day, "
            "a longer period before a shorter one that ends on the same day (so a Contract "
            "Year's figures come after those of its earlier Quarters and Months and before "
            "those of its last Quarter or Month)") in md
    assert "Both limits" not in md and "For each outcome achieved" not in md
    assert ("neither limits how often the same person may be counted") in md
    assert "the sum for the period and price in which it is reached is paid only up to" in md


def test_price_limits_count_outcomes_in_time_order(tmp_path: Path) -> None:
    c = _compile(_rate_card('    price P "Housed" £1,000 per person, at most 3 over term\n'
                            '    price Q "Sustained" £500 per outcome, at most 2 over term',
                            "£100,000"))
    report = _check(c, tmp_path, {"outcomes": """
price,period,count
P,2016/17 Q1,2
P,2016/17 Q2,2
Q,2016/17 Q2,4
"""})
    assert report.rate_card is not None
    assert [ln.counted for ln in report.rate_card.lines] == [2, 1, 2]
    md = render_markdown(c)
    assert ("The limits (each price's limit on the outcomes counted and the Rate Card Cap) "
            "apply in time order") in md
    assert ("in the period in which it is reached, only the outcomes up to the limit are "
            "paid for") in md


# --- Risk share: rounding, members' amounts, no Actual Cost, the illustration ----------

RISK = """
  party A "Alpha Trust" role alliance_member sector nhs
  party B "Beta Charity" role alliance_member sector voluntary
  risk_share {{
    budget {budget}
    commissioner share {share}
    members A 50%, B 50%
  }}
"""


def test_member_amounts_are_rounded_away_from_nought_and_may_exceed_the_part(
        tmp_path: Path) -> None:
    c = _compile(RISK.format(budget="£1,000.03 per year", share="0%"))
    report = _check(c, tmp_path, {"spend": "period,actual_cost\n2016/17,1000.00\n"})
    assert report.risk_share is not None and len(report.risk_share) == 1  # no 2017/18 row
    year = report.risk_share[0]
    assert year.members_part == Decimal("0.03")
    assert year.members == {"A": Decimal("0.02"), "B": Decimal("0.02")}
    over = sum(year.members.values()) - year.members_part
    assert over == Decimal("0.01") <= Decimal("0.005") * len(year.members)
    md = render_markdown(c)
    assert ("so the members' amounts may add up to a little more or less than the Alliance "
            "Members' part: by up to half a penny for each member") in md
    assert "a loss of half a penny becoming a loss of one penny" in md
    assert ("While no Actual Cost is reported for a Contract Year, nothing is paid or borne "
            "under this clause for it.") in md


def test_a_loss_of_half_a_penny_is_a_loss_of_a_penny(tmp_path: Path) -> None:
    c = _compile(RISK.format(budget="£1,000 per year", share="50%").replace(
        "members A 50%, B 50%", "members A 100%").replace(
        '  party B "Beta Charity" role alliance_member sector voluntary\n', ""))
    report = _check(c, tmp_path, {"spend": "period,actual_cost\n2016/17,1000.01\n"})
    assert report.risk_share is not None
    assert report.risk_share[0].members == {"A": Decimal("-0.01")}
    assert "a loss of half a penny becoming a loss of one penny" in render_markdown(c)


def test_the_illustration_shows_what_the_checker_computes(tmp_path: Path) -> None:
    body = RISK.format(budget="£150,000,000 per year", share="50%").replace(
        "members A 50%, B 50%", "members A 55%, B 45%")
    c = _compile(body)
    # the illustration's 2% overspend and underspend on the year-1 Budget, as data
    over = _check(c, tmp_path / "over", {"spend": "period,actual_cost\n2016/17,153000000\n"})
    under = _check(c, tmp_path / "under", {"spend": "period,actual_cost\n2016/17,147000000\n"})
    assert over.risk_share is not None and under.risk_share is not None
    table = next(t for t in _tables(build_document(c).sections)
                 if t.caption.startswith("Illustration"))
    assert table.header[1:3] == ("Share of the Alliance Members' part", "Share of the Variance")
    rows = {row[0].split(" ")[0]: row for row in table.rows}
    for member in ("A", "B"):
        assert rows[member][3] == f"£{under.risk_share[0].members[member]:,.0f}"
        assert rows[member][4] == f"-£{-over.risk_share[0].members[member]:,.0f}"
        assert rows[member][2] == ""  # a member's share is of the members' part only
    assert rows["A"][1] == "55%"
    assert rows["Alliance"][1:3] == ("100%", "50%")
    assert rows["Commissioner"][1:3] == ("", "50%")


# --- Obligations: prompt payment, spend share, flow-down -------------------------------

def test_prompt_payment_counts_calendar_days_with_the_last_day_included(
        tmp_path: Path) -> None:
    c = _compile("""
  party S "Sub Ltd" role subcontractor sector voluntary
  obligation P "Prompt" { L shall pay subcontractor invoices within 30 days of receipt }
""")
    report = _check(c, tmp_path, {"payments": """
payer,payee,invoice,amount,received_on,paid_on,kind
L,S,S-1,100.00,2016-04-01,2016-05-01,invoice
L,S,S-2,100.00,2016-04-01,2016-05-02,invoice
"""})
    statuses = [r.status for r in _rows(report, "P")]
    assert statuses == ["met", "breached"]
    md = render_markdown(c)
    assert ("The Lead Provider shall pay each invoice it receives from a Subcontractor no later "
            "than the 30th calendar day after the day it receives it, that last day included "
            "(for example, an invoice received on 1 April 2016 is paid in time if it is paid "
            "on or before 1 May 2016).") in md


def test_spend_share_names_the_parties_and_counts_outcome_share_payments(
        tmp_path: Path) -> None:
    c = _compile("""
  party S "Sub Ltd" role subcontractor sector voluntary
  party T "Other Ltd" role subcontractor sector private
  annual_value £1,000
  obligation V "Voluntary" {
    L shall pay at least 10% of annual_value to voluntary sector parties each year
  }
""")
    report = _check(c, tmp_path, {"payments": """
payer,payee,invoice,amount,received_on,paid_on,kind
L,S,S-1,60.00,2016-04-01,2016-05-01,invoice
L,S,S-2,40.00,,2016-06-01,outcome_share
L,T,T-1,500.00,2016-04-01,2016-05-01,invoice
"""}, as_of=dt.date(2017, 3, 31))
    row = _rows(report, "V")[0]
    assert (row.status, row.actual) == ("met", Decimal("100.00"))
    md = render_markdown(c)
    assert ("The Lead Provider shall in each Contract Year pay to the parties of the voluntary "
            "sector named in clause 2 (S) in total at least 10% of the Annual Value") in md
    assert ("Every payment to those parties counts, whether of an invoice or an Outcome-Share "
            "Payment; a payment counts in the Contract Year in which it is paid.") in md


def test_flow_down_counts_outcome_share_payments_to_the_last_day(tmp_path: Path) -> None:
    c = _compile("""
  party S "Sub Ltd" role subcontractor sector voluntary
  annual_value £1,000,000
  outcome_payment £10,000
  outcome O "People recover" weight 100% {
    indicator I "Recovered" { unit percent higher is better target 60% pays all or nothing }
  }
  obligation F "Flow" {
    L shall pass on at least 10% of earned outcome_payment to subcontractors
      within 60 days of year end
  }
""")
    report = _check(c, tmp_path, {
        "indicators": "indicator,period,value,numerator,denominator\nI,2016/17,70,,\n"
                      "I,2017/18,70,,\n",
        "payments": """
payer,payee,invoice,amount,received_on,paid_on,kind
L,S,OS-1,1000.00,,2017-05-30,outcome_share
L,S,INV-1,1000.00,2018-04-02,2018-04-30,invoice
"""})
    rows = _rows(report, "F")
    assert [(r.status, r.required, r.actual) for r in rows] == [
        ("met", Decimal("1000.00"), Decimal("1000.00")),  # paid on day 60: counted
        ("breached", Decimal("1000.00"), Decimal("0.00"))]  # an invoice is not a share
    md = render_markdown(c)
    assert ("by Outcome-Share Payments made after the last day of that Contract Year and no "
            "later than the 60th calendar day after it, that day included") in md
    assert "the payment of an invoice is not an Outcome-Share Payment" in _definition(
        c, "Outcome-Share Payment")


def test_financial_consequences_are_the_reports_penalties(tmp_path: Path) -> None:
    c = _compile("""
  obligation R "Report" {
    L shall report within 5 working days after each year
    penalty £100 per breach
  }
""")
    report = _check(c, tmp_path, {"submissions": "obligation,period,submitted_on\n"})
    assert report.penalties == Decimal("200.00")
    data = json.loads(report.model_dump_json(by_alias=True))
    assert "penalties" in data and "breaches" in data["totals"]  # the report keeps its keys
    md = render_markdown(c)
    assert "Each Failure incurs a Financial Consequence of £100, payable by the Lead Provider." \
        in md
    assert "Penalty" not in md and "Breach" not in md


# --- Contract Years that do not start in April -----------------------------------------

def test_years_not_starting_in_april_are_dated_everywhere(tmp_path: Path) -> None:
    c = _compile("""
  annual_value £1,000,000 in year 1, £2,000,000 in year 2
  outcome_payment £10,000
  outcome O "People recover" weight 100% {
    indicator I "Recovered" { unit percent higher is better floor 50% target 60% }
  }
  obligation R "Report" { L shall report within 5 working days after each quarter }
""", term=OCTOBER)
    report = _check(c, tmp_path, {"submissions": "obligation,period,submitted_on\n"},
                    as_of=dt.date(2017, 1, 31))
    first = _rows(report, "R")[0]
    assert first.period == "2016/17 Q1" and "ended 2016-12-31" in first.derivation
    md = render_markdown(c)
    assert "labelled 2016/17 Q1 (1 October 2016 to 31 December 2016) to 2016/17 Q4 " \
           "(1 July 2017 to 30 September 2017)" in md
    year1 = "2016/17 (1 October 2016 to 30 September 2017)"
    doc = build_document(c)
    dated = 0
    for table in _tables(doc.sections):
        cells = [*table.header, *(r[0] for r in table.rows)]
        labels = [x for x in cells if x.startswith("2016/17")]
        if labels and table.caption != "Contract Years":
            assert all(x == year1 for x in labels), table.caption
            dated += 1
    assert dated >= 4  # Annual Value, Outcome Payment, Allocation, the Indicator's table
    assert f"For example, in {year1} a Value of 55%" in md
    assert "2016/17 Q1 the quarter from April to June" in md


def test_april_years_keep_their_bare_labels() -> None:
    md = render_markdown(_compile(TARGET_60))
    assert "| 2016/17 | 60% | £10,000 |" in md
    assert "(1 April 2016 to 31 March 2017)" not in md


def test_with_no_subcontractor_named_no_invoice_is_assessed(tmp_path: Path) -> None:
    c = _compile("""
  party X "Other Ltd" role prime_contractor sector private
  obligation P "Prompt" { L shall pay subcontractor invoices within 30 days of receipt }
""")
    report = _check(c, tmp_path, {"payments": """
payer,payee,invoice,amount,received_on,paid_on,kind
L,X,X-1,100.00,2016-04-01,2016-12-01,invoice
"""})
    rows = _rows(report, "P")
    assert all(r.status != "breached" for r in rows) and report.penalties == Decimal("0.00")
    assert ("none is named, so no invoice from or payment to a Subcontractor is assessed "
            "under it") in _definition(c, "Subcontractor")
