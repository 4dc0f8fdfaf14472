"""Stricter, looser or neutral *for the provider*: the rules, one small function each.

docs/diff.md lists which rule applies to which field. Two kinds of rule:

- a number that moves one way is stricter, the other way looser (a higher penalty is
  stricter, a longer reporting window looser): :func:`by_size`;
- a payment curve is judged on what it pays: the new curve is stricter if, for every value
  the indicator could take, it pays no more than the old one and for some value less
  (:func:`curve_effect`). Curves that pay more for some values and less for others are
  neutral: whether the change helps depends on how the provider performs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from obc_check.diff.changes import Effect
from obc_check.model import AllOrNothing, Indicator, Steps

Num = Decimal | Fraction | int


def opposite(effect: Effect) -> Effect:
    """Stricter ↔ looser; neutral stays neutral."""
    if effect == "stricter":
        return "looser"
    if effect == "looser":
        return "stricter"
    return "neutral"


def by_size(old: Num, new: Num, higher: Effect) -> Effect:
    """``higher`` when the number went up, its opposite when it went down."""
    return higher if new > old else opposite(higher)


Rule = Callable[[Any, Any], Effect]


def rising(higher: Effect) -> Rule:
    """The rule "a higher number is ``higher``", as a function of (old, new)."""
    def rule(old: Num, new: Num) -> Effect:
        return by_size(old, new, higher)
    return rule


def optional(added: Effect, higher: Effect) -> Rule:
    """A setting that may be absent: giving it is ``added``, dropping it the opposite."""
    def rule(old: Num | None, new: Num | None) -> Effect:
        if old is None:
            return added
        if new is None:
            return opposite(added)
        return by_size(old, new, higher)
    return rule


# Reporting more often is stricter: more returns, each a chance to be late.
PERIOD_RANK = {"year": 1, "quarter": 4, "month": 12}


@dataclass(frozen=True, slots=True)
class Payout:
    """The share of its allocation an indicator earns for a value, in one contract year."""

    kind: str
    higher_is_better: bool
    floor: Fraction | None
    target: Fraction | None
    steps: tuple[tuple[Fraction, Fraction], ...]

    def points(self) -> list[Fraction]:
        """The values where the curve bends or jumps."""
        found = [x for x in (self.floor, self.target) if x is not None]
        return found + [t for _, t in self.steps]

    def meets(self, v: Fraction, level: Fraction) -> bool:
        """The value is at least as good as ``level``."""
        return v >= level if self.higher_is_better else v <= level

    def at(self, v: Fraction) -> Fraction:
        """Achievement in [0, 1] for the value ``v`` (LANGUAGE.md, step 4)."""
        if self.kind == "steps":
            return max((s for s, t in self.steps if self.meets(v, t)), default=Fraction(0))
        assert self.target is not None
        if self.kind == "all_or_nothing":
            return Fraction(1) if self.meets(v, self.target) else Fraction(0)
        assert self.floor is not None
        span = self.target - self.floor
        if span == 0:
            return Fraction(1) if self.meets(v, self.target) else Fraction(0)
        return min(Fraction(1), max(Fraction(0), (v - self.floor) / span))


def payout(ind: Indicator, year: int) -> Payout | None:
    """The indicator's curve in contract ``year``; None if it cannot pay (settings missing)."""
    higher = ind.direction != "lower"

    def at_year(s: object) -> Fraction | None:
        values = getattr(s, "values", None)
        if not values:
            return None
        return Fraction(values[min(year, len(values)) - 1])

    floor, target = at_year(ind.floor), at_year(ind.target)
    if isinstance(ind.curve, Steps):
        steps = tuple((Fraction(s.share), Fraction(s.threshold)) for s in ind.curve.steps)
        return Payout("steps", higher, None, None, steps)
    if isinstance(ind.curve, AllOrNothing):
        return None if target is None else Payout("all_or_nothing", higher, None, target, ())
    if floor is None or target is None:
        return None
    return Payout("linear", higher, floor, target, ())


def compare_payouts(old: Payout, new: Payout) -> Effect | None:
    """How the new curve pays against the old one; None when they pay the same everywhere.

    Between two neighbouring bend points both curves are straight lines, so comparing them at
    every bend point, just beside it on each side, and beyond the outermost ones decides the
    question exactly.
    """
    points = sorted(set(old.points() + new.points()))
    if not points:
        return None
    gaps = [b - a for a, b in itertools.pairwise(points)]
    eps = min(gaps, default=Fraction(1)) / 4
    samples = [points[0] - 1, points[-1] + 1]
    for p in points:
        samples += [p - eps, p, p + eps]
    diffs = [new.at(v) - old.at(v) for v in samples]
    less, more = any(d < 0 for d in diffs), any(d > 0 for d in diffs)
    if less and more:
        return "neutral"
    if less:
        return "stricter"
    if more:
        return "looser"
    return None
