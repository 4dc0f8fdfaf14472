"""An indicator's value for a contract year, from the ``indicators`` table.

LANGUAGE.md (Data, Meaning step 3): the year's value is the row for the year itself, or,
when every quarter (or every month) of the year has a row with numerator and denominator,
Σ numerators / Σ denominators. Otherwise the value is *missing*. It is *insufficient* when the
indicator has a ``minimum denominator`` and the year's denominator is below it.

Choices where the spec is silent (docs/checking.md):
- the minimum denominator applies to the year's denominator however it is given: the sum over
  quarters or months, or the denominator of a year row written with numerator/denominator;
- a year row that gives only a ``value`` for an indicator with a minimum denominator cannot
  show that the minimum is met, so it is insufficient;
- quarters are tried before months; periods that give only a ``value`` cannot be pooled, so a
  year made of them is missing;
- the value is exact: numerator/denominator are divided as rationals, never via the rounded
  ``value`` the row may also carry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from obc_check.checker.data.money import exact_number, round_places, shown_number
from obc_check.checker.data.tables import IndicatorRow
from obc_check.checker.report.model import IndicatorStatus
from obc_check.model import ContractYear, Indicator, Steps, Unit

IndicatorIndex = dict[tuple[str, int], list[IndicatorRow]]


@dataclass(frozen=True, slots=True)
class YearValue:
    """An indicator's value for one year, or why there is none."""

    status: IndicatorStatus
    value: Fraction | None
    numerator: Fraction | None
    denominator: Fraction | None
    sources: tuple[str, ...]
    how: str  # "= 70 / 112 over 2016/17 Q1–Q4", or why the value is missing
    total: Fraction | None = None  # a measured mean's exact sum
    count: int | None = None  # a measured count


def index_indicators(rows: Iterable[IndicatorRow]) -> IndicatorIndex:
    """Rows grouped by (indicator, contract year number): one pass over the table."""
    index: IndicatorIndex = {}
    for row in rows:
        index.setdefault((row.indicator, row.period.year), []).append(row)
    return index


def scaled(unit: Unit | None, numerator: Fraction, denominator: Fraction) -> Fraction:
    """The ratio n / d in the indicator's unit: percentage points for ``percent`` indicators."""
    ratio = numerator / denominator
    return ratio * 100 if unit == "percent" else ratio


def show_level(unit: Unit | None, level: Fraction) -> str:
    """A threshold of the contract (floor, target, step, gateway level), exactly.

    Trailing zeros cut, never rounded: a contract's number has any places (LANGUAGE.md),
    and four would show a target of 60.00004% as ``60%`` beside a value of 60.00002% that
    misses it.
    """
    text = exact_number(level)
    return f"{text}%" if unit == "percent" else text


def _row_value(ind: Indicator, row: IndicatorRow) -> tuple[Fraction | None, str]:
    n, d = row.numerator, row.denominator
    if n is not None and d is not None and d != 0:
        return scaled(ind.unit, Fraction(n), Fraction(d)), f"= {n} / {d}"
    if row.value is not None:
        return Fraction(row.value), "given"
    return None, "no value"


def _span(kind: str, count: int) -> str:
    return "Q1–Q4" if kind == "quarter" else f"M1–M{count}"


def _pooled(ind: Indicator, year: ContractYear,
            rows: Sequence[IndicatorRow]) -> tuple[YearValue | None, str]:
    """Σn/Σd over complete quarters (else months), or None with the reason it is incomplete."""
    reasons: list[str] = []
    for kind in ("quarter", "month"):
        periods = year.quarters() if kind == "quarter" else year.months()
        have = {r.period.index: r for r in rows if r.period.kind == kind}
        if not have:
            continue
        absent = [p.label for p in periods if p.index not in have]
        no_nd = [r.period.label for r in have.values()
                 if r.numerator is None or r.denominator is None]
        if absent:
            reasons.append(f"no row for {', '.join(absent)}")
            continue
        if no_nd:
            reasons.append(f"{', '.join(sorted(no_nd))} without numerator and denominator")
            continue
        ordered = [have[p.index] for p in periods]
        num = sum((Fraction(r.numerator or 0) for r in ordered), Fraction(0))
        den = sum((Fraction(r.denominator or 0) for r in ordered), Fraction(0))
        if den == 0:
            reasons.append("the denominators add up to 0")
            continue
        how = (f"= {shown_number(num)} / {shown_number(den)} over "
               f"{year.label} {_span(kind, len(periods))}")
        return YearValue("assessed", scaled(ind.unit, num, den), num, den,
                         tuple(r.period.label for r in ordered), how), ""
    return None, "; ".join(reasons) or f"no row for {year.label}"


