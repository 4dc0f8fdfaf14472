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
    PayoutObligation,
    PromptPaymentObligation,
    ReportObligation,
    Schedule,
    SpendShareObligation,
    Steps,
)

# A check sees the model and the set of statements that were written but could not be built
# (e.g. "outcome_payment", "JOBS.floor"), so that it never reports those as missing.
Check = Callable[[Contract, frozenset[str]], Iterator[Diagnostic]]
HUNDRED = Decimal(100)


def _pct(value: Decimal | Fraction) -> str:
    d = value if isinstance(value, Decimal) else Decimal(value.numerator) / value.denominator
    return f"{(d * HUNDRED).normalize():f}%"


def _did_you_mean(name: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    return f"did you mean `{close[0]}`?" if close else None


def _kinds(c: Contract) -> dict[str, str]:
    """Every declared identifier and what it is, for "`OH` is a party, not an indicator"."""
    out: dict[str, str] = {}
    for p in c.parties:
        out.setdefault(p.id, "a party")
    for o in c.outcomes:
        out.setdefault(o.id, "an outcome")
    for i in c.all_indicators():
        out.setdefault(i.id, "an indicator")
    for g in c.gateways:
        out.setdefault(g.id, "a gateway")
    for ob in c.obligations:
        out.setdefault(ob.id, "an obligation")
    if c.rate_card:
        for pr in c.rate_card.prices:
            out.setdefault(pr.id, "a price")
    if c.capitation:
        for tier in c.capitation.tiers:
            out.setdefault(tier.id, "a capitation tier")
    return out


def _unknown(name: str, wanted: str, options: list[str], kinds: dict[str, str],
             declare: str) -> tuple[str, str]:
    """The message tail and hint for a reference to ``name`` that is not ``wanted``."""
    if name in kinds:
        listed = ", ".join(options[:8]) + (", ..." if len(options) > 8 else "")
        return (f"`{name}` is {kinds[name]}, not {wanted}",
                _did_you_mean(name, options) or (f"name {wanted} here: {listed}" if options
                                                 else f"declare {wanted} first"))
    return (f"`{name}` is not declared", _did_you_mean(name, options) or declare)


def unknown_references(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E006: gateways name indicators; obligations and risk-share members name parties."""
    indicators = [i.id for i in c.all_indicators()]
    parties = [p.id for p in c.parties]
    kinds = _kinds(c)
    for g in c.gateways:
        if g.indicator and g.indicator not in indicators:
            msg, hint = _unknown(g.indicator, "an indicator", indicators, kinds,
                                 "declare the indicator; one that is only measured, not paid, "
                                 "stands outside any outcome")
            yield Diagnostic("E006", f"gateway {g.id} requires an indicator, but {msg}", g.span,
                             hint)
    for o in c.obligations:
        if o.party not in parties:
            msg, hint = _unknown(o.party, "a party", parties, kinds,
                                 f'declare it, e.g. `party {o.party} "Name" role lead_provider '
                                 "sector nhs`")
            yield Diagnostic("E006", f"obligation {o.id} binds a party, but {msg}", o.span,
                             hint)
    if c.risk_share:
        for m in c.risk_share.members:
            if m.party not in parties:
                msg, hint = _unknown(m.party, "a party", parties, kinds,
                                     f'declare it, e.g. `party {m.party} "Name" role '
                                     "alliance_member sector nhs`")
                yield Diagnostic("E006", f"risk_share names a member, but {msg}", m.span, hint)


def outcome_weights(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E012: outcome weights add up to exactly 100% when there is an outcome_payment."""
    if not c.outcomes:
        return
    if c.outcome_payment is None and "outcome_payment" not in broken:
        yield Diagnostic("E008", "the contract has outcomes but no outcome_payment",
                         c.outcomes[0].span,
                         "add e.g. `outcome_payment 5%`; indicators that are only measured "
                         "stand outside outcomes")
        return
    total = sum((o.weight for o in c.outcomes), Decimal(0))
    if total != 1:
        listed = ", ".join(f"{o.id} {_pct(o.weight)}" for o in c.outcomes)
        last = c.outcomes[-1]
        yield Diagnostic("E012", f"outcome weights add up to {_pct(total)}, not 100%",
                         last.span, f"the weights are {listed}")


def paid_indicator_settings(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E025, E017: a paid indicator needs a direction, and what its curve needs."""
    for _, ind in c.paid_indicators():
        if ind.direction is None:
            yield Diagnostic("E025", f"indicator {ind.id} is paid but has no direction",
                             ind.span, "add `higher is better` or `lower is better`")
        if isinstance(ind.curve, Linear):
            missing = [n for n, v in (("floor", ind.floor), ("target", ind.target))
                       if v is None and f"{ind.id}.{n}" not in broken]
            if missing:
                yield Diagnostic("E017", f"indicator {ind.id} pays linear but has no "
                                 f"{' and no '.join(missing)}", ind.span,
                                 "linear payment runs from the floor to the target; give both, "
                                 "or choose `pays all or nothing` or `pays in steps ...`")
        elif (isinstance(ind.curve, AllOrNothing) and ind.target is None
              and f"{ind.id}.target" not in broken):
            yield Diagnostic("E017", f"indicator {ind.id} pays all or nothing but has no target",
                             ind.span, "add e.g. `target 90%`")


def floor_below_target(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E016: floor below target (higher is better) or above it (lower), in every year."""
    for ind in c.all_indicators():
        if ind.floor is None or ind.target is None or ind.direction is None:
            continue
        for n, (f, t) in enumerate(zip(ind.floor.values, ind.target.values, strict=False), 1):
            bad = f >= t if ind.direction == "higher" else f <= t
            if bad:
                rel = "below" if ind.direction == "higher" else "above"
                when = "" if ind.floor.uniform and ind.target.uniform else f"in year {n} "
                yield Diagnostic("E016", f"indicator {ind.id}: {when}the floor "
                                 f"{_value(f, ind)} is not {rel} the target {_value(t, ind)}",
                                 _year_span(n, ind.floor, ind.target) or ind.span,
                                 f"{ind.direction} is better, so the floor must be {rel} the "
                                 "target in every year")
                break


def _year_span(n: int, *schedules: Schedule) -> Span | None:
    """Where year ``n``'s value is written: in the first per-year list, else the first span."""
    for sched in schedules:
        if sched.spans and sched.spans[n - 1] is not None:
            return sched.spans[n - 1]
    return next((s.span for s in schedules if s.span is not None), None)


def _value(v: Decimal, ind: Indicator) -> str:
    """A threshold as the author wrote it: ``85%`` for a percent indicator, else ``3.6``."""
    return f"{v}%" if ind.unit == "percent" else str(v)


def steps_improve(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E018: step thresholds must improve as their shares rise."""
    for ind in c.all_indicators():
        if not isinstance(ind.curve, Steps) or f"{ind.id}.curve" in broken:
            continue
        ordered = sorted(ind.curve.steps, key=lambda s: s.share)
        for a, b in itertools.pairwise(ordered):
            better = (b.threshold > a.threshold if ind.direction != "lower"
                      else b.threshold < a.threshold)
            if a.share == b.share:
                yield Diagnostic("E018", f"indicator {ind.id}: two steps pay {_pct(a.share)}",
                                 b.span or ind.span,
                                 "each step pays a different share; drop or change one")
                break
            if not better:
                word = "higher" if ind.direction != "lower" else "lower"
                yield Diagnostic("E018", f"indicator {ind.id}: the step paying {_pct(b.share)} "
                                 f"needs a {word} threshold than the step paying "
                                 f"{_pct(a.share)}", b.span or ind.span,
                                 "each larger share must need a better value, so that a better "
                                 "value never earns less")
                break


def percent_thresholds(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E019: a percent indicator's thresholds lie within 0–100%."""
    for ind in c.all_indicators():
        if ind.unit != "percent":
            continue
        named: list[tuple[str, Decimal, Span | None]] = []
        if ind.baseline:
            named.append(("baseline", ind.baseline.value, ind.baseline.span))
        for what, sched in (("floor", ind.floor), ("target", ind.target)):
            if sched is not None:
                named += [(what, v, sched.span) for v in sched.values]
        if isinstance(ind.curve, Steps):
            named += [("step threshold", s.threshold, s.span) for s in ind.curve.steps]
        for what, value, span in named:
            if value > HUNDRED:
                yield Diagnostic("E019", f"indicator {ind.id}: the {what} {value}% is above "
                                 "100%", span or ind.span,
                                 f"{ind.id} is measured in percent, which lie between 0% and "
                                 "100%")
                break
    for g in c.gateways:
        found = c.indicator(g.indicator)
        if found is not None and found.unit == "percent" and g.threshold > HUNDRED:
            yield Diagnostic("E019", f"gateway {g.id} requires {g.indicator} at "
                             f"{g.threshold}%, above 100%", g.span,
                             "percentages lie between 0% and 100%")


_ROLES: dict[type, tuple[str, tuple[str, ...]]] = {
    ReportObligation: ("report", ("lead_provider", "prime_contractor", "subcontractor",
                                  "alliance_member")),
    SpendShareObligation: ("pay a share of the annual value",
                           ("lead_provider", "prime_contractor", "alliance_member")),
    PromptPaymentObligation: ("pay subcontractor invoices", ("lead_provider", "prime_contractor")),
    FlowDownObligation: ("pass on outcome payments to subcontractors",
                         ("lead_provider", "prime_contractor")),
    PayoutObligation: ("pay a share of earned payments", ("commissioner",)),
}


def obligation_roles(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E020: the obliged party must have a role that can do what is asked."""
    for o in c.obligations:
        party = c.party(o.party)
        if party is None:
            continue
        what, roles = _ROLES[type(o)]
        if party.role not in roles:
            role = party.role.replace("_", " ")
            yield Diagnostic("E020", f"obligation {o.id}: {party.id} is {_article(role)} "
                             f"{role}, which cannot be obliged to {what}", o.span,
                             f"only {_roles(roles)} can be obliged to {what}")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _roles(roles: tuple[str, ...]) -> str:
    words = [r.replace("_", " ") + "s" for r in roles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def obligation_needs(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E024, E008: shares of annual_value / outcome_payment need those to exist."""
    for o in c.obligations:
        if (isinstance(o, SpendShareObligation) and c.annual_value is None
                and "annual_value" not in broken):
            yield Diagnostic("E024", f"obligation {o.id} is a share of annual_value, but the "
                             "contract has no annual_value", o.span,
                             "add e.g. `annual_value £45,000,000`")
        if (isinstance(o, FlowDownObligation) and c.outcome_payment is None
                and "outcome_payment" not in broken):
            yield Diagnostic("E008", f"obligation {o.id} passes on the outcome_payment, but the "
                             "contract has none", o.span, "add an `outcome_payment`")
    for g in c.gateways:
        if c.outcome_payment is None and "outcome_payment" not in broken:
            yield Diagnostic("E008", f"gateway {g.id} withholds outcome_payment, but the "
                             "contract has none", g.span, "add an `outcome_payment`")


def risk_share_members(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E021, E022: members are alliance members and their shares add up to 100%."""
    rs = c.risk_share
    if rs is None:
        return
    for m in rs.members:
        party = c.party(m.party)
        if party is not None and party.role != "alliance_member":
            role = party.role.replace("_", " ")
            yield Diagnostic("E021", f"risk_share member {m.party} is {_article(role)} {role}, "
                             "not an alliance member", m.span,
                             f"declare {m.party} with `role alliance_member`, or remove it")
    total = sum((m.share for m in rs.members), Decimal(0))
    if rs.members and total != 1:
        listed = ", ".join(f"{m.party} {_pct(m.share)}" for m in rs.members)
        yield Diagnostic("E022", f"risk_share member shares add up to {_pct(total)}, not 100%",
                         rs.members[0].span, f"the shares are {listed}")


#: Roles a commissioner pays capitation to: the provider, or the alliance's members.
CAPITATION_PAYEES = ("lead_provider", "prime_contractor", "alliance_member")


def capitation_budget(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E060: ``budget capitation`` needs a ``capitation`` block to take the budget from."""
    rs = c.risk_share
    if rs is not None and rs.budget_basis == "capitation" and c.capitation is None:
        yield Diagnostic("E060", "the risk_share budget is the capitation payable, but the "
                         "contract has no capitation block", rs.budget_span or rs.span,
                         'add `capitation { price TIER1 "Title" £1,200 per person per year }`, '
                         "or give the budget in £, e.g. `budget £150,000,000 per year`")


def capitation_payee(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E062: capitation is paid to someone: a provider or alliance member must be a party."""
    if c.capitation is None or any(p.role in CAPITATION_PAYEES for p in c.parties):
        return
    yield Diagnostic("E062", "the contract pays capitation, but no party can be paid it",
                     c.capitation.span,
                     f"capitation is paid to {_roles(CAPITATION_PAYEES)}: declare the "
                     "provider, e.g. `party OH \"Name\" role lead_provider sector nhs`")


def _money(v: Decimal) -> str:
    return f"£{v:,.2f}".removesuffix(".00")


def funding_payers(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E006, E081-E084: ``funding`` names every commissioner once (TERMS.md).

    Its shares add up to 100%, and no cap is below zero.
    """
    f = c.funding
    if f is None:
        return
    parties = [p.id for p in c.parties]
    kinds = _kinds(c)
    for share in f.payers:
        party = c.party(share.party)
        if party is None:
            msg, hint = _unknown(share.party, "a party", parties, kinds,
                                 f'declare it, e.g. `party {share.party} "Name" role '
                                 "commissioner sector local_authority`")
            yield Diagnostic("E006", f"funding names a payer, but {msg}", share.span, hint)
        elif party.role != "commissioner":
            role = party.role.replace("_", " ")
            yield Diagnostic("E081", f"funding names {share.party}, {_article(role)} {role}, "
                             "as a payer", share.span,
                             "only commissioners pay outcome payments; list each commissioner "
                             "of the contract once")
        if share.cap is not None and share.cap < 0:
            yield Diagnostic("E084", f"{share.party}'s cap {_money(share.cap)} is below zero",
                             share.span, "a cap is an amount of money of at least £0")
    listed = {s.party for s in f.payers}
    for p in c.parties:
        if p.role == "commissioner" and p.id not in listed:
            yield Diagnostic("E082", f"commissioner {p.id} is missing from funding", f.span,
                             f"add e.g. `{p.id} pays 50%`; every commissioner appears once, "
                             "and the shares add up to 100%")
    total = sum((s.share for s in f.payers), Decimal(0))
    if f.payers and total != 1:
        listed_text = ", ".join(f"{s.party} {_pct(s.share)}" for s in f.payers)
        yield Diagnostic("E083", f"funding shares add up to {_pct(total)}, not 100%",
                         f.payers[0].span or f.span, f"the shares are {listed_text}")


def several_commissioners(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E089: the payout duty needs a ``funding`` block when there are several commissioners.

    Nothing else says what each commissioner's share of the payable is.
    """
    commissioners = [p.id for p in c.parties if p.role == "commissioner"]
    if c.funding is not None or len(commissioners) < 2:
        return
    for o in c.obligations:
        if isinstance(o, PayoutObligation) and o.party in commissioners:
            yield Diagnostic("E089", f"obligation {o.id}: {o.party} pays its share, but the "
                             f"contract has {len(commissioners)} commissioners and no funding "
                             "block", o.span,
                             "add `funding { " + ", ".join(
                                 f"{p} pays ..%" for p in commissioners) + " }` (one line "
                             "each) to say each one's share")


def named_parties(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E006, E091, E087: ``to PARTY`` names a declared party other than the bound one.

    For flow-down it must be a subcontractor (TERMS.md).
    """
    parties = [p.id for p in c.parties]
    kinds = _kinds(c)
    for o in c.obligations:
        if not isinstance(o, SpendShareObligation | FlowDownObligation) or o.to is None:
            continue
        span = o.to_span or o.span
        party = c.party(o.to)
        if party is None:
            msg, hint = _unknown(o.to, "a party", parties, kinds,
                                 f'declare it, e.g. `party {o.to} "Name" role subcontractor '
                                 "sector voluntary`")
            yield Diagnostic("E006", f"obligation {o.id} pays a named party, but {msg}", span,
                             hint)
        elif o.to == o.party:
            yield Diagnostic("E091", f"obligation {o.id}: {o.party} is bound to pay itself",
                             span, "name the party that is to be paid, not the one that pays")
        elif isinstance(o, FlowDownObligation) and party.role != "subcontractor":
            role = party.role.replace("_", " ")
            yield Diagnostic("E087", f"obligation {o.id} passes on outcome payments to "
                             f"{o.to}, {_article(role)} {role}, not a subcontractor", span,
                             f"outcome payments are passed on to subcontractors; declare {o.to} "
                             "with `role subcontractor`, or use a spend-share duty")


def penalty_forms(c: Contract, broken: frozenset[str]) -> Iterator[Diagnostic]:
    """E088, E084: ``per day late`` is for report duties; a cap per year is not below zero."""
    for o in c.obligations:
        if o.penalty_basis == "per_day_late" and not isinstance(o, ReportObligation):
            yield Diagnostic("E088", f"obligation {o.id}: `per day late` applies to report "
                             "duties only", o.penalty_span or o.span,
                             "a return is late by days; write `penalty £X per breach` for "
                             "this duty")
        if o.penalty_cap is not None and o.penalty_cap < 0:
            yield Diagnostic("E084", f"obligation {o.id}: the cap "
                             f"{_money(o.penalty_cap)} per year is below zero",
                             o.penalty_span or o.span,
                             "a cap is an amount of money of at least £0")


CHECKS: tuple[Check, ...] = (
    unknown_references,
    outcome_weights,
    paid_indicator_settings,
    floor_below_target,
    steps_improve,
    percent_thresholds,
    obligation_roles,
    obligation_needs,
    risk_share_members,
    capitation_budget,
    capitation_payee,
    funding_payers,
    several_commissioners,
    named_parties,
    penalty_forms,
)


def run_checks(contract: Contract, skip: frozenset[str] = frozenset(),
               broken: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Every static check over ``contract``, leaving out diagnostics with a code in ``skip``.

    The builder passes ``skip`` when an error it reported would make a check's finding a mere
    echo (outcome weights cannot add up when one outcome has no weight).
    """
    out: list[Diagnostic] = []
    for check in CHECKS:
        out.extend(d for d in check(contract, broken) if d.code not in skip)
    return out


__all__ = ["CHECKS", "Indicator", "run_checks"]
