"""Payment curves as exact data: the corners of "£ earned against Value", per Contract Year.

The chart module only draws what this module computes, so a picture can never disagree with
the rule the text states. The curves follow LANGUAGE.md's achievement rule (linear between
Floor and Target, all-or-nothing at the Target, steps at their thresholds); identical years
are drawn once, labelled with every year they stand for.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from fractions import Fraction

from obc_check.model import AllOrNothing, Contract, Indicator, Linear, Steps
from obc_check.render.blocks import Chart, Series

Point = tuple[Fraction, Fraction]


def _levels(ind: Indicator, year: int) -> tuple[Fraction, ...]:
    """Every threshold the indicator's curve turns at in ``year``, plus its baseline."""
    found: list[Fraction] = []
    if ind.floor is not None:
        found.append(Fraction(ind.floor.for_year(year)))
    if ind.target is not None:
        found.append(Fraction(ind.target.for_year(year)))
    if isinstance(ind.curve, Steps):
        found.extend(Fraction(s.threshold) for s in ind.curve.steps)
    return tuple(found)


def _x_range(ind: Indicator, years: int) -> tuple[Fraction, Fraction]:
    """A value range that shows every turn of every year's curve with room either side."""
    levels = [lv for y in range(1, years + 1) for lv in _levels(ind, y)]
    if ind.baseline is not None:
        levels.append(Fraction(ind.baseline.value))
    lo, hi = min(levels), max(levels)
    pad = (hi - lo) / 4 if hi > lo else max(abs(hi) / 10, Fraction(1))
    lo, hi = lo - pad, hi + pad
    if ind.unit == "percent":
        lo, hi = max(lo, Fraction(0)), min(hi, Fraction(100))
    elif lo < 0 <= min(levels):
        lo = Fraction(0)
    return lo, hi


def _meets(ind: Indicator) -> Callable[[Fraction, Fraction], bool]:
    if ind.direction == "lower":
        return lambda value, level: value <= level
    return lambda value, level: value >= level


def _step_share(ind: Indicator, year: int, value: Fraction) -> Fraction:
    """The share earned at ``value`` under an all-or-nothing or stepped rule."""
    meets = _meets(ind)
    if isinstance(ind.curve, AllOrNothing):
        assert ind.target is not None
        return Fraction(1) if meets(value, Fraction(ind.target.for_year(year))) else Fraction(0)
    assert isinstance(ind.curve, Steps)
    shares = [Fraction(s.share) for s in ind.curve.steps if meets(value, Fraction(s.threshold))]
    return max(shares, default=Fraction(0))


def _linear_points(ind: Indicator, year: int, alloc: Fraction,
                   lo: Fraction, hi: Fraction) -> tuple[Point, ...]:
    assert ind.floor is not None and ind.target is not None
    floor, target = Fraction(ind.floor.for_year(year)), Fraction(ind.target.for_year(year))
    if ind.direction == "lower":
        return ((lo, alloc), (target, alloc), (floor, Fraction(0)), (hi, Fraction(0)))
    return ((lo, Fraction(0)), (floor, Fraction(0)), (target, alloc), (hi, alloc))


def _stepped_points(ind: Indicator, year: int, alloc: Fraction,
                    lo: Fraction, hi: Fraction) -> tuple[Point, ...]:
    """Flat runs between thresholds, joined by vertical jumps at each threshold."""
    cuts = sorted({lo, hi, *(t for t in _levels(ind, year) if lo < t < hi)})
    points: list[Point] = []
    for left, right in itertools.pairwise(cuts):
        level = alloc * _step_share(ind, year, (left + right) / 2)
        points.extend(((left, level), (right, level)))
    return tuple(points)


#: The most of an identifier a chart's title shows: matplotlib lays out a title of 100,000
#: characters for seconds, and a picture cannot show it anyway (the text names it in full).
MAX_TITLE_ID = 40


def _short(ident: str) -> str:
    return ident if len(ident) <= MAX_TITLE_ID else ident[: MAX_TITLE_ID - 1] + "…"


#: The largest value (or amount) a chart labels: past a trillion, tick labels in the house
#: style (``£1,000,000,000,000``) are too long to stand side by side and run into each other.
MAX_CHARTED = Fraction(10**12)


def undrawable(chart: Chart) -> str | None:
    """Why a chart cannot be drawn faithfully, in words for the clause; None when it can.

    The language bounds its numbers (50 digits before the point, 20 after), so every value is
    a finite float, and no chart can crash. But a chart of 50-digit values has labels that
    overlap into noise, and a floor and a target 10^-10 apart at 10^15 are one float (a
    slope would show as a cliff). Such a chart is left out, and the text says why; the
    tables state the rule exactly.
    """
    xs = sorted({x for series in chart.series for x, _ in series.points}
                | {x for _, x in chart.marks})
    ys = [y for series in chart.series for _, y in series.points]
    if max(abs(v) for v in (*xs, *ys)) > MAX_CHARTED:
        return "its values or amounts are too large to label on a chart (above a trillion)"
    floats = [float(x) for x in xs]
    if not all(a < b for a, b in itertools.pairwise(floats)):
        return "its thresholds are too close together, for their size, to be drawn apart"
    return None


def curve_chart(c: Contract, ind: Indicator, allocs: tuple[Fraction, ...]) -> Chart | None:
    """The chart data of a paid indicator, or None when its curve lacks a threshold."""
    curve = ind.curve
    drawable = (
        (isinstance(curve, Linear) and ind.floor is not None and ind.target is not None)
        or (isinstance(curve, AllOrNothing) and ind.target is not None)
        or (isinstance(curve, Steps) and bool(curve.steps))
    )
    if not drawable:
        return None
    years = c.term.years
    lo, hi = _x_range(ind, len(years))
    draw = _linear_points if isinstance(curve, Linear) else _stepped_points
    grouped: dict[tuple[Point, ...], list[str]] = {}
    for year, alloc in zip(years, allocs, strict=True):
        grouped.setdefault(draw(ind, year.number, alloc, lo, hi), []).append(year.label)
    series = tuple(
        Series("every Contract Year" if len(labels) == len(years) else ", ".join(labels), pts)
        for pts, labels in grouped.items()
    )
    marks = (("Baseline", Fraction(ind.baseline.value)),) if ind.baseline is not None else ()
    unit = {"percent": "%", "days": "days"}.get(ind.unit or "", ind.unit or "")
    return Chart(
        key=ind.id,
        title=f"{_short(ind.id)}: amount payable against the Value",
        x_label=f"Value ({unit})" if unit else "Value",
        percent_axis=ind.unit == "percent",
        series=series,
        marks=marks,
    )
