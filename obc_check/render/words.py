"""Numbers, money, dates and payment rules in the words a contract uses.

Every figure the rendered schedule prints passes through this module, so one house style
holds everywhere (docs/render.md):

- money: ``£1,234,567`` when the amount is whole pounds, else ``£1,234,567.89``; an amount
  that is not a whole number of pence (a third of a pot) is rounded half up to the penny
  and the caller is told, so it can say so in the text;
- a share (a ``Decimal`` fraction such as ``0.15``) prints as ``15%``; a share that has no
  finite decimal form (``1/3``) prints as an exact mixed number, ``33 1/3%``, never as a
  rounded float;
- a value in an indicator's unit prints as the author wrote it (``3.0`` stays ``3.0``), with
  ``%`` for percent indicators and thousands separators for large plain numbers.

Arithmetic is exact (``Decimal`` and ``Fraction``); nothing here touches a float.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from obc_check.model import Direction, Unit

# One house style for plain numbers, dates and lists, shared with the checker (explain) and
# diff through the model layer (model/wording.py).
from obc_check.model.wording import day as day
from obc_check.model.wording import join as join
from obc_check.model.wording import plain as plain

Number = Decimal | Fraction | int

PENNY = Decimal("0.01")


def to_fraction(value: Number) -> Fraction:
    """The exact rational value of ``value`` (Decimal and int convert without loss)."""
    return value if isinstance(value, Fraction) else Fraction(value)


def _terminating(value: Fraction) -> Decimal | None:
    """``value`` as an exact Decimal, or None when its decimal expansion does not end.

    A fraction in lowest terms ends in decimals exactly when its denominator has no prime
    factor but 2 and 5; it then needs as many places as the larger of the two exponents.
    """
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return None
    places = max(twos, fives)
    return Decimal((value * 10**places).numerator).scaleb(-places)




def is_whole_pence(amount: Number) -> bool:
    """True when ``amount`` pounds is an exact number of pence."""
    return (to_fraction(amount) * 100).denominator == 1


def round_pence(amount: Number) -> Decimal:
    """``amount`` pounds rounded half up to the penny: the render layer's one rounding.

    Rounds the exact rational, so no intermediate decimal step can round twice.
    """
    frac = to_fraction(amount)
    pence = math.floor(abs(frac) * 100 + Fraction(1, 2))
    # a string, not ``scaleb`` and unary minus: those round to the context's 28 digits
    return Decimal(f"{'-' if frac < 0 and pence else ''}{pence}E-2")


def round_value(value: Decimal, places: int) -> Decimal:
    """``value`` to ``places`` decimals, halves away from nought (``value rounded to N``).

    As ``checker.data.money.round_places``: the rounding the checker applies to a Value.
    """
    frac = Fraction(value)
    whole = math.floor(abs(frac) * 10**places + Fraction(1, 2))
    digits = str(whole).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}" if places else digits
    return Decimal(f"-{text}" if frac < 0 and whole else text)


def money(amount: Number) -> str:
    """``£1,234,567`` or ``£1,234,567.89``; negative amounts as ``-£825,000``."""
    pounds = round_pence(amount)
    sign = "-" if pounds < 0 else ""
    pounds = pounds.copy_abs()
    if pounds == pounds.to_integral_value():
        return f"{sign}£{int(pounds):,}"
    return f"{sign}£{pounds:,.2f}"


def _mixed(value: Fraction) -> str:
    """An exact decimal if ``value`` has one, else a mixed number such as ``33 1/3``."""
    exact = _terminating(value)
    if exact is not None:
        return plain(exact)
    whole, rest = divmod(value.numerator, value.denominator)
    tail = f"{rest}/{value.denominator}"
    return f"{whole} {tail}" if whole else tail


def percent(share: Number) -> str:
    """A share as a percentage: ``0.15`` → ``15%``, ``1/3`` → ``33 1/3%``."""
    return f"{_mixed(to_fraction(share) * 100)}%"


def quantity(value: Decimal) -> str:
    """A count or measure as written, with thousands separators: ``1200`` → ``1,200``."""
    if value == value.to_integral_value() and value.as_tuple().exponent == 0:
        return f"{int(value):,}"
    return format(value, ",f")


def in_unit(value: Decimal, unit: Unit | None) -> str:
    """An indicator value in its unit, as the author wrote it: ``85%``, ``3.0``, ``1,200``."""
    if unit == "percent":
        return f"{format(value, 'f')}%"
    return quantity(value)


def unit_phrase(unit: Unit | None) -> str:
    """How an indicator is measured, for the sentence "It is measured as …"."""
    return {
        "percent": "a percentage",
        "ratio": "a ratio",
        "score": "a score",
        "rate": "a rate",
        "count": "a count",
        "days": "a number of days",
        None: "a value",
    }[unit]




_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def rounding_rule(places: int) -> str:
    """TERMS.md's sentence for ``value rounded to N decimal places``.

    As ``checker.rules.values.rounded`` does: half up (halves away from zero), before any
    threshold, step or Gateway looks at the Value.
    """
    to = ("the nearest whole number" if places == 0 else
          f"{count_words(places)} decimal place{'s' if places != 1 else ''}")
    # "half up" alone could be read as towards plus infinity for a negative Value; the
    # checker rounds halves away from nought, so the sentence says so with an example.
    half = plain(-Decimal(25).scaleb(-(places + 1)))
    rounded = plain(-Decimal(3).scaleb(-places))
    return (f"The Value is rounded half up to {to}, a half being rounded away from nought (so "
            f"{half} becomes {rounded}), before it is compared with any threshold; the "
            "rounded Value is the one used to work out any amount payable.")


def count_words(n: int) -> str:
    """Small whole numbers in words (``three``), larger ones in figures."""
    return _SMALL[n] if 0 <= n < len(_SMALL) else f"{n:,}"


def share_words(share: Number) -> str:
    """A share of a sum in words where it reads better: ``in full``, ``nothing``, ``50%``."""
    frac = to_fraction(share)
    if frac == 1:
        return "the whole"
    if frac == 0:
        return "nothing"
    return percent(frac)




def meets(direction: Direction | None) -> str:
    """What "meets" a threshold means in this direction: ``at or above``/``at or below``."""
    return "at or below" if direction == "lower" else "at or above"


def linear_rule(direction: Direction | None) -> str:
    """The linear payment rule in words, for the indicator's direction."""
    if direction == "lower":
        return (
            "Where the Value is at or below the Target the Allocation is payable in full; "
            "where it is not below the Floor nothing is payable; in between, the proportion "
            "of the Allocation payable is (Floor − Value) ÷ (Floor − Target), so that a Value "
            "exactly on the Floor earns nothing and a Value exactly on the Target earns the "
            "whole Allocation."
        )
    return (
        "Where the Value meets or exceeds the Target the Allocation is payable in full; "
        "where it does not exceed the Floor nothing is payable; in between, the proportion "
        "of the Allocation payable is (Value − Floor) ÷ (Target − Floor), so that a Value "
        "exactly on the Floor earns nothing and a Value exactly on the Target earns the "
        "whole Allocation."
    )


