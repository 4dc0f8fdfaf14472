"""Achievement: how much of an indicator's allocation a value earns (LANGUAGE.md step 4).

``a`` is an exact fraction in [0, 1]. A value exactly on the target earns 1, exactly on the
floor 0; all or nothing pays when the target is met; steps pay the largest share whose
threshold is met. "Meets" means ≥ when higher is better and ≤ when lower is better.
"""

from __future__ import annotations

from fractions import Fraction

from obc_check.checker.rules.values import show_level
from obc_check.model import AllOrNothing, Indicator, Linear, Steps


def meets(higher: bool, value: Fraction, level: Fraction) -> bool:
    """Whether ``value`` meets ``level`` in the indicator's direction."""
    return value >= level if higher else value <= level


def achievement(ind: Indicator, year: int, value: Fraction) -> tuple[Fraction, str]:
    """``a`` for ``value`` in contract year ``year``, with a short reason in words."""
    higher = ind.direction != "lower"

    def show(x: Fraction) -> str:
        return show_level(ind.unit, x)

    curve = ind.curve
    if isinstance(curve, Steps):
        met = [s for s in curve.steps if meets(higher, value, Fraction(s.threshold))]
        if not met:
            first = min(curve.steps, key=lambda s: s.share)
            return Fraction(0), f"short of the first step {show(Fraction(first.threshold))}"
        best = max(met, key=lambda s: s.share)
        return Fraction(best.share), f"meets the step at {show(Fraction(best.threshold))}"
    target = Fraction(ind.target.for_year(year)) if ind.target else None
    if isinstance(curve, AllOrNothing) or (isinstance(curve, Linear) and ind.floor is None):
        if target is None:
            return Fraction(0), "no target"
        if meets(higher, value, target):
            return Fraction(1), f"meets the target {show(target)}"
        return Fraction(0), f"misses the target {show(target)}"
    assert ind.floor is not None  # linear: the static checks require floor and target
    floor = Fraction(ind.floor.for_year(year))
    if target is None or target == floor:
        return (Fraction(1), f"meets the target {show(floor)}") if meets(
            higher, value, floor) else (Fraction(0), f"misses the target {show(floor)}")
    raw = (value - floor) / (target - floor)
    if raw <= 0:
        side = "on" if raw == 0 else ("below" if higher else "above")
        return Fraction(0), f"{side} the floor {show(floor)}"
    if raw >= 1:
        side = "on" if raw == 1 else ("above" if higher else "below")
        return Fraction(1), f"{side} the target {show(target)}"
    return raw, f"between floor {show(floor)} and target {show(target)}"
