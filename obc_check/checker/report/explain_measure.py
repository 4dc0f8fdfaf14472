"""``--explain`` of a measured indicator: its definition in words, and its counts per year.

The definition is ``model/wording.py``'s, the very words ``render`` writes in the Schedule, so
what a reader is told about a figure is what the contract says (RECORDS.md, What the report
adds). Then the records the dataset gave and those no year took, and per contract year the
counts the value was worked out from (as the JSON report gives them).
"""

from __future__ import annotations

from dataclasses import dataclass

from obc_check.checker.report.model import DatasetSummary, IndicatorResult, Report
from obc_check.model import Contract, Dataset, Indicator, Measure
from obc_check.model.wording import field_name, measure_definition, records_name


@dataclass(frozen=True, slots=True)
class MeasuredIndicator:
    """A measured indicator with its measure and dataset (all three known to exist)."""

    indicator: Indicator
    measure: Measure
    dataset: Dataset


def measured_indicator(contract: Contract, ident: str) -> MeasuredIndicator | None:
    """The indicator ``ident`` if it has a measure, else None."""
    ind = contract.indicator(ident)
    if ind is None or ind.measure is None:
        return None
    ds = contract.dataset(ind.measure.dataset)
    return MeasuredIndicator(ind, ind.measure, ds) if ds is not None else None


def definition_line(mi: MeasuredIndicator) -> str:
    """``definition: The Value is computed from … The Denominator is …``."""
    return "definition: " + measure_definition(mi.indicator, mi.measure, mi.dataset)


def _summary(report: Report, ds_id: str) -> DatasetSummary | None:
    return next((d for d in report.datasets or [] if d.dataset == ds_id), None)


def records_line(mi: MeasuredIndicator, report: Report) -> str:
    """How many records the dataset gave, and how many its ``by`` field placed in no year."""
    ds, m = mi.dataset, mi.measure
    found = _summary(report, ds.id)
    if found is None:
        return (f"records: Dataset {ds.id} is not in the bundle, so the Value is missing in "
                "every Contract Year")
    by = found.by.get(m.by)
    text = f"records: Dataset {ds.id}, {found.records:,} read"
    if by is not None:
        text += (f"; {by.unplaced:,} with no {field_name(m.by)} and {by.outside_term:,} "
                 f"with a {field_name(m.by)} outside the Term count in no Contract Year")
    return text


def _n(text: str | None) -> str:
    """A count or sum from the report, grouped for reading (``2639`` → ``2,639``)."""
    whole, dot, frac = (text or "0").partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-') or 0):,}{dot}{frac}"


def counts_line(mi: MeasuredIndicator, year: str, row: IndicatorResult) -> str | None:
    """The year's counts in words, or None when the report has none (no dataset)."""
    m = mi.measure
    rec = "people" if m.counting_people else records_name(mi.dataset.id)
    if m.shape == "proportion":
        if row.denominator is None:
            return None
        return (f"{year}: the Denominator is {_n(row.denominator)} {rec} and the Numerator "
                f"{_n(row.numerator)} of them")
    if m.shape == "mean":
        if row.denominator is None:
            return None
        return (f"{year}: the Denominator is {_n(row.denominator)} {rec} with a value, and "
                f"the sum of their values {_n(row.total)}")
    if row.count is None:
        return None
    return f"{year}: the count is {_n(row.count)} {rec}"


def counts_json(mi: MeasuredIndicator, report: Report) -> list[dict[str, object]]:
    """Per year the counts as the JSON report gives them (for ``--explain --format json``)."""
    out: list[dict[str, object]] = []
    for y in report.outcome_payment or []:
        for i in y.indicators:
            if i.indicator != mi.indicator.id:
                continue
            fields = {k: getattr(i, k) for k in ("numerator", "denominator", "total", "count")
                      if getattr(i, k) is not None}
            if fields:
                out.append({"year": y.year, "status": i.status, **fields})
    return out
