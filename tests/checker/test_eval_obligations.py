"""Obligations at their boundaries: working days, prompt payment, spend share, flow-down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from obc_check.checker.report.model import Report
from obc_check.checker.report.rows import ObligationRow
from obc_check.checker.rules.evaluate import evaluate
from obc_check.checker.rules.workdays import add_working_days, is_working_day
from obc_check.model import Contract

CONTRACT = """
contract T "Test" {
  version "1"
  currency GBP
  term 2016-04-01 to 2018-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Prime" role prime_contractor sector private
  party S1 "Sub one" role subcontractor sector voluntary
  party S2 "Sub two" role subcontractor sector nhs
  annual_value £1,000,000
  outcome_payment £100,000
  outcome A "A" weight 100% {
    indicator X "X" {
      unit percent
      higher is better
      target 50%
      pays all or nothing
    }
  }
  obligation REPORT "Quarterly return" {
    P shall report within 15 working days after each quarter
    penalty £1,000 per breach
  }
  obligation VCS "Voluntary share" {
    P shall pay at least 8% of annual_value to voluntary sector parties each year
  }
  obligation PROMPT "Prompt payment" {
    P shall pay subcontractor invoices within 30 days of receipt
    penalty £100 per breach
  }
  obligation FLOW "Flow-down" {
    P shall pass on at least 25% of earned outcome_payment to subcontractors
      within 60 days of year end
    penalty £5,000 per breach
  }
}
"""


@pytest.fixture
def contract(obc: Callable[[str], Contract]) -> Contract:
    return obc(CONTRACT)


def rows(report: Report, obligation: str) -> dict[str, ObligationRow]:
    return {(r.period or r.invoice or ""): r for r in report.obligations
            if r.obligation == obligation}


# --- working days -------------------------------------------------------------------------

@pytest.mark.parametrize(("after", "n", "due", "why"), [
    ("2017-12-22", 1, "2017-12-27", "Christmas Day and Boxing Day"),
    ("2016-12-23", 1, "2016-12-28", "Christmas and Boxing Day fall on a weekend: substitutes"),
    ("2016-12-30", 1, "2017-01-03", "New Year's Day on a Sunday: Monday 2 January off"),
    ("2017-12-29", 1, "2018-01-02", "New Year's Day, Monday"),
    ("2017-04-13", 1, "2017-04-18", "Good Friday and Easter Monday"),
    ("2018-03-29", 1, "2018-04-03", "Easter 2018"),
    ("2017-03-31", 15, "2017-04-25", "15 working days over Easter: two days later"),
    ("2016-12-31", 15, "2017-01-23", "15 working days over New Year"),
    ("2017-06-30", 15, "2017-07-21", "no bank holidays: three weeks"),
])
def test_due_dates_skip_england_bank_holidays(after: str, n: int, due: str, why: str) -> None:
    assert add_working_days(dt.date.fromisoformat(after), n) == dt.date.fromisoformat(due), why


def test_working_days() -> None:
    assert is_working_day(dt.date(2017, 4, 19))
    assert not is_working_day(dt.date(2017, 4, 22))  # Saturday
    assert not is_working_day(dt.date(2017, 8, 28))  # Summer bank holiday (England)
    assert is_working_day(dt.date(2017, 8, 7))  # Scotland's summer holiday is not England's


def test_report_due_dates_and_statuses(contract: Contract,
                                       kit: Callable[[Contract], object]) -> None:
    k = kit(contract)
    bundle = k.bundle(  # type: ignore[attr-defined]
        k.sub("REPORT", "2016/17 Q3", "2017-01-23"),  # on the due date (after New Year)
        k.sub("REPORT", "2016/17 Q4", "2017-04-26"),  # a day after the Easter-moved due date
        k.sub("REPORT", "2017/18 Q1", "2017-07-21"),
        k.sub("REPORT", "2017/18 Q2", "2017-12-01"),  # after the as-of date: not yet
    )
    rep = evaluate(contract, bundle, dt.date(2017, 10, 20))  # Q2 of 2017/18 due on 2017-10-20
    r = rows(rep, "REPORT")
    assert (r["2016/17 Q3"].status, r["2016/17 Q3"].due) == ("met", dt.date(2017, 1, 23))
    assert (r["2016/17 Q4"].status, r["2016/17 Q4"].due) == ("breached", dt.date(2017, 4, 25))
    assert r["2016/17 Q4"].penalty == Decimal("1000.00")
    assert "2017-04-14, 2017-04-17" in r["2016/17 Q4"].derivation
    assert r["2016/17 Q1"].status == "breached"  # never submitted, long past due
    assert r["2017/18 Q1"].status == "met"
    assert r["2017/18 Q2"].status == "not_due"  # due today and not (yet) submitted
    assert (r["2017/18 Q3"].status, r["2017/18 Q4"].status) == ("not_due", "not_due")
    rep = evaluate(contract, bundle, dt.date(2017, 10, 21))
    assert rows(rep, "REPORT")["2017/18 Q2"].status == "breached"


# --- prompt payment -------------------------------------------------------------------------

def test_prompt_payment_day_30_and_day_31(contract: Contract,
                                          kit: Callable[[Contract], object]) -> None:
    k = kit(contract)
    bundle = k.bundle(  # type: ignore[attr-defined]
        k.pay("P", "S1", "I30", 100, "2016-05-01", "2016-05-31"),   # day 30: met
        k.pay("P", "S1", "I31", 100, "2016-05-01", "2016-06-01"),   # day 31: breached
        k.pay("P", "S2", "OPEN", 100, "2016-05-01", None),          # unpaid, long past due
        k.pay("P", "S2", "NEW", 100, "2017-09-01", None),           # unpaid, due 2017-10-01
        k.pay("P", "S2", "EDGE", 100, "2017-08-31", None),          # unpaid, due on as-of
        k.pay("P", "S2", "LATER", 100, "2017-08-01", "2017-10-15"),  # paid after as-of, late
        k.pay("P", "C", "NOTSUB", 100, "2016-05-01", None),         # not a subcontractor
        k.pay("S1", "S2", "OTHER", 100, "2016-05-01", None),        # another payer
        k.pay("P", "S1", "OS", 100, None, "2016-05-01", "outcome_share"),
    )
    r = rows(evaluate(contract, bundle, dt.date(2017, 9, 30)), "PROMPT")
    assert set(r) == {"I30", "I31", "OPEN", "NEW", "EDGE", "LATER"}
    assert {k_: v.status for k_, v in r.items()} == {
        "I30": "met", "I31": "breached", "OPEN": "breached", "NEW": "not_due",
        "EDGE": "not_due", "LATER": "breached"}
    assert r["I31"].due == dt.date(2016, 5, 31)
    assert r["I31"].penalty == Decimal("100.00") and r["I30"].penalty == Decimal("0.00")


# --- spend share ----------------------------------------------------------------------------

def test_spend_share_exactly_met_and_a_penny_short(contract: Contract,
                                                   kit: Callable[[Contract], object]) -> None:
    k = kit(contract)
    bundle = k.bundle(  # type: ignore[attr-defined]
        k.pay("P", "S1", "A", "79999.99", "2016-04-01", "2016-04-01"),
        k.pay("P", "S1", "B", "0.01", "2017-03-01", "2017-03-31"),      # last day of year 1
        k.pay("P", "S2", "C", "500000", "2016-05-01", "2016-05-02"),    # nhs, not voluntary
        k.pay("P", "S1", "D", "79999.99", "2017-03-31", "2017-04-01"),  # year 2
    )
    r = rows(evaluate(contract, bundle, dt.date(2018, 9, 30)), "VCS")
    assert (r["2016/17"].status, r["2016/17"].actual, r["2016/17"].required) == (
        "met", Decimal("80000.00"), Decimal("80000.00"))
    assert (r["2017/18"].status, r["2017/18"].actual) == ("breached", Decimal("79999.99"))
    assert r["2017/18"].penalty == Decimal("0.00")  # no penalty written
    r = rows(evaluate(contract, bundle, dt.date(2018, 3, 30)), "VCS")
    assert r["2017/18"].status == "not_due"


# --- flow-down ------------------------------------------------------------------------------

def test_flow_down_window_and_rounding(contract: Contract,
                                       kit: Callable[[Contract], object]) -> None:
    k = kit(contract)
    base = [k.ind("X", "2016/17", "60")]  # type: ignore[attr-defined]
    # earned £100,000 → required 25% = £25,000; window 2017-04-01 .. 2017-05-30 (60 days)
    pays = [
        k.pay("P", "S1", None, "20000", None, "2017-03-31", "outcome_share"),  # before year end
        k.pay("P", "S1", None, "15000", None, "2017-04-01", "outcome_share"),  # first day
        k.pay("P", "S2", None, "9999.99", None, "2017-05-30", "outcome_share"),  # day 60
        k.pay("P", "S2", None, "1000", None, "2017-05-31", "outcome_share"),  # day 61: too late
        k.pay("P", "C", None, "5000", None, "2017-04-10", "outcome_share"),  # not a sub
    ]
    bundle = k.bundle(*base, *pays)  # type: ignore[attr-defined]
    r = rows(evaluate(contract, bundle, dt.date(2017, 5, 30)), "FLOW")
    assert (r["2016/17"].status, r["2016/17"].required, r["2016/17"].actual) == (
        "not_due", Decimal("25000.00"), Decimal("24999.99"))
    r = rows(evaluate(contract, bundle, dt.date(2017, 5, 31)), "FLOW")
    assert (r["2016/17"].status, r["2016/17"].penalty) == ("breached", Decimal("5000.00"))
    assert r["2017/18"].status == "not_due"
    bundle = k.bundle(*base, *pays, k.pay(  # type: ignore[attr-defined]
        "P", "S1", None, "0.01", None, "2017-05-01", "outcome_share"))
    r = rows(evaluate(contract, bundle, dt.date(2017, 5, 31)), "FLOW")
    assert r["2016/17"].status == "met"


def test_flow_down_required_rounds_half_up(obc: Callable[[str], Contract],
                                           kit: Callable[[Contract], object]) -> None:
    c = obc(CONTRACT.replace("outcome_payment £100,000", "outcome_payment £0.10"))
    k = kit(c)
    bundle = k.bundle(k.ind("X", "2016/17", "60"))  # type: ignore[attr-defined]
    # earned £0.10 × 25% = £0.025 → £0.03
    r = rows(evaluate(c, bundle, dt.date(2018, 9, 30)), "FLOW")
    assert r["2016/17"].required == Decimal("0.03")


def test_penalties_add_up(contract: Contract, kit: Callable[[Contract], object]) -> None:
    k = kit(contract)
    bundle = k.bundle(k.ind("X", "2016/17", "60"),  # type: ignore[attr-defined]
                      k.ind("X", "2017/18", "50"))  # type: ignore[attr-defined]
    rep = evaluate(contract, bundle, dt.date(2018, 9, 30))
    # 8 quarterly returns missing (£1,000 each) and two years without flow-down (£5,000 each)
    assert rep.penalties == Decimal("18000.00")
    assert rep.status == "breach"
    assert rep.totals.breaches == 8 + 2 + 2  # and two years of voluntary spend
    # with nothing earned, nothing has to be passed on
    rep = evaluate(contract, k.bundle(), dt.date(2018, 9, 30))  # type: ignore[attr-defined]
    assert {r.status for r in rep.obligations if r.obligation == "FLOW"} == {"met"}