def all_or_nothing_rule(direction: Direction | None) -> str:
    """The all-or-nothing payment rule in words."""
    return (
        f"Where the Value is {meets(direction)} the Target the Allocation is payable in full; "
        "otherwise nothing is payable."
    )


def steps_rule(direction: Direction | None) -> str:
    """The stepped payment rule in words (the steps themselves go in a table)."""
    return (
        "The proportion of the Allocation payable is the largest share in the table below "
        "whose threshold the Value meets (a Value meets a threshold when it is "
        f"{meets(direction)} it); where the Value meets none of them, nothing is payable."
    )


def missing_rule(if_missing_pay: Decimal, minimum_denominator: int | None) -> str:
    """What is paid when the Value is missing or rests on too few cases.

    It is this Indicator's Allocation that is at stake (``checker.rules.payments``: a missing or
    insufficient Value earns ``if missing pay`` of the Allocation), never the whole year's
    Outcome Payment.
    """
    cases = "missing"
    if minimum_denominator is not None:
        cases = "missing or insufficient"
    paid = (
        "nothing of this Indicator's Allocation for that Contract Year is payable"
        if if_missing_pay == 0
        else f"{percent(if_missing_pay)} of this Indicator's Allocation for that Contract Year "
             "is payable, whatever its payment rule would give"
    )
    return f"Where the Value of this Indicator for a Contract Year is {cases}, {paid}."


def minimum_denominator_rule(n: int) -> str:
    """The minimum denominator rule in words."""
    return (
        f"The data for this Indicator shall give a numerator and a denominator. Where the "
        f"denominator for a Contract Year (that of the figure for the Contract Year, or the "
        f"sum of the denominators of its Quarters or Months) is below {n:,}, the Value for "
        "that Contract Year is insufficient."
    )
