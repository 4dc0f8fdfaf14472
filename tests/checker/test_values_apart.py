"""An unrounded value is never shown on or across a threshold it is not on (rules/values.py).

Four places, trailing zeros cut, showed 59.99999% as ``60%`` beside "misses the target
60%": the figure and the reason beside it disagreed, and the report is what is signed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.tables import IndicatorRow, RowRef
from obc_check.checker.rules import evaluate
from obc_check.checker.rules.values import shown_apart
from obc_check.dsl import compile_text
from tests.checker.test_review_terms_capitation import ROUNDED

#: The rounding review's contract, unrounded, with a gateway on the same indicator.
CONTRACT = ROUNDED.replace(
    "\n                      value rounded to 1 decimal place }", " }").replace(
    "  outcome O", '  gateway G "G" { requires X at least 60% otherwise withhold 50% of '
    'outcome_payment }\n  outcome O')


assert "rounded" not in CONTRACT and "gateway G" in CONTRACT


def _evaluated(numerator: int, denominator: int, text: str = CONTRACT
               ) -> tuple[object, object]:
    compiled = compile_text(text)
    assert compiled.contract is not None, compiled.diagnostics
    c = compiled.contract
    row = IndicatorRow("X", c.term.years[0].as_period(), None, Decimal(numerator),
                       Decimal(denominator), None, RowRef("i.csv", 2))
    [pay] = evaluate(c, Bundle("t", indicators=(row,)),  # type: ignore[arg-type]
                     dt.date(2019, 12, 31)).outcome_payment or []
    [ind], [gate] = pay.indicators, pay.gateways
    return ind, gate


def test_a_value_just_below_the_target_is_shown_below_it_everywhere() -> None:
    ind, gate = _evaluated(5999999, 10000000)
    assert (ind.value, ind.achievement, gate.value) == (  # type: ignore[attr-defined]
        "59.99999", Decimal(0), "59.99999")
    assert "value 59.99999% = 5999999 / 10000000" in ind.derivation  # type: ignore[attr-defined]
    assert "misses the target 60%" in ind.derivation  # type: ignore[attr-defined]
    assert "X 59.99999% for 2018/19 does not meet at least 60%" in \
        gate.derivation  # type: ignore[attr-defined]


def test_a_value_that_four_places_do_not_misstate_keeps_four() -> None:
    ind, _ = _evaluated(2, 3)  # 66.6667%: nowhere near 60%
    assert ind.value == "66.6667"  # type: ignore[attr-defined]
    ind, _ = _evaluated(60000001, 100000000)  # 60.000001%: 60% would read "meets" as on it
    assert ind.value == "60.000001"  # type: ignore[attr-defined]


fractions = st.fractions(min_value=-1000, max_value=1000, max_denominator=10 ** 9)


@given(value=fractions, levels=st.lists(st.decimals(min_value=-1000, max_value=1000, places=4),
                                        max_size=4), extra=st.integers(0, 3))
def test_the_value_shown_is_on_the_same_side_of_every_level(
        value: Fraction, levels: list[Decimal], extra: int) -> None:
    near = [Fraction(t) for t in levels] + [Fraction(int(value * 10 ** 4), 10 ** 4)] * extra
    shown = Fraction(shown_apart(value, near))
    for t in near:
        assert (shown > t) == (value > t) and (shown < t) == (value < t), (shown, t)
    assert abs(shown - value) <= Fraction(1, 2 * 10 ** 4)  # never further than four places
    assert shown_apart(value, []) == shown_apart(value, [Fraction(10 ** 6)])  # far: four


def test_a_threshold_of_more_than_four_places_is_written_as_the_contract_has_it() -> None:
    """LANGUAGE.md's numbers take any places: a target of 60.00004% was written ``60%``
    (four places), so a value of 60.00002%, four places away from neither, read "value 60%
    … misses the target 60%" and "X 60% … does not meet at least 60%"."""
    ind, gate = _evaluated(6000002, 10000000, CONTRACT.replace("60%", "60.00004%"))
    assert (ind.value, ind.target) == ("60", "60.00004%")  # type: ignore[attr-defined]
    assert "value 60% = 6000002 / 10000000" in ind.derivation  # type: ignore[attr-defined]
    assert "misses the target 60.00004%" in ind.derivation  # type: ignore[attr-defined]
    assert gate.threshold == "60.00004"  # type: ignore[attr-defined]
    assert "X 60% for 2018/19 does not meet at least 60.00004%" in \
        gate.derivation  # type: ignore[attr-defined]
    steps = CONTRACT.replace("target 60% pays all or nothing",
                             "pays in steps 50% at 60.00004%, 100% at 70.123456%")
    ind, _ = _evaluated(6000002, 10000000, steps)
    assert "short of the first step 60.00004%" in ind.derivation  # type: ignore[attr-defined]
    ind, _ = _evaluated(7, 10, steps)
    assert "value 70%" in ind.derivation  # type: ignore[attr-defined]
    assert "meets the step at 60.00004%" in ind.derivation  # type: ignore[attr-defined]


