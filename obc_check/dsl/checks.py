"""Static checks over a compiled contract: one function per rule, each with its code.

These are the rules of LANGUAGE.md ("Static checks") and the issue's additions that can be
judged on the model alone. Well-formedness that the model cannot even represent (a year
named twice, a ``%`` where money is due) is reported earlier, by ``dsl/build.py``.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from fractions import Fraction

from obc_check.diagnostics import Diagnostic, Span
from obc_check.model import (
    AllOrNothing,
    Contract,
    FlowDownObligation,
    Indicator,
    Linear,
    PromptPaymentObligation,
    ReportObligation,
    SpendShareObligation,
    Steps,
)

Check = Callable[[Contract], Iterator[Diagnostic]]
HUNDRED = Decimal(100)


def _pct(value: Decimal | Fraction) -> str:
    d = value if isinstance(value, Decimal) else Decimal(value.numerator) / value.denominator
    return f"{(d * HUNDRED).normalize():f}%"


def _did_you_mean(name: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    return f"did you mean `{close[0]}`?" if close else None


def duplicate_identifiers(c: Contract) -> Iterator[Diagnostic]:
    """E005: all declared identifiers share one namespace."""
    seen: dict[str, Span | None] = {}
    nodes: list[tuple[str, str, Span | None]] = []
    nodes += [("party", p.id, p.span) for p in c.parties]
    nodes += [("outcome", o.id, o.span) for o in c.outcomes]
    nodes += [("indicator", i.id, i.span) for i in c.all_indicators()]
    if c.rate_card:
        nodes += [("price", p.id, p.span) for p in c.rate_card.prices]
    nodes += [("gateway", g.id, g.span) for g in c.gateways]
    nodes += [("obligation", o.id, o.span) for o in c.obligations]
    nodes.sort(key=lambda n: (n[2].line, n[2].column) if n[2] else (0, 0))
    for kind, ident, span in nodes:
        if ident in seen:
            first = seen[ident]
            where = f" on line {first.line}" if first else ""
            yield Diagnostic("E005", f"`{ident}` is declared twice (this {kind})", span,
                             f"the first `{ident}` is{where}; identifiers of parties, outcomes,"
                             " indicators, prices, gateways and obligations share one namespace")
        else:
            seen[ident] = span


def unknown_references(c: Contract) -> Iterator[Diagnostic]:
    """E006: gateways name indicators; obligations and members name parties."""
    indicators = [i.id for i in c.all_indicators()]
    parties = [p.id for p in c.parties]
    for g in c.gateways:
        if g.indicator and g.indicator not in indicators:
            yield Diagnostic("E006", f"gateway {g.id} requires `{g.indicator}`, which is not an "
                             "indicator of this contract", g.span,
                             _did_you_mean(g.indicator, indicators) or
                             "declare the indicator, e.g. outside any outcome if it is not paid")
    for o in c.obligations:
        if o.party not in parties:
            yield Diagnostic("E006", f"obligation {o.id} names `{o.party}`, which is not a party",
                             o.span, _did_you_mean(o.party, parties) or "declare the party")
    if c.risk_share:
        for m in c.risk_share.members:
            if m.party not in parties:
                yield Diagnostic("E006", f"risk_share member `{m.party}` is not a party", m.span,
                                 _did_you_mean(m.party, parties) or "declare the party")


def outcome_weights(c: Contract) -> Iterator[Diagnostic]:
    """E012: outcome weights add up to exactly 100% when there is an outcome_payment."""
    if not c.outcomes:
        return
    if c.outcome_payment is None:
        yield Diagnostic("E008", "the contract has outcomes but no outcome_payment", c.span,
                         "add e.g. `outcome_payment 5%`; indicators that are only measured "
                         "stand outside outcomes")
        return
    total = sum((o.weight for o in c.outcomes), Decimal(0))
    if total != 1:
        listed = ", ".join(f"{o.id} {_pct(o.weight)}" for o in c.outcomes)
        last = c.outcomes[-1]
        yield Diagnostic("E012", f"outcome weights add up to {_pct(total)}, not 100%",
                         last.span, f"the weights are {listed}")


def paid_indicator_settings(c: Contract) -> Iterator[Diagnostic]:
    """E025, E017: a paid indicator needs a direction, and what its curve needs."""
    for _, ind in c.paid_indicators():
        if ind.direction is None:
            yield Diagnostic("E025", f"indicator {ind.id} is paid but has no direction",
                             ind.span, "add `higher is better` or `lower is better`")
        if isinstance(ind.curve, Linear):
            missing = [n for n, v in (("floor", ind.floor), ("target", ind.target)) if v is None]
            if missing:
                yield Diagnostic("E017", f"indicator {ind.id} pays linear but has no "
                                 f"{' and no '.join(missing)}", ind.span,
                                 "linear payment runs from the floor to the target; give both, "
                                 "or choose `pays all or nothing` or `pays in steps ...`")
        elif isinstance(ind.curve, AllOrNothing) and ind.target is None:
            yield Diagnostic("E017", f"indicator {ind.id} pays all or nothing but has no target",
                             ind.span, "add e.g. `target 90%`")


def floor_below_target(c: Contract) -> Iterator[Diagnostic]:
    """E016: floor below target (higher is better) or above it (lower), in every year."""
    for ind in c.all_indicators():
        if ind.floor is None or ind.target is None or ind.direction is None:
            continue
        for n, (f, t) in enumerate(zip(ind.floor.values, ind.target.values, strict=False), 1):
            bad = f >= t if ind.direction == "higher" else f <= t
            if bad:
                rel = "below" if ind.direction == "higher" else "above"
                yield Diagnostic("E016", f"indicator {ind.id}: in year {n} the floor {f} is not "
                                 f"{rel} the target {t}", ind.floor.span or ind.span,
                                 f"{ind.direction} is better, so the floor must be {rel} the "
                                 "target in every year")
                break


def steps_improve(c: Contract) -> Iterator[Diagnostic]:
    """E018: step thresholds must improve as their shares rise."""
    for ind in c.all_indicators():
        if not isinstance(ind.curve, Steps):
            continue
        ordered = sorted(ind.curve.steps, key=lambda s: s.share)
        for a, b in itertools.pairwise(ordered):
            better = (b.threshold > a.threshold if ind.direction != "lower"
                      else b.threshold < a.threshold)
            if a.share == b.share or not better:
                word = "higher" if ind.direction != "lower" else "lower"
                yield Diagnostic("E018", f"indicator {ind.id}: the step paying {_pct(b.share)} "
                                 f"needs a {word} threshold than the step paying "
                                 f"{_pct(a.share)}", b.span or ind.span,
                                 "each larger share must need a better value, so that a better "
                                 "value never earns less")
                break


def percent_thresholds(c: Contract) -> Iterator[Diagnostic]:
    """E019: a percent indicator's thresholds lie within 0–100%."""
    for ind in c.all_indicators():
        if ind.unit != "percent":
            continue
        values: list[Decimal] = []
        for sched in (ind.floor, ind.target):
            if sched is not None:
                values += sched.values
        if isinstance(ind.curve, Steps):
            values += [s.threshold for s in ind.curve.steps]
        over = [v for v in values if v > HUNDRED]
        if over:
            yield Diagnostic("E019", f"indicator {ind.id} is a percentage, but a threshold is "
                             f"{over[0]}%", ind.span, "percentages lie between 0% and 100%")
    for g in c.gateways:
        found = c.indicator(g.indicator)
        if found is not None and found.unit == "percent" and g.threshold > HUNDRED:
            yield Diagnostic("E019", f"gateway {g.id} requires {g.threshold}%", g.span,
                             "percentages lie between 0% and 100%")


