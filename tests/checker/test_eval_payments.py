"""Outcome payment rules at their boundaries (LANGUAGE.md, Meaning and Gateways)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest

from obc_check.checker.data.money import round_money
from obc_check.checker.report.model import IndicatorResult, Report
from obc_check.checker.rules.evaluate import evaluate
from obc_check.model import Contract

CONTRACT = """
contract T "Test" {
  version "1"
  currency GBP
  term 2015-04-01 to 2017-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Provider" role lead_provider sector nhs
  annual_value £1,000,000
  outcome_payment £1,000,000
  outcome A "A" weight 40% {
    indicator LIN "Linear, higher" weight 50% {
      unit percent
      higher is better
      floor 50% in year 1, 55% in year 2
      target 60% in year 1, 65% in year 2
      minimum denominator 20
    }
    indicator LOW "Linear, lower" weight 50% {
      unit rate
      lower is better
      floor 1200
      target 900
      if missing pay 50%
    }
  }
  outcome B "B" weight 30% {
    indicator STEP "Steps" {
      unit percent
      higher is better
      pays in steps 25% at 62%, 50% at 65%, 100% at 70%
    }
  }
  outcome D "D" weight 30% {
    indicator AON "All or nothing" {
      unit count
      lower is better
      target 10
      pays all or nothing
    }
  }
  indicator DQ "Data quality" {
    unit percent
    higher is better
  }
  gateway G "Gateway" {
    requires DQ at least 95%
    otherwise withhold 50% of outcome_payment
  }
}
"""
AS_OF = dt.date(2017, 9, 30)
FULL = [("LOW", "900"), ("STEP", "70"), ("AON", "10"), ("DQ", "95")]


@pytest.fixture
def contract(obc: Callable[[str], Contract]) -> Contract:
    return obc(CONTRACT)


def run(contract: Contract, kit: Callable[[Contract], object], *rows: tuple[object, ...],
        year: str = "2015/16", as_of: dt.date = AS_OF) -> Report:
    k = kit(contract)
    built = [k.ind(*r) for r in rows]  # type: ignore[attr-defined]
    return evaluate(contract, k.bundle(*built), as_of)  # type: ignore[attr-defined]


def row(report: Report, indicator: str, year: str = "2015/16") -> IndicatorResult:
    assert report.outcome_payment is not None
    y = next(y for y in report.outcome_payment if y.year == year)
    return next(i for i in y.indicators if i.indicator == indicator)


def lin_rows(value: tuple[int, int]) -> list[tuple[object, ...]]:
    n, d = value
    return [("LIN", "2015/16", None, n, d)] + [(i, "2015/16", v) for i, v in FULL]


@pytest.mark.parametrize(("n", "d", "achievement", "earned"), [
    (50, 100, "0.0000", "0.00"),        # exactly on the floor earns 0
    (60, 100, "1.0000", "200000.00"),   # exactly on the target earns 1
    (55, 100, "0.5000", "100000.00"),
    (49, 100, "0.0000", "0.00"),
    (61, 100, "1.0000", "200000.00"),
    (200, 300, "1.0000", "200000.00"),  # 66.67% — above the target
    (167, 300, "0.5667", "113333.33"),  # 55.666..%: a = 17/30, earned 113,333.333… → .33
])
def test_linear_higher_boundaries(contract: Contract, kit: Callable[[Contract], object],
                                  n: int, d: int, achievement: str, earned: str) -> None:
    r = row(run(contract, kit, *lin_rows((n, d))), "LIN")
    assert (r.status, str(r.achievement), str(r.earned)) == ("assessed", achievement, earned)


@pytest.mark.parametrize(("value", "achievement"), [
    ("1200", "0.0000"), ("900", "1.0000"), ("1050", "0.5000"), ("1300", "0.0000"),
    ("800", "1.0000"), ("1199", "0.0033"),
])
def test_linear_lower_boundaries(contract: Contract, kit: Callable[[Contract], object],
                                 value: str, achievement: str) -> None:
    r = row(run(contract, kit, ("LOW", "2015/16", value)), "LOW")
    assert str(r.achievement) == achievement


@pytest.mark.parametrize(("value", "share"), [
    ("61.9", "0.0000"), ("62", "0.2500"), ("64.99", "0.2500"), ("65", "0.5000"),
    ("69.9", "0.5000"), ("70", "1.0000"), ("99", "1.0000"),
])
def test_steps_exactly_on_a_step(contract: Contract, kit: Callable[[Contract], object],
                                 value: str, share: str) -> None:
    r = row(run(contract, kit, ("STEP", "2015/16", value)), "STEP")
    assert str(r.achievement) == share
    assert r.earned == round_money(Fraction(300000) * Fraction(share))


@pytest.mark.parametrize(("value", "earned"), [("10", "300000.00"), ("10.01", "0.00"),
                                               ("0", "300000.00")])
def test_all_or_nothing_lower_is_better(contract: Contract, kit: Callable[[Contract], object],
                                        value: str, earned: str) -> None:
    assert str(row(run(contract, kit, ("AON", "2015/16", value)), "AON").earned) == earned


def test_quarters_missing_from_a_year_is_missing(contract: Contract,
                                                 kit: Callable[[Contract], object]) -> None:
    rows = [("LIN", f"2015/16 Q{q}", None, 30, 50) for q in (1, 2, 4)]
    r = row(run(contract, kit, *rows), "LIN")
    assert (r.status, r.earned, r.value) == ("missing", Decimal("0.00"), None)
    assert "2015/16 Q3" in r.derivation


def test_quarters_pool_numerators_and_denominators(contract: Contract,
                                                   kit: Callable[[Contract], object]) -> None:
    rows = [("LIN", "2015/16 Q1", None, 12, 20), ("LIN", "2015/16 Q2", None, 14, 22),
            ("LIN", "2015/16 Q3", None, 15, 21), ("LIN", "2015/16 Q4", None, 16, 25)]
    r = row(run(contract, kit, *rows), "LIN")
    # 57/88 = 64.77% — not the mean of the quarters' percentages (62.9%)
    assert (r.status, r.value, r.numerator, r.denominator) == ("assessed", "64.7727", "57", "88")


def test_quarter_rows_without_denominators_cannot_be_pooled(
        contract: Contract, kit: Callable[[Contract], object]) -> None:
    rows = [("STEP", f"2015/16 Q{q}", "70") for q in (1, 2, 3, 4)]
    r = row(run(contract, kit, *rows), "STEP")
    assert r.status == "missing"
    assert "without numerator and denominator" in r.derivation


def test_twelve_months_pool_too(contract: Contract, kit: Callable[[Contract], object]) -> None:
    rows = [("LIN", f"2015/16 M{m}", None, 11, 20) for m in range(1, 13)]
    r = row(run(contract, kit, *rows), "LIN")
    assert (r.status, r.value, r.achievement) == ("assessed", "55", Decimal("0.5"))


@pytest.mark.parametrize(("d", "status"), [(19, "insufficient"), (20, "assessed")])
def test_minimum_denominator_over_quarters(contract: Contract, kit: Callable[[Contract], object],
                                           d: int, status: str) -> None:
    dens = [5, 5, 5, d - 15]
    rows = [("LIN", f"2015/16 Q{q}", None, 1, den) for q, den in zip((1, 2, 3, 4), dens,
                                                                   strict=True)]
    assert row(run(contract, kit, *rows), "LIN").status == status


def test_minimum_denominator_on_a_year_row(contract: Contract,
                                           kit: Callable[[Contract], object]) -> None:
    r = row(run(contract, kit, ("LIN", "2015/16", None, 18, 19)), "LIN")
    assert (r.status, r.earned) == ("insufficient", Decimal("0.00"))
    assert "below the minimum 20" in r.derivation
    # a value alone cannot show that the minimum is met
    r = row(run(contract, kit, ("LIN", "2015/16", "95")), "LIN")
    assert r.status == "insufficient"


def test_if_missing_pay(contract: Contract, kit: Callable[[Contract], object]) -> None:
    r = row(run(contract, kit), "LOW")
    assert (r.status, r.achievement, r.earned) == ("missing", Decimal("0.5"),
                                                   Decimal("100000.00"))


def test_gateway_not_met_withholds_share_of_earned(contract: Contract,
                                                   kit: Callable[[Contract], object]) -> None:
    rep = run(contract, kit, ("LOW", "2015/16", "1050"), ("DQ", "2015/16", "94.99"))
    assert rep.outcome_payment is not None
    y = rep.outcome_payment[0]
    assert y.earned_before_gateways == Decimal("100000.00")
    assert (y.gateway_withheld, y.earned, y.withheld) == (
        Decimal("50000.00"), Decimal("50000.00"), Decimal("950000.00"))
    assert y.gateways[0].status == "not_met"


def test_gateway_missing_value_withholds(contract: Contract,
                                        kit: Callable[[Contract], object]) -> None:
    rep = run(contract, kit, ("LOW", "2015/16", "1050"))
    assert rep.outcome_payment is not None
    y = rep.outcome_payment[0]
    assert (y.gateways[0].status, y.gateway_withheld) == ("missing", Decimal("50000.00"))
    assert rep.status == "incomplete"


def test_gateway_met_on_the_threshold(contract: Contract,
                                      kit: Callable[[Contract], object]) -> None:
    rep = run(contract, kit, *[(i, "2015/16", v) for i, v in FULL])
    assert rep.outcome_payment is not None
    y = rep.outcome_payment[0]
    assert (y.gateways[0].status, y.gateway_withheld) == ("met", Decimal("0.00"))
    assert y.withheld == y.at_risk - y.earned


def test_years_not_ended_are_not_assessed(contract: Contract,
                                          kit: Callable[[Contract], object]) -> None:
    rep = run(contract, kit, as_of=dt.date(2016, 3, 30))
    assert rep.outcome_payment == []
    rep = run(contract, kit, as_of=dt.date(2016, 3, 31))
    assert rep.outcome_payment is not None
    assert [y.year for y in rep.outcome_payment] == ["2015/16"]


def test_floor_and_target_follow_the_year(contract: Contract,
                                          kit: Callable[[Contract], object]) -> None:
    rep = run(contract, kit, ("LIN", "2016/17", None, 60, 100))
    r = row(rep, "LIN", "2016/17")
    assert (r.floor, r.target, r.achievement) == ("55%", "65%", Decimal("0.5"))


def test_earned_rounds_half_up_indicator_by_indicator(obc: Callable[[str], Contract],
                                                      kit: Callable[[Contract], object]) -> None:
    text = CONTRACT.replace("outcome_payment £1,000,000", "outcome_payment £0.01")
    c = obc(text)
    rep = run(c, kit, ("STEP", "2015/16", "70"), ("AON", "2015/16", "1"))
    assert rep.outcome_payment is not None
    y = rep.outcome_payment[0]
    # each of STEP and AON earns £0.003 exactly: each rounds to £0.00, so the year is £0.00
    assert [i.earned for i in y.indicators if i.indicator in ("STEP", "AON")] == [
        Decimal("0.00"), Decimal("0.00")]
    c = obc(CONTRACT.replace("outcome_payment £1,000,000", "outcome_payment £0.15"))
    rep = run(c, kit, ("STEP", "2015/16", "70"))
    # £0.15 × 30% = £0.045 exactly: half up gives £0.05 (half-even would give £0.04)
    assert row(rep, "STEP").earned == Decimal("0.05")


@pytest.mark.parametrize(("x", "expected"), [
    (Fraction(5, 1000), "0.01"), (Fraction(15, 1000), "0.02"), (Fraction(25, 1000), "0.03"),
    (Fraction(-5, 1000), "-0.01"), (Fraction(4999, 1000000), "0.00"), (Fraction(2675, 1000),
                                                                        "2.68"),
    (Fraction(1, 3), "0.33"), (Fraction(2, 3), "0.67"), (Fraction(0), "0.00"),
    (Fraction(-1, 3), "-0.33"),
])
def test_round_money_half_up(x: Fraction, expected: str) -> None:
    assert str(round_money(x)) == expected
