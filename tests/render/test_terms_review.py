"""The TERMS.md sentences of the schedule say what `check` computes (issue 9 over issue 14).

As ``test_faithful``: each test builds an edge contract, runs the checker on edge data (the
library call) and asserts that the rendered sentence describes the figure the checker
produced: value rounding in the worked example, the payments that count towards the
commissioner's duty to pay, a cap per year and the year a Financial Consequence counts in,
an uncapped payer with no share, and the matters the Schedule now does deal with.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from obc_check.checker.check import check_bundle
from obc_check.checker.report import Report
from obc_check.checker.report.rows import ObligationRow
from obc_check.dsl import compile_text
from obc_check.model import Contract
from obc_check.render import render_markdown

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


def _rows(report: Report, ident: str) -> list[ObligationRow]:
    return [r for r in report.obligations if r.obligation == ident]


def _one_line(md: str) -> str:
    return " ".join(md.split())


# --- Value rounding: the worked example uses the rounded Value ---------------------------

ROUNDED_LINEAR = """
  outcome_payment £100,000
  outcome O "Function" weight 100% {
    indicator HIP "Hip score" {
      unit score
      higher is better
      floor 20.0
      target 22.5
      value rounded to 1 decimal place
    }
  }
"""


def test_the_worked_example_uses_the_rounded_value(tmp_path: Path) -> None:
    c = _compile(ROUNDED_LINEAR)
    report = _check(c, tmp_path, {"indicators": "indicator,period,value,numerator,denominator\n"
                                              "HIP,2016/17,21.25,,"})
    assert report.outcome_payment is not None
    ind = report.outcome_payment[0].indicators[0]
    assert ind.value == "21.3" and ind.earned == Decimal("52000.00")
    md = _one_line(render_markdown(c))
    assert ("a Value of 21.25, halfway between the Floor of 20.0 and the Target of 22.5, is "
            "rounded to 21.3 and so earns 52% of the Allocation of £100,000, that is £52,000."
            in md)


def test_a_halfway_value_the_rounding_keeps_is_the_plain_example() -> None:
    c = _compile(ROUNDED_LINEAR.replace("22.5", "22.0"))
    md = _one_line(render_markdown(c))
    assert ("a Value of 21.0, halfway between the Floor of 20.0 and the Target of 22.0, earns "
            "50% of the Allocation of £100,000, that is £50,000." in md)


def test_value_rounding_takes_a_negative_half_away_from_nought(tmp_path: Path) -> None:
    c = _compile(ROUNDED_LINEAR)  # a score (a health gain) may be reported below nought
    report = _check(c, tmp_path, {"indicators": "indicator,period,value,numerator,denominator\n"
                                              "HIP,2016/17,-0.25,,"})
    assert report.outcome_payment is not None
    assert report.outcome_payment[0].indicators[0].value == "-0.3"  # not -0.2: away from nought
    md = _one_line(render_markdown(c))
    assert ("The Value is rounded half up to one decimal place, a half being rounded away from "
            "nought (so -0.25 becomes -0.3), before it is compared with any threshold" in md)


# --- The commissioner's duty to pay: which payments count --------------------------------

PAYOUT = """
  party S "Helping Hands" role subcontractor sector voluntary
  outcome_payment £100,000
  outcome O "Function" weight 100% {
    indicator HIP "Hip score" { unit score higher is better floor 20.0 target 22.0 }
  }
  obligation PAY "Payment of outcome payments" {
    C shall pay its share of earned payments within 30 days of year end
  }
"""


def test_only_outcome_payments_for_the_year_count_towards_the_duty_to_pay(
        tmp_path: Path) -> None:
    c = _compile(PAYOUT)
    report = _check(c, tmp_path, {
        "indicators": "indicator,period,value,numerator,denominator\nHIP,2016/17,22,,",
        "payments": """
payer,payee,invoice,amount,received_on,paid_on,kind,period
C,L,A1,40000.00,,2016-10-01,outcome_payment,2016/17
C,L,INV1,30000.00,2017-03-01,2017-03-15,invoice,
C,S,A2,30000.00,,2017-04-10,outcome_payment,2016/17
"""}, as_of=dt.date(2017, 6, 30))
    row = _rows(report, "PAY")[0]
    # the invoice paid to the Lead Provider does not count; the outcome payment to S does
    assert row.required == Decimal("100000.00") and row.actual == Decimal("70000.00")
    assert row.status == "breached"
    md = _one_line(render_markdown(c))
    assert ("A payment counts towards it only where it is made on or before that day and is "
            "reported in the payments data as an outcome payment (of kind “outcome_payment”) "
            "for that Contract Year (with that Contract Year as its period), whichever party "
            "it is made to; payments on account made during the Contract Year are included. "
            "No other payment, including the payment of an invoice, counts." in md)
    assert "the provider" not in md


# --- Funding: an uncapped payer with a share of nought takes nothing ---------------------

def test_an_uncapped_payer_with_no_share_leaves_the_excess_unfunded(tmp_path: Path) -> None:
    c = _compile("""
  party D "Department" role commissioner sector central_government
  outcome_payment £100,000
  outcome O "Function" weight 100% {
    indicator HIP "Hip score" { unit score higher is better floor 20.0 target 22.0 }
  }
  funding {
    C pays 100%, at most £60,000 over term
    D pays 0%
  }
