"""The outcome payment of each ended year: allocations, achievement, earned, gateways.

LANGUAGE.md, "Meaning: the outcome payment" and "Gateways". Earned is computed exactly and
rounded to the penny indicator by indicator; the year's earned sum is the sum of those, but
never more than the pot (rounding can lift it a penny or two above: then it is the pot). Each
gateway not met withholds its share of that sum (rounded); the withheld total never exceeds
the sum (two 60% gateways cannot withhold 120%). withheld = pot − earned after gateways.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from obc_check.checker.data.money import (
    ZERO,
    exact_number,
    money_total,
    percent_of,
    pounds,
    round_money,
    shown_money,
    shown_number,
    shown_ratio,
)
from obc_check.checker.engine import DatasetCounts
from obc_check.checker.report.model import GatewayResult, IndicatorResult, YearPayment
from obc_check.checker.rules.achievement import achievement, meets
from obc_check.checker.rules.measured import measured_value
from obc_check.checker.rules.values import (
    IndicatorIndex,
    YearValue,
    levels_of,
    rounded,
    show_level,
    shown_apart,
    shown_value,
    value_words_of,
    year_value,
)
from obc_check.model import Contract, ContractYear, Gateway, Indicator, Outcome


@dataclass(frozen=True, slots=True)
class YearValues:
    """Looks up indicators' year values, shared by payments and gateways.

    A measured indicator's value comes from the engine's counts (``measured``, by dataset;
    a dataset absent from the bundle is not in it), any other's from the indicators table.
    """

    index: IndicatorIndex
    measured: Mapping[str, DatasetCounts] = field(default_factory=dict)

    def get(self, ind: Indicator, year: ContractYear) -> YearValue:
        """The indicator's value for ``year``."""
        if ind.measure is not None:
            # TERMS.md: a measure's value is rounded like any other, before it is judged
            return rounded(ind, measured_value(ind, ind.measure, year,
                                               self.measured.get(ind.measure.dataset)))
        return rounded(ind, year_value(ind, year, self.index.get((ind.id, year.number), [])))


def _pot_words(contract: Contract, year: ContractYear, pot: Fraction) -> str:
    op = contract.outcome_payment
    assert op is not None
    if op.basis == "share_of_annual_value" and contract.annual_value is not None:
        share = op.schedule.for_year(year.number)
        value = contract.annual_value.for_year(year.number)
        return f"pot {pounds(shown_money(pot))} = {percent_of(share)} of annual value " \
               f"{pounds(value)}"
    return f"pot {pounds(shown_money(pot))}"


#: The achievements whose sums a reader knows (nothing, the allocation): never shown as one
#: of them unless on it.
_ENDS = (Fraction(0), Fraction(1))


def _levels(contract: Contract, ind: Indicator, year: ContractYear) -> list[Fraction]:
    """The thresholds ``ind``'s value is compared with in ``year``, its gateways' too."""
    return levels_of(ind, year.number, (Fraction(g.threshold) for g in contract.gateways
                                        if g.indicator == ind.id))


def _indicator(contract: Contract, outcome: Outcome, ind: Indicator, year: ContractYear,
               pot: Fraction, yv: YearValue) -> IndicatorResult:
    weight = ind.weight if ind.weight is not None else Fraction(1, len(outcome.indicators))
    allocation = pot * Fraction(outcome.weight) * weight
    alloc_words = (f"allocation {pounds(shown_money(allocation))} = pot "
                   f"{pounds(shown_money(pot))} × {outcome.id} {percent_of(outcome.weight)} × "
                   f"{ind.id} {percent_of(weight)}")
    levels = _levels(contract, ind, year)
    if yv.status == "assessed":
        assert yv.value is not None
        a, why = achievement(ind, year.number, yv.value)
        value_words = f"value {value_words_of(ind, yv.value, levels)} {yv.how}; {why}"
        # Apart from 0 and 1 as the value is from its levels: 0.99996 at four places read
        # "achievement 1" beside an earned sum short of the allocation.
        a_words = f"achievement {shown_apart(a, _ENDS)}"
    else:
        a = Fraction(ind.if_missing_pay)
        value_words = (f"value {value_words_of(ind, yv.value, levels)} {yv.how}"
                       if yv.value is not None else f"value missing: {yv.how}")
        a_words = f"{yv.status}, so if missing pay {percent_of(ind.if_missing_pay)}"
    earned = round_money(allocation * a)
    exact_note = "" if allocation * a == Fraction(earned) else " (rounded half up)"
    derivation = (f"{year.label}: {alloc_words}; {value_words} → {a_words} → earned "
                  f"{pounds(earned)}{exact_note}")
    unit = ind.unit
    floor = ind.floor.for_year(year.number) if ind.floor else None
    target = ind.target.for_year(year.number) if ind.target else None
    return IndicatorResult(
        indicator=ind.id, outcome=outcome.id, unit=unit, status=yv.status,
        value=shown_value(ind, yv.value, levels) if yv.value is not None else None,
        numerator=shown_number(yv.numerator) if yv.numerator is not None else None,
        denominator=shown_number(yv.denominator) if yv.denominator is not None else None,
        total=exact_number(yv.total) if yv.total is not None else None,
        count=str(yv.count) if yv.count is not None else None,
        sources=list(yv.sources),
        floor=show_level(unit, Fraction(floor)) if floor is not None else None,
        target=show_level(unit, Fraction(target)) if target is not None else None,
        curve=ind.curve.kind, allocation=shown_money(allocation),
        achievement=shown_ratio(a), earned=earned, derivation=derivation,
        achieved=(shown_apart(a, _ENDS) if a not in _ENDS and shown_ratio(a) in _ENDS
                  else None),
    )