def test_an_achievement_short_of_1_or_above_0_is_not_written_as_1_or_0() -> None:
    """The derivation's achievement at four places read "achievement 1 → earned
    £999,960.00" for a value just below the target (0.99996 of the allocation) and
    "achievement 0 → earned £40.00" just above the floor: the reader multiplies and gets
    another sum. The JSON's ``achievement`` keeps CLI.md's four places."""
    linear = CONTRACT.replace("target 60% pays all or nothing", "floor 40% target 50%"
                              ).replace("£1,000", "£10,000,000")  # a pot of £1,000,000
    ind, _ = _evaluated(499996, 1000000, linear)  # a = 9.9996 / 10
    assert "achievement 0.99996 → earned £999,960.00" in \
        ind.derivation  # type: ignore[attr-defined]
    assert ind.achievement == Decimal("1.0000")  # type: ignore[attr-defined]
    ind, _ = _evaluated(400004, 1000000, linear)  # a = 0.0004 / 10
    assert "achievement 0.00004 → earned £40.00" in ind.derivation  # type: ignore[attr-defined]
    ind, _ = _evaluated(1, 3, linear)  # 33.3333%: below the floor, exactly 0
    assert "achievement 0 → earned £0.00" in ind.derivation  # type: ignore[attr-defined]
    ind, _ = _evaluated(4000001, 9000000, linear)  # a = 0.4444…: four places, as before
    assert "achievement 0.4444 → earned £444,445.56 (rounded half up)" in \
        ind.derivation  # type: ignore[attr-defined]


def test_the_text_and_markdown_tables_show_the_achievement_as_the_derivation() -> None:
    """Their "Achieved" column showed the JSON's four places, ``1.0000`` beside an earned
    £999,960.00 of £1,000,000; it now shows what the derivation says."""
    from obc_check.checker.report.formats.markdown import render_markdown
    from obc_check.checker.report.formats.text import render_text

    linear = CONTRACT.replace("target 60% pays all or nothing", "floor 40% target 50%"
                              ).replace("£1,000", "£10,000,000")
    compiled = compile_text(linear)
    assert compiled.contract is not None
    c = compiled.contract
    for n, shown, json in ((499996, "0.99996", "1.0000"), (400004, "0.00004", "0.0000"),
                           (450000, "0.5000", "0.5000")):
        row = IndicatorRow("X", c.term.years[0].as_period(), None, Decimal(n),
                           Decimal(1000000), None, RowRef("i.csv", 2))
        report = evaluate(c, Bundle("t", indicators=(row,)),  # type: ignore[arg-type]
                          dt.date(2019, 12, 31))
        text, markdown = render_text(report, width=200), render_markdown(report)
        assert f" {shown} " in text and f"| {shown} |" in markdown.replace("  ", " "), text
        assert f'"achievement":"{json}"' in report.model_dump_json(by_alias=True)
        assert "achieved" not in report.model_dump_json(by_alias=True)