""")
    report = _check(c, tmp_path, {
        "indicators": "indicator,period,value,numerator,denominator\nHIP,2016/17,22,,"},
        as_of=dt.date(2017, 6, 30))
    assert report.funding is not None
    year = report.funding[0]
    assert year.payers == {"C": Decimal("60000.00"), "D": Decimal("0.00")}
    assert year.unfunded == Decimal("40000.00")
    md = _one_line(render_markdown(c))
    assert "so no part of the Payable is left unfunded" not in md
    assert ("Any part of the Payable that no Commissioner can take because every cap has been "
            "reached is unfunded: no Commissioner is bound to pay it under this Schedule. A "
            "Commissioner whose share is 0% takes no part, even where it has no cap." in md)


# --- A cap per year: the Contract Year a Financial Consequence counts in -----------------

def test_a_late_last_quarter_return_counts_in_its_own_contract_year(tmp_path: Path) -> None:
    c = _compile("""
  obligation R "Quarterly return" {
    L shall report within 5 working days after each quarter
    penalty £100 per breach, at most £100 per year
  }
""")
    # 2016/17 Q1 and Q4 late (Q4 falls due in April 2017, in 2017/18), 2017/18 Q1 late
    report = _check(c, tmp_path, {"submissions": """
obligation,period,submitted_on
R,2016/17 Q1,2016-07-20
R,2016/17 Q2,2016-10-03
R,2016/17 Q3,2017-01-03
R,2016/17 Q4,2017-04-20
R,2017/18 Q1,2017-07-20
R,2017/18 Q2,2017-10-02
R,2017/18 Q3,2018-01-03
R,2017/18 Q4,2018-04-03
"""})
    rows = {r.period: r for r in _rows(report, "R")}
    assert rows["2016/17 Q4"].due is not None and rows["2016/17 Q4"].due > dt.date(2017, 3, 31)
    assert rows["2016/17 Q4"].status == "breached"
    assert rows["2016/17 Q4"].penalty == Decimal("0.00")  # 2016/17's cap already taken by Q1
    assert rows["2017/18 Q1"].penalty == Decimal("100.00")  # so 2017/18's is still whole
    md = _one_line(render_markdown(c))
    assert ("The Financial Consequences under this obligation for one Contract Year shall not "
            "exceed £100 in total. A Financial Consequence counts in the Contract Year of the "
            "Quarter the Return is for, even where the Return falls due after that Contract "
            "Year has ended." in md)


def test_prompt_payment_cap_counts_in_the_year_the_invoice_fell_due() -> None:
    c = _compile("""
  party S "Helping Hands" role subcontractor sector voluntary
  obligation P "Prompt payment" {
    L shall pay subcontractor invoices within 30 days of receipt
    penalty £100 per breach, at most £300 per year
  }
""")
    md = _one_line(render_markdown(c))
    assert ("A Financial Consequence counts in the Contract Year in which the invoice fell due "
            "(the first Contract Year for an invoice due before the Term, the last for one due "
            "after it). They are taken in order of the day each Failure's performance was due, "
            "invoices due on the same day in order of their references (compared as text, "
            "character by character)," in md)


# --- Matters for the main agreement: what the Schedule now does deal with ---------------

def test_the_matters_clause_does_not_disown_what_the_schedule_sets(tmp_path: Path) -> None:
    c = _compile(PAYOUT.replace(
        "  obligation PAY", """  obligation R "Annual return" {
    L shall report within 5 working days after each year
    penalty £100 per day late, at most £500 per year
  }
  obligation PAY"""))
    report = _check(c, tmp_path, {
        "indicators": "indicator,period,value,numerator,denominator\nHIP,2016/17,22,,",
        "submissions": "obligation,period,submitted_on\n"}, as_of=dt.date(2017, 6, 30))
    late = _rows(report, "R")[0]
    assert late.status == "breached" and late.penalty == Decimal("500.00")  # capped by the Schedule
    pay = _rows(report, "PAY")[0]
    assert pay.due == dt.date(2017, 4, 30)  # the Schedule sets the day the Commissioner pays by
    md = _one_line(render_markdown(c))
    assert "Remedies: whether the Financial Consequences are capped, and" not in md
    assert ("Remedies: whether the Financial Consequences are capped beyond the cap per "
            "Contract Year of obligation R, and whether" in md)
    assert ("This Schedule says only how much is payable or borne for each Contract Year or "
            "period, and, in obligation PAY, the last day by which a Commissioner shall pay "
            "it." in md)


def test_the_payment_matter_names_the_capitation() -> None:
    c = _compile("""
  capitation {
    price LOW "Low needs" £1,200 per person per year
  }
""")
    md = _one_line(render_markdown(c))
    assert "Payment: when and how the Capitation is invoiced, paid or deducted" in md