def rounded(ind: Indicator, yv: YearValue) -> YearValue:
    """TERMS.md: the value rounded half up to the indicator's places, if it sets them.

    The rounded value is what achievement, the linear formula and gateways see; numerator
    and denominator stay exact.
    """
    if ind.rounding is None or yv.value is None:
        return yv
    value = Fraction(round_places(yv.value, ind.rounding))
    if value == yv.value:
        return yv
    how = (f"{yv.how}, {_unrounded(ind.unit, yv.value, ind.rounding)} rounded half up to "
           f"{ind.rounding} decimal place{'s' if ind.rounding != 1 else ''}")
    return replace(yv, value=value, how=how)  # a measure's total and count stay exact


def _unrounded(unit: Unit | None, value: Fraction, places: int) -> str:
    """The exact value a rounding starts from, as its derivation shows it.

    Exact where it ends within ``places`` + 6 decimals, else those digits cut short (never
    rounded: 59.9499996… shown rounded to four places would be 59.95, which rounds the other
    way) and ``…``.
    """
    shown = places + 6
    scaled = abs(value) * 10**shown
    whole = int(scaled)
    digits = str(whole).rjust(shown + 1, "0")
    text = f"{digits[:-shown]}.{digits[-shown:]}".rstrip("0").rstrip(".")
    sign = "-" if value < 0 else ""
    more = "…" if scaled != whole else ""
    return f"{sign}{text}{more}{'%' if unit == 'percent' else ''}"


def value_words_of(ind: Indicator, value: Fraction, levels: Sequence[Fraction] = ()) -> str:
    """A year's value in a derivation: as the report's ``value`` (:func:`shown_value`).

    A rounded value is shown with exactly its places (``60.0%``, ``59.999999%``), never cut
    to the four places of :func:`shown_number`, which would show 59.999999% as 60%.
    """
    text = shown_value(ind, value, levels)
    return f"{text}%" if ind.unit == "percent" else text


#: The most places :func:`shown_apart` writes (a value of counts of a few million records
#: is apart from a level of four places within 15).
_MOST_PLACES = 30


def shown_apart(value: Fraction, levels: Sequence[Fraction], places: int = 4) -> str:
    """``value`` to ``places`` places, or to more when fewer would misstate a comparison.

    Up to ``places`` places (trailing zeros cut) it may read as on a level it is below
    (an unrounded 59.99999% as 60%, beside "misses the target 60%") or across one. Then it
    is written with the fewest places that put it on the same side of every level as it is
    (59.99999%).
    """
    text = shown_number(value, places)
    while places < _MOST_PLACES:
        shown = Fraction(text)
        if all((shown > t) == (value > t) and (shown < t) == (value < t) for t in levels):
            break
        places += 1
        text = shown_number(value, places)
    return text


def shown_value(ind: Indicator, value: Fraction, levels: Sequence[Fraction] = ()) -> str:
    """The report's ``value``: exactly ``rounding`` places when set (``"60.0"``).

    Without rounding: up to four places, trailing zeros cut, and more when four would put
    it on or across one of ``levels`` (the thresholds it is compared with: :func:`levels_of`)
    that it is not on (:func:`shown_apart`).
    """
    if ind.rounding is None:
        return shown_apart(value, levels)
    return format(round_places(value, ind.rounding), "f")


def levels_of(ind: Indicator, year: int, gateways: Iterable[Fraction] = ()) -> list[Fraction]:
    """Every threshold ``ind``'s value is compared with in contract year ``year``.

    Its floor and target for the year, its steps' thresholds and ``gateways``' levels: one
    list for every place the value is shown, so that it is written the same in each.
    """
    found = [Fraction(x.for_year(year)) for x in (ind.floor, ind.target) if x is not None]
    if isinstance(ind.curve, Steps):
        found += [Fraction(s.threshold) for s in ind.curve.steps]
    return found + list(gateways)


def year_value(ind: Indicator, year: ContractYear, rows: Sequence[IndicatorRow]) -> YearValue:
    """The indicator's value for ``year`` from its rows in that year (see module doc)."""
    year_rows = [r for r in rows if r.period.kind == "year"]
    result: YearValue
    if year_rows:
        row = year_rows[0]
        value, how = _row_value(ind, row)
        if value is None:
            return YearValue("missing", None, None, None, (row.period.label,),
                             f"the row for {year.label} has no value")
        how = f"{how} for {year.label}" if how != "given" else f"for {year.label}"
        num = Fraction(row.numerator) if row.numerator is not None else None
        den = Fraction(row.denominator) if row.denominator is not None else None
        result = YearValue("assessed", value, num, den, (row.period.label,), how)
    else:
        pooled, why = _pooled(ind, year, rows)
        if pooled is None:
            return YearValue("missing", None, None, None,
                             tuple(sorted(r.period.label for r in rows)), why)
        result = pooled
    minimum = ind.minimum_denominator
    if minimum is not None:
        if result.denominator is None:
            return YearValue("insufficient", result.value, None, None, result.sources,
                             f"{result.how}, but no denominator is given to show the "
                             f"minimum denominator {minimum}")
        if result.denominator < minimum:
            return YearValue("insufficient", result.value, result.numerator,
                             result.denominator, result.sources,
                             f"{result.how}, but denominator {shown_number(result.denominator)}"
                             f" is below the minimum {minimum}")
    return result
