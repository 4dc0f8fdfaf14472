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


Bound = Fraction | None  # None: unbounded (below the lowest, above the highest value)


def pays_where(old: Payout, new: Payout) -> tuple[list[tuple[Bound, Bound]],
                                                   list[tuple[Bound, Bound]]]:
    """The value ranges where the new curve pays more, and where it pays less, than the old.

    Between neighbouring bend points both curves are straight, so their difference is one
    straight line there: two values inside each gap give it exactly, and where it crosses
    zero inside the gap (two linear curves with different floors) the range is split there.
    Single points (a threshold itself) are left out: a reader wants the ranges.
    """
    points = sorted(set(old.points() + new.points()))
    if not points:
        return [], []
    gaps: list[tuple[Bound, Bound]] = [(None, points[0])]
    gaps += list(itertools.pairwise(points))
    gaps.append((points[-1], None))
    segments: list[tuple[Bound, Bound, int]] = []
    for a, b in gaps:
        if a is None:
            assert b is not None
            x1, x2 = b - 2, b - 1
        elif b is None:
            x1, x2 = a + 1, a + 2
        else:
            x1, x2 = a + (b - a) / 3, a + 2 * (b - a) / 3
        d1, d2 = new.at(x1) - old.at(x1), new.at(x2) - old.at(x2)
        slope = (d2 - d1) / (x2 - x1)
        zero = x1 - d1 / slope if slope else None
        if zero is not None and (a is None or zero > a) and (b is None or zero < b):
            segments += [(a, zero, _sign(d1 + (_mid(a, zero) - x1) * slope)),
                         (zero, b, _sign(d1 + (_mid(zero, b) - x1) * slope))]
        else:
            segments.append((a, b, _sign(d1 if not slope else
                                         d1 + (_mid(a, b) - x1) * slope)))
    merged: list[tuple[Bound, Bound, int]] = []
    for lo, hi, sign in segments:
        if merged and merged[-1][2] == sign and merged[-1][1] == lo:
            merged[-1] = (merged[-1][0], hi, sign)
        else:
            merged.append((lo, hi, sign))
    more = [(lo, hi) for lo, hi, s in merged if s > 0]
    less = [(lo, hi) for lo, hi, s in merged if s < 0]
    return more, less


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)


def _mid(a: Bound, b: Bound) -> Fraction:
    """A value strictly inside (a, b), either end possibly unbounded."""
    if a is None:
        assert b is not None
        return b - 1
    if b is None:
        return a + 1
    return (a + b) / 2
