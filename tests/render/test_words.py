"""The house style for figures: money, percentages, values, dates, exact rounding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obc_check.render import words


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("45000000"), "£45,000,000"),
        (Decimal("4500000.0"), "£4,500,000"),
        (Decimal("1000.50"), "£1,000.50"),
        (Decimal("0.01"), "£0.01"),
        (Fraction(1_000_000, 3), "£333,333.33"),
        (Fraction(2_000_000, 3), "£666,666.67"),
        (Fraction(1, 200), "£0.01"),  # half a penny rounds up
        (Fraction(-825_000), "-£825,000"),
        (Fraction(-1, 200), "-£0.01"),  # half up means away from zero for losses
        (0, "£0"),
    ],
)
def test_money(amount: Decimal | Fraction | int, text: str) -> None:
    assert words.money(amount) == text


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (Decimal("0.15"), "15%"),
        (Decimal("0.025"), "2.5%"),
        (Decimal("1"), "100%"),
        (Fraction(1, 3), "33 1/3%"),
        (Fraction(1, 30), "3 1/3%"),
        (Fraction(1, 300), "1/3%"),
        (Fraction(7, 40), "17.5%"),
    ],
)
def test_percent_is_exact(share: Decimal | Fraction, text: str) -> None:
    assert words.percent(share) == text


def test_values_print_as_written_in_their_unit() -> None:
    assert words.in_unit(Decimal("3.0"), "ratio") == "3.0"
    assert words.in_unit(Decimal("87.5"), "percent") == "87.5%"
    assert words.in_unit(Decimal("1200"), "rate") == "1,200"
    assert words.in_unit(Decimal("16.25"), "score") == "16.25"


def test_day_and_join() -> None:
    assert words.day(dt.date(2015, 4, 1)) == "1 April 2015"
    assert words.join(["a"]) == "a"
    assert words.join(["a", "b", "c"]) == "a, b and c"


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_whole_pence_round_trip(pence: int) -> None:
    amount = Decimal(pence).scaleb(-2)
    text = words.money(amount)
    back = Decimal(text.replace("£", "").replace(",", ""))
    assert back == amount


@given(st.fractions(min_value=-10**9, max_value=10**9))
def test_round_pence_is_half_up_and_within_half_a_penny(value: Fraction) -> None:
    rounded = Fraction(words.round_pence(value))
    assert abs(rounded - value) <= Fraction(1, 200)
    if abs(rounded - value) == Fraction(1, 200):
        assert abs(rounded) > abs(value)  # ties go away from zero


def test_payment_rules_are_worded_for_the_direction() -> None:
    assert "meets or exceeds the Target" in words.linear_rule("higher")
    assert "does not exceed the Floor nothing is payable" in words.linear_rule("higher")
    assert "at or below the Target" in words.linear_rule("lower")
    assert "at or below" in words.all_or_nothing_rule("lower")
    assert words.missing_rule(Decimal("0.25"), 20) == (
        "Where the Value of this Indicator for a Contract Year is missing or insufficient, "
        "25% of this Indicator's Allocation for that Contract Year is payable, whatever its "
        "payment rule would give.")
