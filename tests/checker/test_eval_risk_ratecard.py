"""Risk share and rate card at their caps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from obc_check.checker.rules.evaluate import evaluate
from obc_check.model import Contract

RISK = """
contract R "Risk" {
  version "1"
  currency GBP
  term 2016-04-01 to 2019-03-31
  party C "Commissioner" role commissioner sector nhs
  party A "A" role alliance_member sector nhs
  party B "B" role alliance_member sector nhs
  party V "V" role alliance_member sector voluntary
  annual_value £150,000,000
  risk_share {
    budget £100,000,000 in year 1, £100,000,000 in year 2, £100,000,000 in year 3
    commissioner share 50%
    members A 33%, B 33%, V 34%
    member loss cap £3,000,000 per year
  }
}
"""

CARD = """
contract P "PbR" {
  version "1"
  currency GBP
  term 2017-04-01 to 2019-03-31
  party C "Council" role commissioner sector local_authority
  party H "Haven" role lead_provider sector voluntary
  rate_card {
    cap £100,000 over term
    price ENTRY "Entry" £1,000 per person
    price SUST "Sustained" £3,000 per person, at most 10 over term
    price WORK "Work" £2,000 per person
  }
}
"""


@pytest.fixture
def risk(obc: Callable[[str], Contract]) -> Contract:
    return obc(RISK)


@pytest.fixture
def card(obc: Callable[[str], Contract]) -> Contract:
    return obc(CARD)


def test_gain_loss_and_the_member_loss_cap(risk: Contract,
                                           kit: Callable[[Contract], object]) -> None:
    k = kit(risk)
    bundle = k.bundle(  # type: ignore[attr-defined]
        k.spend("2016/17", "99000000.01"),   # gain £999,999.99 → members £499,999.995
        k.spend("2017/18", "110000000"),     # loss £10m → members £5m, capped at £3m
        k.spend("2018/19", "104000000"),     # loss £4m → members £2m, under the cap
    )
    rep = evaluate(risk, bundle, dt.date(2019, 9, 30))
    assert rep.risk_share is not None
    gain, capped, under = rep.risk_share
    assert (gain.result, gain.variance, gain.capped) == ("gain", Decimal("999999.99"), False)
    # each member's amount rounded half up on its own: 33% of 499,999.995 = 164,999.99835
    assert gain.members == {"A": Decimal("165000.00"), "B": Decimal("165000.00"),
                            "V": Decimal("170000.00")}
    assert (capped.result, capped.capped, capped.members_part) == (
        "loss", True, Decimal("-3000000.00"))
    assert capped.members == {"A": Decimal("-990000.00"), "B": Decimal("-990000.00"),
                              "V": Decimal("-1020000.00")}
    assert sum(capped.members.values()) == Decimal("-3000000.00")
    assert (under.capped, sum(under.members.values())) == (False, Decimal("-2000000.00"))


def test_years_without_cost_data_or_not_ended_are_left_out(
        risk: Contract, kit: Callable[[Contract], object]) -> None:
    k = kit(risk)
    bundle = k.bundle(k.spend("2016/17", "100000000"),  # type: ignore[attr-defined]
                      k.spend("2018/19", "90000000"))
    rep = evaluate(risk, bundle, dt.date(2019, 3, 30))
    assert rep.risk_share is not None
    assert [(r.year, r.result) for r in rep.risk_share] == [("2016/17", "nil")]
    assert rep.risk_share[0].members == {"A": Decimal("0.00"), "B": Decimal("0.00"),
                                         "V": Decimal("0.00")}


def test_a_quarter_crossing_the_total_cap_is_paid_up_to_it(
        card: Contract, kit: Callable[[Contract], object]) -> None:
    k = kit(card)
    bundle = k.bundle(  # type: ignore[attr-defined]
        k.outcome("ENTRY", "2017/18 Q1", 90),      # £90,000
        k.outcome("WORK", "2017/18 Q2", 3),        # £6,000 → £96,000
        k.outcome("WORK", "2017/18 Q3", 1),        # declared after ENTRY: paid after it
        k.outcome("ENTRY", "2017/18 Q3", 5),       # £5,000 crosses £100,000: only £4,000
        k.outcome("ENTRY", "2017/18 Q4", 7),       # nothing left
    )
    rep = evaluate(card, bundle, dt.date(2019, 9, 30))
    assert rep.rate_card is not None
    lines = {(ln.period, ln.price): ln for ln in rep.rate_card.lines}
    assert lines[("2017/18 Q3", "ENTRY")].amount == Decimal("4000")
    assert lines[("2017/18 Q3", "WORK")].amount == Decimal("0")
    assert lines[("2017/18 Q4", "ENTRY")].amount == Decimal("0")
    assert rep.rate_card.total == Decimal("100000.00")
    assert [(y.year, y.payable) for y in rep.rate_card.years] == [
        ("2017/18", Decimal("100000")), ("2018/19", Decimal("0"))]


def test_a_per_price_cap_crossed_within_a_quarter(card: Contract,
                                                  kit: Callable[[Contract], object]) -> None:
    k = kit(card)
    bundle = k.bundle(  # type: ignore[attr-defined]
        k.outcome("SUST", "2017/18 Q2", 6),   # 6 of at most 10
        k.outcome("SUST", "2017/18 Q3", 7),   # only 4 more counted
        k.outcome("SUST", "2018/19 Q1", 5),   # none
        k.outcome("ENTRY", "2018/19 Q1", 2),
    )
    rep = evaluate(card, bundle, dt.date(2019, 9, 30))
    assert rep.rate_card is not None
    lines = {(ln.period, ln.price): ln for ln in rep.rate_card.lines}
    crossing = lines[("2017/18 Q3", "SUST")]
    assert (crossing.count, crossing.counted, crossing.amount) == (7, 4, Decimal("12000"))
    assert lines[("2018/19 Q1", "SUST")].counted == 0
    assert rep.rate_card.total == Decimal("32000.00")


def test_periods_not_ended_are_not_paid(card: Contract,
                                        kit: Callable[[Contract], object]) -> None:
    k = kit(card)
    bundle = k.bundle(k.outcome("ENTRY", "2017/18 Q1", 1),  # type: ignore[attr-defined]
                      k.outcome("ENTRY", "2017/18 Q2", 1))
    rep = evaluate(card, bundle, dt.date(2017, 9, 29))
    assert rep.rate_card is not None
    assert rep.rate_card.total == Decimal("1000.00")
    assert [y.year for y in rep.rate_card.years] == ["2017/18"]
