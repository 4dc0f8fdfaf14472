"""A measured indicator's value for a contract year, from the engine's counts (RECORDS.md).

- proportion: value = N / D (× 100 for ``percent``), exact; D = 0 makes the year missing;
- mean: value = Σ expression / the number of records averaged, exact; none makes it missing;
- count: the count itself; zero is a value, not missing;
- ``minimum denominator`` applies to D (proportion) or to the records averaged (mean): below
  it the year is insufficient;
- a dataset absent from the bundle makes every year missing.
"""

from __future__ import annotations

from fractions import Fraction

from obc_check.checker.data.money import exact_number, shown_number
from obc_check.checker.engine import DatasetCounts, YearCounts
from obc_check.checker.rules.values import YearValue, scaled
from obc_check.model import ContractYear, Indicator, Measure


def measured_value(ind: Indicator, m: Measure, year: ContractYear,
                   counts: DatasetCounts | None) -> YearValue:
    """The value of ``ind`` for ``year`` (see module doc)."""
    # The figures are the definition's, not every record placed in the year: the words say so
    # (a bare "184 / 351 of the records placed in 2016/17" read as if 351 were all of them).
    where = f"records of {m.dataset} placed in {year.label} by {m.by}"
    if counts is None:
        return YearValue("missing", None, None, None, (), f"dataset {m.dataset} is not in the "
                         "bundle")
    c: YearCounts = counts.measures[ind.id][year.number - 1]
    source = (m.dataset,)
    if m.shape == "count":
        n = c.count or 0
        who = "people" if m.counting_people else "records"
        return YearValue("assessed", Fraction(n), None, None, source,
                         f"= {n} {who} counted among the {where}", count=n)
    if m.shape == "proportion":
        num, den = Fraction(c.numerator or 0), Fraction(c.denominator or 0)
        if den == 0:
            return YearValue("missing", None, num, den, source,
                             f"no {'person' if m.counting_people else 'record'} meets the "
                             f"denominator among the {where}")
        result = YearValue("assessed", scaled(ind.unit, num, den), num, den, source,
                           f"= {shown_number(num)} / {shown_number(den)} (the numerator over the "
                           f"denominator, by the definition) among the {where}")
    else:
        den = Fraction(c.denominator or 0)
        total = Fraction(c.total) if c.total is not None else Fraction(0)
        if den == 0:
            return YearValue("missing", None, None, den, source,
                             f"no record to average among the {where}", total=total)
        result = YearValue("assessed", total / den, None, den, source,
                           f"= {exact_number(total)} / {shown_number(den)} (the total over the "
                           f"records averaged, by the definition) among the {where}",
                           total=total)
    minimum = ind.minimum_denominator
    if minimum is not None and den < minimum:
        return YearValue("insufficient", result.value, result.numerator, den, source,
                         f"{result.how}, but {shown_number(den)} is below the minimum "
                         f"denominator {minimum}", total=result.total)
    return result
