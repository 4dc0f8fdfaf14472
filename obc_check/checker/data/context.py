"""What validation needs to know about the contract, indexed once per load.

Look-ups on the hot path are plain dict hits: identifier text → the contract's own string
(so a million rows share a handful of string objects), period label → a shared
:class:`Period` (built once for every year, quarter and month of the term).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from obc_check.checker.data.cells import CellError, quote
from obc_check.model import Contract, Period, ReportObligation, Steps, Unit


@dataclass
class ContractIndex:
    """Identifiers, units and periods of a contract, ready for row validation."""

    indicators: dict[str, str]
    units: dict[str, Unit | None]
    minimum_denominator: dict[str, int]
    obligations: dict[str, str]
    report_each: dict[str, str]
    parties: dict[str, str]
    prices: dict[str, str]
    tiers: dict[str, str]
    periods: dict[str, Period]
    year_labels: tuple[str, ...]
    has_risk_share: bool
    has_rate_card: bool
    has_capitation: bool
    price_order: dict[str, int] = field(default_factory=dict)
    """Each price's place in the rate card: the claims' decision order (RECORDS.md)."""
    claim_window: bool = False
    """The rate card has `claims within N months of start`: claims need participants."""
    person_level: bool = False
    term_cap: Decimal | None = None
    """The rate card's cap over term: claims need it within E063's bound (D062)."""
    dates: dict[str, dt.date] = field(default_factory=dict)
    #: The highest threshold the contract sets for each indicator (floor, target, step,
    #: gateway level), to judge whether data in fractions (0.95 for 95%) is a slip (W006).
    levels: dict[str, Decimal] = field(default_factory=dict)
    commissioners: frozenset[str] = frozenset()
    """Parties with role commissioner: an ``outcome_payment`` is never paid to one."""
    measured: dict[str, str] = field(default_factory=dict)
    """Indicator → the dataset its measure counts (RECORDS.md): not from the table."""

    @classmethod
    def of(cls, contract: Contract) -> ContractIndex:
        """Index ``contract``."""
        indicators = list(contract.all_indicators())
        periods: dict[str, Period] = {}
        for year in contract.term.years:
            for kind in ("year", "quarter", "month"):
                for period in year.periods(kind):
                    periods[period.label] = period
        return cls(
            indicators={i.id: i.id for i in indicators},
            units={i.id: i.unit for i in indicators},
            minimum_denominator={i.id: i.minimum_denominator for i in indicators
                                 if i.minimum_denominator is not None},
            obligations={o.id: o.id for o in contract.obligations},
            report_each={o.id: o.each for o in contract.obligations
                         if isinstance(o, ReportObligation)},
            parties={p.id: p.id for p in contract.parties},
            prices={p.id: p.id for p in contract.rate_card.prices} if contract.rate_card else {},
            tiers=({t.id: t.id for t in contract.capitation.tiers}
                   if contract.capitation else {}),
            periods=periods,
            year_labels=tuple(y.label for y in contract.term.years),
            has_risk_share=contract.risk_share is not None,
            has_rate_card=contract.rate_card is not None,
            has_capitation=contract.capitation is not None,
            levels=_levels(contract),
            commissioners=frozenset(p.id for p in contract.parties if p.role == "commissioner"),
            measured={i.id: i.measure.dataset for i in indicators if i.measure is not None},
            price_order=({p.id: i for i, p in enumerate(contract.rate_card.prices)}
                         if contract.rate_card else {}),
            claim_window=bool(contract.rate_card and contract.rate_card.claim_months),
            person_level=bool(contract.rate_card and contract.rate_card.person_level),
            term_cap=contract.rate_card.cap if contract.rate_card else None,
        )

    def period(self, text: str) -> Period | None:
        """The period a label names; None for a blank cell; D010 for anything else."""
        found = self.periods.get(text)
        if found is not None:
            return found
        label = " ".join(text.split())
        if not label:
            return None
        found = self.periods.get(label)
        if found is None:
            raise CellError("D010", f"{quote(text)} is not a period of the contract term",
                            lambda: self._period_hint(label))
        return found

    def _period_hint(self, label: str) -> str:
        close = difflib.get_close_matches(label, list(self.periods), n=1, cutoff=0.6)
        if close:
            return f"did you mean `{close[0]}`?"
        first, last = self.year_labels[0], self.year_labels[-1]
        span = first if first == last else f"{first} … {last}"
        return (f"periods are contract years ({span}), quarters (`{first} Q1` … `Q4`) or "
                f"months (`{first} M1` … `M12`)")


def _levels(contract: Contract) -> dict[str, Decimal]:
    """Each indicator's highest threshold in the contract (none: only measured)."""
    found: dict[str, list[Decimal]] = {}
    for ind in contract.all_indicators():
        values = found.setdefault(ind.id, [])
        for sched in (ind.floor, ind.target):
            if sched is not None:
                values += sched.values
        if isinstance(ind.curve, Steps):
            values += [s.threshold for s in ind.curve.steps]
    for g in contract.gateways:
        found.setdefault(g.indicator, []).append(g.threshold)
    return {k: max(v) for k, v in found.items() if v}