def _gateway(contract: Contract, gw: Gateway, year: ContractYear, earned_sum: Decimal,
             values: YearValues) -> GatewayResult:
    ind = contract.indicator(gw.indicator)
    assert ind is not None  # the static checks resolve every reference
    yv = values.get(ind, year)
    level = Fraction(gw.threshold)
    word = "at least" if gw.comparison == "at_least" else "at most"
    need = f"{word} {show_level(ind.unit, level)}"
    levels = _levels(contract, ind, year)
    status: Literal["met", "not_met", "missing", "insufficient"]
    if yv.status != "assessed" or yv.value is None:
        status = "insufficient" if yv.status == "insufficient" else "missing"
        why = f"{ind.id} for {year.label} is {yv.status} ({yv.how})"
    else:
        ok = meets(gw.comparison == "at_least", yv.value, level)
        status = "met" if ok else "not_met"
        why = (f"{ind.id} {value_words_of(ind, yv.value, levels)} for {year.label} "
               f"{'meets' if ok else 'does not meet'} {need}")
    if status == "met":
        withheld = ZERO
        derivation = f"{gw.id}: {why} → nothing withheld"
    else:
        withheld = round_money(Fraction(earned_sum) * Fraction(gw.withhold))
        derivation = (f"{gw.id}: {why} → withhold {percent_of(gw.withhold)} of earned "
                      f"{pounds(earned_sum)} = {pounds(withheld)}")
    return GatewayResult(
        gateway=gw.id, indicator=ind.id, status=status, unit=ind.unit,
        value=shown_value(ind, yv.value, levels) if yv.value is not None else None,
        comparison=gw.comparison, threshold=exact_number(level),
        share=percent_of(gw.withhold), withheld=withheld, derivation=derivation)


def outcome_payment(contract: Contract, year: ContractYear, values: YearValues) -> YearPayment:
    """The outcome payment of one (ended) contract year."""
    op = contract.outcome_payment
    assert op is not None
    pot = Fraction(op.pot[year.number - 1])
    rows = [_indicator(contract, outcome, ind, year, pot, values.get(ind, year))
            for outcome, ind in contract.paid_indicators()]
    at_risk = shown_money(pot)
    indicators_sum = money_total(r.earned for r in rows)
    earned_sum = min(indicators_sum, at_risk)  # LANGUAGE.md: never more than the pot
    capped = (f", more than the pot, so {pounds(earned_sum)}"
              if earned_sum != indicators_sum else "")
    gates = [_gateway(contract, gw, year, earned_sum, values) for gw in contract.gateways]
    gate_total = min(money_total(g.withheld for g in gates), earned_sum)
    earned = earned_sum - gate_total
    withheld = at_risk - earned
    derivation = (f"{year.label}: {_pot_words(contract, year, pot)}; indicators earned "
                  f"{pounds(indicators_sum)}{capped}; gateways withheld {pounds(gate_total)} "
                  f"→ earned {pounds(earned)}; withheld {pounds(withheld)} = at risk − earned")
    return YearPayment(
        year=year.label, at_risk=at_risk, earned_before_gateways=earned_sum,
        gateway_withheld=gate_total, earned=earned, withheld=withheld, indicators=rows,
        gateways=gates, derivation=derivation)
