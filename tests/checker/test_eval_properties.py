"""Invariants of evaluation, checked with hypothesis over generated data."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.report.model import Report
from obc_check.checker.rules.evaluate import evaluate
from obc_check.dsl import compile_text
from obc_check.model import Contract

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

TEXT = """
contract H "Properties" {
  version "1"
  currency GBP
  term 2016-04-01 to 2018-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Prime" role prime_contractor sector private
  party S "Sub" role subcontractor sector voluntary
  annual_value £3,000,000.03
  outcome_payment 7% in year 1, 11% in year 2
  outcome A "A" weight 40% {
    indicator LIN "Linear" weight 50% {
      unit percent
      higher is better
      floor 50%
      target 60%
      minimum denominator 20
    }
    indicator LOW "Lower" weight 50% {
      unit rate
      lower is better
      floor 1200
      target 900
      if missing pay 50%
    }
  }
  outcome B "B" weight 33% {
    indicator STEP "Steps" {
      unit percent
      higher is better
      pays in steps 25% at 62%, 50% at 65%, 100% at 70%
    }
  }
  outcome D "D" weight 27% {
    indicator A1 "One third" { unit score higher is better floor 1 target 4 }
    indicator A2 "Two thirds" { unit score higher is better floor 1 target 4 }
    indicator A3 "Three thirds" { unit count lower is better target 10 pays all or nothing }
  }
  indicator DQ "Data quality" { unit percent higher is better }
  gateway G "Gateway" {
    requires DQ at least 95%
    otherwise withhold 35% of outcome_payment
  }
  obligation REPORT "Return" {
    P shall report within 10 working days after each quarter
    penalty £100 per breach
  }
  obligation PROMPT "Prompt payment" {
    P shall pay subcontractor invoices within 30 days of receipt
    penalty £10 per breach
  }
}
"""
RESULT = compile_text(TEXT, "properties.obc")
assert RESULT.contract is not None, [d.message for d in RESULT.diagnostics]
CONTRACT: Contract = RESULT.contract
YEARS = ["2016/17", "2017/18"]
AS_OF = dt.date(2018, 12, 31)
HIGHER = {"LIN": True, "LOW": False, "STEP": True, "A1": True, "A2": True, "A3": False,
          "DQ": True}
RANGE = {"LIN": (0, 100), "LOW": (500, 1500), "STEP": (0, 100), "A1": (0, 6),
         "A2": (0, 6), "A3": (0, 20), "DQ": (80, 100)}

values = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def indicator_data(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """Rows for every indicator and year: none, a year value, or four quarters with n/d."""
    rows: list[tuple[Any, ...]] = []
    for ind, (lo, hi) in RANGE.items():
        for year in YEARS:
            shape = draw(st.sampled_from(["none", "value", "quarters", "partial"]))
            if shape == "value":
                v = draw(st.decimals(min_value=lo, max_value=hi, places=2))
                rows.append((ind, year, str(v)))
            elif shape in ("quarters", "partial") and ind in ("LIN", "STEP", "DQ"):
                quarters = (1, 2, 3, 4) if shape == "quarters" else (1, 2, 4)
                for q in quarters:
                    d = draw(st.integers(min_value=1, max_value=40))
                    n = draw(st.integers(min_value=0, max_value=d))
                    rows.append((ind, f"{year} Q{q}", None, n, d))
    return rows


def run(kit: Callable[[Contract], Any], rows: list[tuple[Any, ...]], extra: tuple[Any, ...] = (),
        shuffle: int | None = None) -> Report:
    k = kit(CONTRACT)
    built = [k.ind(*r) for r in rows] + list(extra)
    if shuffle is not None:
        random.Random(shuffle).shuffle(built)
    return evaluate(CONTRACT, k.bundle(*built), AS_OF)


@SETTINGS
@given(rows=indicator_data())
def test_year_invariants(kit: Callable[[Contract], Any], rows: list[tuple[Any, ...]]) -> None:
    report = run(kit, rows)
    assert report.outcome_payment is not None
    for y in report.outcome_payment:
        assert Decimal(0) <= y.earned <= y.earned_before_gateways <= y.at_risk
        assert y.withheld == y.at_risk - y.earned
        assert sum(i.earned for i in y.indicators) == y.earned_before_gateways
        assert y.gateway_withheld == y.earned_before_gateways - y.earned
        for i in y.indicators:
            assert Decimal(0) <= i.achievement <= 1
            assert Decimal(0) <= i.earned <= i.allocation + Decimal("0.01")
    assert report.totals.earned == sum(y.earned for y in report.outcome_payment)


@SETTINGS
@given(rows=indicator_data(), which=st.sampled_from(sorted(RANGE)),
       year=st.sampled_from(YEARS), base=st.fractions(0, 1), gain=st.fractions(0, 1))
def test_earned_never_falls_when_a_value_improves(
        kit: Callable[[Contract], Any], rows: list[tuple[Any, ...]], which: str, year: str,
        base: Fraction, gain: Fraction) -> None:
    lo, hi = RANGE[which]
    worse = lo + (hi - lo) * base
    better = worse + (hi - worse) * gain
    if not HIGHER[which]:
        worse, better = hi - (worse - lo), hi - (better - lo)
    kept = [r for r in rows if not (r[0] == which and r[1].startswith(year))]

    def earned(v: Fraction) -> tuple[Decimal, Decimal]:
        value = Decimal(v.numerator) / Decimal(v.denominator)
        if which == "LIN":  # it needs a denominator: give one above the minimum
            extra = [(which, year, None, str(value), "100")]
        else:
            extra = [(which, year, str(value.quantize(Decimal("0.0001"))))]
        report = run(kit, kept + extra)
        assert report.outcome_payment is not None
        y = next(p for p in report.outcome_payment if p.year == year)
        return y.earned_before_gateways, y.earned

    before, after = earned(worse), earned(better)
    assert after[0] >= before[0]
    assert after[1] >= before[1]


@st.composite
def ledgers(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        received = dt.date(2016, 4, 1) + dt.timedelta(days=draw(st.integers(0, 900)))
        delay = draw(st.none() | st.integers(0, 60))
        paid = None if delay is None else (received + dt.timedelta(days=delay)).isoformat()
        out.append(("P", "S", f"INV-{i}", draw(st.integers(1, 10**6)), received.isoformat(),
                    paid))
    return out


@SETTINGS
@given(rows=indicator_data(), pays=ledgers(),
       sent=st.lists(st.integers(0, 25), min_size=8, max_size=8),
       seed=st.integers(0, 2**32))
def test_report_does_not_depend_on_row_order(kit: Callable[[Contract], Any],
                                             rows: list[tuple[Any, ...]],
                                             pays: list[tuple[Any, ...]], sent: list[int],
                                             seed: int) -> None:
    k = kit(CONTRACT)
    periods = [f"{y} Q{q}" for y in YEARS for q in (1, 2, 3, 4)]
    extra = [k.pay(*p) for p in pays]
    extra += [k.sub("REPORT", label, (k.period(label).end + dt.timedelta(days=d)).isoformat())
              for label, d in zip(periods, sent, strict=True) if d]
    first = run(kit, rows, tuple(extra))
    second = run(kit, rows, tuple(extra), shuffle=seed)
    # derivations cite the source rows, which moved; everything else must be identical
    cited = re.compile(r" ?\([a-z]+\.csv:\d+\)")
    assert cited.sub("", first.to_json()) == cited.sub("", second.to_json())


@SETTINGS
@given(rows=indicator_data(), pays=ledgers())
def test_text_json_and_markdown_totals_agree(kit: Callable[[Contract], Any],
                                             rows: list[tuple[Any, ...]],
                                             pays: list[tuple[Any, ...]],
                                             totals_agree: Callable[[Report], None]) -> None:
    k = kit(CONTRACT)
    totals_agree(run(kit, rows, tuple(k.pay(*p) for p in pays)))


CARD_TEXT = """
contract P "PbR" {
  version "1"
  currency GBP
  term 2017-04-01 to 2019-03-31
  party C "Council" role commissioner sector local_authority
  party H "Haven" role lead_provider sector voluntary
  rate_card {
    cap £50,000.50 over term
    price E "Entry" £1,000.25 per person
    price S "Sustained" £3,000 per person, at most 7 over term
    price W "Work" £2,000 per person, at most 12 over term
  }
}
"""
CARD = compile_text(CARD_TEXT, "card.obc").contract
assert CARD is not None
PRICES = {"E": (Decimal("1000.25"), None), "S": (Decimal(3000), 7), "W": (Decimal(2000), 12)}


@SETTINGS
@given(counts=st.dictionaries(
    st.tuples(st.sampled_from(sorted(PRICES)), st.sampled_from(
        [f"{y} Q{q}" for y in ("2017/18", "2018/19") for q in (1, 2, 3, 4)])),
    st.integers(0, 15), max_size=24))
def test_rate_card_caps(kit: Callable[[Contract], Any],
                        counts: dict[tuple[str, str], int]) -> None:
    assert CARD is not None
    k = kit(CARD)
    bundle = k.bundle(*(k.outcome(p, period, n) for (p, period), n in counts.items()))
    card = evaluate(CARD, bundle, dt.date(2019, 9, 30)).rate_card
    assert card is not None
    assert card.total <= card.cap
    assert card.total == sum(y.payable for y in card.years)
    expected = Decimal(0)
    for price, (amount, at_most) in PRICES.items():
        n = sum(c for (p, _), c in counts.items() if p == price)
        counted = sum(line.counted for line in card.lines if line.price == price)
        assert counted == (n if at_most is None else min(n, at_most))
        expected += amount * counted
    assert card.total == min(card.cap, expected)


RISK_TEXT = """
contract R "Risk" {
  version "1"
  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Commissioner" role commissioner sector nhs
  party A "A" role alliance_member sector nhs
  party B "B" role alliance_member sector nhs
  party V "V" role alliance_member sector voluntary
  annual_value £100,000
  risk_share {
    budget £100,000 per year
    commissioner share 37%
    members A 33%, B 33%, V 34%
    member loss cap £3,000.01 per year
  }
}
"""
RISK = compile_text(RISK_TEXT, "risk.obc").contract
assert RISK is not None


@SETTINGS
@given(cost=st.decimals(min_value=0, max_value=200000, places=2))
def test_members_never_bear_more_than_the_loss_cap(kit: Callable[[Contract], Any],
                                                   cost: Decimal) -> None:
    assert RISK is not None
    k = kit(RISK)
    report = evaluate(RISK, k.bundle(k.spend("2016/17", str(cost))), dt.date(2017, 6, 30))
    assert report.risk_share is not None
    (year,) = report.risk_share
    total = sum(year.members.values())
    exact = Fraction(year.variance) * Fraction(63, 100)
    if year.variance < 0:
        assert -year.members_part <= Decimal("3000.01")
        # each of three amounts is rounded on its own: at most half a penny each
        assert -total <= Decimal("3000.01") + Decimal("0.015")
        assert all(v <= 0 for v in year.members.values())
        bound = max(exact, Fraction(-300001, 100))
    else:
        assert all(v >= 0 for v in year.members.values())
        bound = exact
    assert abs(Fraction(total) - bound) <= Fraction(15, 1000)
