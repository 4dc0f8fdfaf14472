"""Exact money: ``Fraction`` inside a computation, ``Decimal`` at the edges.

LANGUAGE.md rounds in exactly four places (each indicator's earned, a gateway's withheld sum,
each member's risk-share amount, the flow-down required sum); RECORDS.md adds a fifth (each
capitation tier's payable for a year, once, over its months). :func:`round_money` is the one
rule for those, and nothing else in the checker rounds money that feeds a later figure. The
``shown_*`` helpers only format intermediate exact figures (an allocation of a third of a pot)
for people to read; their output is never computed with again.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import MAX_PREC, Decimal, localcontext
from fractions import Fraction

from obc_check.model.wording import plain

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def _half_up(x: Fraction, places: int) -> Decimal:
    """``x`` to ``places`` decimals, halves away from zero (Decimal's ROUND_HALF_UP)."""
    scale = 10**places
    scaled = abs(x) * scale
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = "-" if x < 0 and whole else ""
    digits = str(whole).rjust(places + 1, "0")
    return Decimal(f"{sign}{digits[:-places]}.{digits[-places:]}")


def round_places(x: Fraction, places: int) -> Decimal:
    """``x`` to ``places`` decimals (0 or more), halves away from zero.

    TERMS.md's value rounding (``value rounded to N decimal places``): the one rounding of
    an indicator's value.
    """
    if places > 0:
        return _half_up(x, places)
    whole = int(abs(x))
    if abs(x) - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(-whole if x < 0 else whole)


def round_money(x: Fraction) -> Decimal:
    """Round to the penny, half up (a loss of -0.005 becomes -0.01): the spec's one rounding."""
    return _half_up(x, 2)


def exact(d: Decimal | int) -> Fraction:
    """A Decimal from the model or data as an exact rational."""
    return Fraction(d)


def as_money(d: Decimal | Fraction) -> Decimal:
    """A figure that is already whole pence (a sum of rounded amounts) as two-decimal Decimal.

    Raises ``ValueError`` if it is not whole pence: that would mean a rounding step is missing.
    """
    f = Fraction(d)
    if (f * 100).denominator != 1:
        raise ValueError(f"{float(f)!r} is not a whole number of pence")
    return _half_up(f, 2)


def shown_money(x: Fraction) -> Decimal:
    """An exact intermediate figure (an allocation, a required spend) for display only."""
    return _half_up(x, 2)


def is_whole_pence(x: Fraction) -> bool:
    """True when ``x`` needs no rounding to be shown in pounds and pence."""
    return (x * 100).denominator == 1


def shown_ratio(x: Fraction, places: int = 4) -> Decimal:
    """A ratio (achievement) rounded half up to ``places`` decimals, for display only."""
    return _half_up(x, places)


def shown_number(x: Fraction, places: int = 4) -> str:
    """A value for people: exact when it has few decimals, else rounded, trailing zeros cut."""
    d = _half_up(x, places)
    return plain(d)


def finite_decimal(x: Fraction) -> Decimal | None:
    """``x`` as an exact Decimal, or None when it has no finite decimal form (1/3).

    A fraction has one exactly when its denominator has no prime factor but 2 and 5; the
    places needed are the larger of the two exponents.
    """
    den = x.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    places = max(twos, fives)
    # a string, not ``scaleb``: that is arithmetic, rounded to the context's 28 digits
    return Decimal(f"{x.numerator * 10**places // x.denominator}E-{places}")


def exact_number(x: Fraction) -> str:
    """A finite decimal (a sum of data's decimals) written out exactly, trailing zeros cut.

    RECORDS.md gives a mean's ``total`` as "the exact sum as a decimal string"; the four
    places of :func:`shown_number` would show 0.00001 + 0.00002 as ``0``. A fraction that is
    no finite decimal (never a sum of decimals) falls back to :func:`shown_number`.
    """
    d = finite_decimal(x)
    if d is None:
        return shown_number(x)
    return plain(d)


def pounds(d: Decimal) -> str:
    """``£1,234.50`` (negative as ``-£1,234.50``) for text output.

    Whole pounds are grouped as an int (fast in C); Decimal's own ``,`` formatting is slow
    enough to show when a million invoices are described. ``copy_abs``, not ``abs``: that
    is arithmetic, rounded to the context's 28 digits, and an amount may have 50 (E085).
    """
    text = f"{d.copy_abs():.2f}"
    whole, _, pence = text.partition(".")
    sign = "-" if d < 0 else ""
    return f"{sign}£{int(whole):,}.{pence}"


def difference(a: Decimal, b: Decimal) -> Decimal:
    """``a - b`` with every digit (what a cap leaves).

    Decimal subtraction rounds to the context's 28 digits, and a cap may have 50 before the
    point and 20 after (E085): the precision is every place between the two's highest digit
    and lowest, and one for a carry.
    """
    high = max(a.adjusted(), b.adjusted(), 0)
    low = min(d.adjusted() + 1 - len(d.as_tuple().digits) for d in (a, b))
    with localcontext() as ctx:
        ctx.prec = high - min(low, 0) + 2
        return a - b


def money_total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``amounts`` (``ZERO`` for none): money of 40 digits, every penny.

    ``sum`` adds in the context's 28 digits; addition in a context of the greatest precision
    is exact and costs no more than the digits it keeps.
    """
    with localcontext() as ctx:
        ctx.prec = MAX_PREC
        return sum(amounts, ZERO)


def percent_of(share: Decimal | Fraction) -> str:
    """A share as people write it: ``0.15`` → ``15%``, ``1/3`` → ``33.3333%``."""
    return f"{shown_number(Fraction(share) * 100)}%"
