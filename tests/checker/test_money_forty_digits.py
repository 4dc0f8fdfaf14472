"""Money of 40 digits is exact in what ``check`` computes and says (LANGUAGE.md: exact).

Decimal arithmetic (``abs``, unary minus, ``scaleb``, ``normalize``, ``-``) rounds to the
context's 28 digits; each test here failed while one such step stood in the path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from obc_check.checker.data.money import exact_number, finite_decimal, shown_number
from obc_check.checker.rules.evaluate import evaluate
from obc_check.model import Contract
from obc_check.model.wording import plain

FORTY = "1" * 38 + "00"  # 40 digits of pounds
BUDGET = f"{int(FORTY):,}"

RISK = f"""
contract R "Risk" {{
  version "1"
  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Commissioner" role commissioner sector nhs
  party A "A" role alliance_member sector nhs
  annual_value £{BUDGET}
  risk_share {{
    budget £{BUDGET} in year 1
    commissioner share 50%
    members A 100%
  }}
}}
"""


def test_a_40_digit_risk_share_variance_is_said_to_the_penny(
        obc: Callable[[str], Contract], kit: Callable[[Contract], object]) -> None:
    c = obc(RISK)
    k = kit(c)
    bundle = k.bundle(k.spend("2016/17", "0.01"))  # type: ignore[attr-defined]
    rep = evaluate(c, bundle, dt.date(2017, 9, 30))
    assert rep.risk_share is not None
    (year,) = rep.risk_share
    shown = f"£{int(FORTY) - 1:,}.99"
    assert year.variance == Decimal(f"{int(FORTY) - 1}.99")
    # what check computes (the variance) is what its derivation says the members' part is of
    assert f"variance {shown} = budget £{BUDGET}.00" in year.derivation
    assert f"members' part 50% of {shown}" in year.derivation, year.derivation


def test_finite_decimal_keeps_every_digit() -> None:
    x = Fraction(10**40 + 1, 100)
    assert finite_decimal(x) == Decimal("100000000000000000000000000000000000000.01")
    assert exact_number(x) == "100000000000000000000000000000000000000.01"
    assert shown_number(x) == "100000000000000000000000000000000000000.01"


def test_plain_keeps_every_digit_and_cuts_only_trailing_zeros() -> None:
    assert plain(Decimal("1" * 40)) == "1" * 40
    assert plain(Decimal("1" * 40 + ".10")) == "1" * 40 + ".1"
    assert plain(Decimal("4500000.0")) == "4500000"
    assert plain(Decimal("1E+2")) == "100"
    assert plain(Decimal("-0.00")) == "0"
    assert plain(Decimal("-2.50")) == "-2.5"


def test_render_illustrates_a_40_digit_risk_share_as_check_computes_it(
        obc: Callable[[str], Contract], kit: Callable[[Contract], object]) -> None:
    from obc_check.render import render_markdown

    budget = Decimal(f"{FORTY}.50")  # 2% of it is £…222.01 (not `+`: that rounds too)
    c = obc(RISK.replace(f"£{BUDGET} in year 1", f"£{BUDGET}.50 in year 1"))
    swing = Fraction(budget) * Fraction(2, 100)
    text = render_markdown(c)
    k = kit(c)
    for actual, result in ((Fraction(budget) - swing, "gain"), (Fraction(budget) + swing, "loss")):
        cost = finite_decimal(actual)
        assert cost is not None
        rep = evaluate(c, k.bundle(k.spend("2016/17", str(cost))),  # type: ignore[attr-defined]
                       dt.date(2017, 9, 30))
        assert rep.risk_share is not None
        (year,) = rep.risk_share
        assert year.result == result
        member = year.members["A"]
        sign = "-" if member < 0 else ""
        assert f"{sign}£{int(member.copy_abs()):,}.{str(member).split('.')[1]}" in text, member
    assert f"underspend of £{int(swing):,}.01" in text


def test_a_40_digit_members_share_is_summed_to_the_penny(
        obc: Callable[[str], Contract], kit: Callable[[Contract], object]) -> None:
    """``sum(..., ZERO)`` added at 28 digits: the summary and the text report's Total row."""
    from obc_check.checker.report.formats.text import render_text

    c = obc(RISK)
    k = kit(c)
    rep = evaluate(c, k.bundle(k.spend("2016/17", "0.01")),  # type: ignore[attr-defined]
                   dt.date(2017, 9, 30))
    assert rep.risk_share is not None
    member = rep.risk_share[0].members["A"]
    assert member == Decimal(f"{int(FORTY) // 2}.00")  # half of £…099.99, half up
    assert rep.totals.risk_share_members == member
    assert f"£{int(member):,}.{str(member).split('.')[1]}" in render_text(rep, width=400)
    assert len(str(member).split(".")[0]) == 39


def test_money_total_adds_every_digit() -> None:
    from obc_check.checker.data.money import ZERO, money_total

    big = Decimal("9" * 40 + ".99")
    assert money_total([big, Decimal("0.01"), Decimal("-0.01")]) == big
    assert money_total([big, Decimal("0.01")]) == Decimal("1" + "0" * 40 + ".00")
    assert money_total([]) == ZERO