_ROLES: dict[type, tuple[str, tuple[str, ...]]] = {
    ReportObligation: ("report", ("lead_provider", "prime_contractor", "subcontractor",
                                  "alliance_member")),
    SpendShareObligation: ("pay a share of the annual value",
                           ("lead_provider", "prime_contractor", "alliance_member")),
    PromptPaymentObligation: ("pay subcontractor invoices", ("lead_provider", "prime_contractor")),
    FlowDownObligation: ("pass on outcome payments to subcontractors",
                         ("lead_provider", "prime_contractor")),
}


def obligation_roles(c: Contract) -> Iterator[Diagnostic]:
    """E020: the obliged party must have a role that can do what is asked."""
    for o in c.obligations:
        party = c.party(o.party)
        if party is None:
            continue
        what, roles = _ROLES[type(o)]
        if party.role not in roles:
            yield Diagnostic("E020", f"obligation {o.id}: {party.id} is a {party.role}, which "
                             f"cannot be obliged to {what}", o.span,
                             "the party must be a " + " or ".join(roles))


def obligation_needs(c: Contract) -> Iterator[Diagnostic]:
    """E024, E008: shares of annual_value / outcome_payment need those to exist."""
    for o in c.obligations:
        if isinstance(o, SpendShareObligation) and c.annual_value is None:
            yield Diagnostic("E024", f"obligation {o.id} is a share of annual_value, but the "
                             "contract has no annual_value", o.span,
                             "add e.g. `annual_value £45,000,000`")
        if isinstance(o, FlowDownObligation) and c.outcome_payment is None:
            yield Diagnostic("E008", f"obligation {o.id} passes on the outcome_payment, but the "
                             "contract has none", o.span, "add an `outcome_payment`")
    for g in c.gateways:
        if c.outcome_payment is None:
            yield Diagnostic("E008", f"gateway {g.id} withholds outcome_payment, but the "
                             "contract has none", g.span, "add an `outcome_payment`")


def risk_share_members(c: Contract) -> Iterator[Diagnostic]:
    """E021, E022: members are alliance members and their shares add up to 100%."""
    rs = c.risk_share
    if rs is None:
        return
    for m in rs.members:
        party = c.party(m.party)
        if party is not None and party.role != "alliance_member":
            yield Diagnostic("E021", f"risk_share member {m.party} is a {party.role}, not an "
                             "alliance_member", m.span,
                             f"declare {m.party} with `role alliance_member`, or remove it")
    total = sum((m.share for m in rs.members), Decimal(0))
    if rs.members and total != 1:
        listed = ", ".join(f"{m.party} {_pct(m.share)}" for m in rs.members)
        yield Diagnostic("E022", f"risk_share member shares add up to {_pct(total)}, not 100%",
                         rs.members[0].span, f"the shares are {listed}")


CHECKS: tuple[Check, ...] = (
    duplicate_identifiers,
    unknown_references,
    outcome_weights,
    paid_indicator_settings,
    floor_below_target,
    steps_improve,
    percent_thresholds,
    obligation_roles,
    obligation_needs,
    risk_share_members,
)


def run_checks(contract: Contract) -> list[Diagnostic]:
    """Every static check over ``contract``."""
    out: list[Diagnostic] = []
    for check in CHECKS:
        out.extend(check(contract))
    return out


__all__ = ["CHECKS", "Indicator", "run_checks"]
