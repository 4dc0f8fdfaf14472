"""Numbers as a change reads them: ``£45,000,000``, ``65%``, ``3.4``, ``33.33…%``.

The compiled model holds shares as fractions and thresholds in the indicator's unit; a change
is read next to the contract text, so values are shown as the contract writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from obc_check.model import Schedule, Unit
from obc_check.model.wording import plain as _plain

HUNDRED = Decimal(100)


def plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``20.0`` → ``20``."""
    return _plain(d)


def money(d: Decimal) -> str:
    """Pounds, with separators; pence only when there are any."""
    if d == d.to_integral_value():
        return f"£{int(d):,}"
    if (Fraction(d) * 100).denominator == 1:  # not quantize: that fails past 28 digits
        return f"£{d:,.2f}"
    return f"£{plain(d)}"


def pounds2(d: Decimal | None) -> str | None:
    """Pounds with exactly two decimals, for JSON (as the report writes money)."""
    if d is None:
        return None
    return f"{d:.2f}"


def share(d: Decimal) -> str:
    """A fraction as a percentage: ``0.15`` → ``15%``."""
    return plain(d * HUNDRED) + "%"


def weight(w: Fraction) -> str:
    """A resolved weight; a third is shown as ``33.33…%`` rather than rounded silently."""
    pct = w * 100
    den = pct.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:
        return plain(Decimal(pct.numerator) / Decimal(pct.denominator)) + "%"
    approx = Decimal(pct.numerator) / Decimal(pct.denominator)
    return f"{approx:.2f}…%"


def threshold(d: Decimal, unit: Unit | None) -> str:
    """A level in the indicator's unit: ``65%`` for percent, ``3.4`` otherwise."""
    return plain(d) + ("%" if unit == "percent" else "")


def schedule_text(s: Schedule, show: Callable[[Decimal], str]) -> str:
    """A whole schedule in one line (when a schedule is added or removed)."""
    if len(set(s.values)) == 1:
        return show(s.values[0])
    return ", ".join(f"{show(v)} in year {n}" for n, v in enumerate(s.values, 1))
