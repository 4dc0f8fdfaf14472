"""Warnings (W codes): contracts that compile but are almost certainly not what was meant.

An error stops a contract; a warning does not, because each of these can be deliberate (an
indicator kept only for monitoring, a threshold that really is under 1%). They are judged on
the compiled model, only once it has no errors (a half-built model would warn about its own
gaps), and the author can silence one with ``# obc: allow W0NN`` (``dsl/allow.py``).
``validate`` and ``check`` show them; ``--strict`` makes them fail the run (CLI.md, exit 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from obc_check.diagnostics import Diagnostic, Span
from obc_check.dsl.syntax import Lit, Stmt
from obc_check.model import (
    AllOrNothing,
    Contract,
    Indicator,
    Schedule,
    SpendShareObligation,
    Steps,
)

Lint = Callable[[Contract, Stmt], Iterator[Diagnostic]]
HUNDRED = Decimal(100)


def _warn(code: str, message: str, span: Span | None, hint: str) -> Diagnostic:
    return Diagnostic(code, message, span, hint, severity="warning")


def _money(v: Decimal) -> str:
    return f"£{v:,.2f}".removesuffix(".00")


def _year_span(sched: Schedule, n: int) -> Span | None:
    if sched.spans and sched.spans[n - 1] is not None:
        return sched.spans[n - 1]
    return sched.span


def pot_above_annual_value(c: Contract, root: Stmt) -> Iterator[Diagnostic]:
    """W001: an outcome payment (in £) larger than the whole annual value of its year."""
    pay, annual = c.outcome_payment, c.annual_value
    if pay is None or annual is None or pay.basis != "amount":
        return
    for n, pot in enumerate(pay.pot, 1):
        value = annual.values[min(n, len(annual.values)) - 1]
        if pot > value:
            when = "" if pay.schedule.uniform and annual.uniform else f" in year {n}"
            yield _warn("W001", f"the outcome payment{when} ({_money(pot)}) is larger than "
                        f"the annual value ({_money(value)})", _year_span(pay.schedule, n)
                        or pay.span,
                        "the outcome payment is the part of the annual value paid on results; "
                        "check the amount (a digit too many?), or write it as a share, e.g. "
                        "`outcome_payment 10%`")
            return  # once, at the first such year: one fix (a digit, a share) mends the rest


def spend_share_without_recipient(c: Contract, root: Stmt) -> Iterator[Diagnostic]:
    """W002: a spend-share duty to a sector that no party but the payer belongs to.

    The duty can then only be met by paying parties the contract does not name, and the data
    names payees by party: every year would be a breach, or a row the checker refuses.
    """
    for o in c.obligations:
        if not isinstance(o, SpendShareObligation) or o.sector is None:
            continue  # a duty to a named party is checked by E006/E091
        others = [p for p in c.parties if p.sector == o.sector and p.id != o.party]
        if others:
            continue
        sector = o.sector.replace("_", " ")
        yield _warn("W002", f"obligation {o.id}: no party other than {o.party} is in the "
                    f"{sector} sector", o.span,
                    f"declare the {sector}-sector parties {o.party} pays, e.g. `party X "
                    f'"Name" role subcontractor sector {o.sector}`, or check the sector')


def floor_not_used(c: Contract, root: Stmt) -> Iterator[Diagnostic]:
    """W003: a floor on an all-or-nothing or steps indicator: payment never looks at it."""
    for ind in c.all_indicators():
        if ind.floor is None or not isinstance(ind.curve, AllOrNothing | Steps):
            continue
        if isinstance(ind.curve, AllOrNothing):
            how = "pays all or nothing: in full at the target, else nothing"
            hint = "remove the floor, or write `pays linear` to pay from the floor to the target"
        else:
            how = "pays in steps at their own thresholds"
            hint = "remove the floor: the steps alone say what each value earns"
        yield _warn("W003", f"indicator {ind.id} {how}; its floor is not used for payment",
                    ind.floor.span or ind.span, hint)


def indicator_not_used(c: Contract, root: Stmt) -> Iterator[Diagnostic]:
    """W004: an indicator outside every outcome that no gateway tests: it does nothing."""
    tested = {g.indicator for g in c.gateways}
    for ind in c.indicators:
        if ind.id not in tested:
            yield _warn("W004", f"indicator {ind.id} is neither paid nor tested by a gateway",
                        ind.span,
                        "move it into an outcome to pay for it, name it in a gateway's "
                        f"`requires {ind.id} ...`, or add `# obc: allow W004` if it is only "
                        "monitored")


def _points(v: Decimal) -> str:
    return f"{(v * HUNDRED).normalize():f}%"


def percent_like_fraction(c: Contract, root: Stmt) -> Iterator[Diagnostic]:
    """W005: percent thresholds written as fractions (``0.95%`` for 95%).

    A gateway ``at least 0.95%`` never bites; an indicator whose every threshold is under 1%
    pays in full for almost any value. The hint names the value in points (``95%``), never
    ``0.95%``, which is what the author wrote already.
    """
    for level, ind_id, comparison, gw in _gateway_levels(root):
        ind = c.indicator(ind_id)
        if ind is None or ind.unit != "percent" or level.kind != "percent":
            continue
        v = level.value
        if 0 < v < 1 or (v == 1 and comparison == "at_least"):
            word = comparison.replace("_", " ")
            yield _warn("W005", f"gateway {gw} requires {ind_id} {word} {level.text}: a level "
                        "of at most 1% that " + ("almost every value meets" if comparison ==
                                             "at_least" else "almost no value meets"),
                        level.span, f"percentages are written in points: did you mean "
                        f"{_points(v)}?")
    for ind in c.all_indicators():
        if ind.unit != "percent":
            continue
        found = list(_thresholds(ind))
        if found and all(v <= 1 for _, v, _ in found) and any(0 < v < 1 for _, v, _ in found):
            what, v, span = next(f for f in found if 0 < f[1] < 1)
            more = " (and so on)" if len({f[1] for f in found}) > 1 else ""
            yield _warn("W005", f"indicator {ind.id}: every threshold is at most 1%",
                        span or ind.span,
                        f"percentages are written in points: did you mean {what} {_points(v)}"
                        f", not {v.normalize():f}%{more}? If the thresholds really are under "
                        "1%, add `# obc: allow W005`")


def _gateway_levels(root: Stmt) -> Iterator[tuple[Lit, str, str, str]]:
    """Each gateway's level literal (with its position), indicator, comparison and id."""
    for st in root.items:
        if st.name != "gateway":
            continue
        for item in st.items:
            if item.name == "requires" and len(item.args) == 4:
                ind_id, _span, comparison, lit = item.args
                if isinstance(lit, Lit):  # the level as written, with its position
                    yield lit, str(ind_id), str(comparison).replace(" ", "_"), str(st.ident)


def _thresholds(ind: Indicator) -> Iterator[tuple[str, Decimal, Span | None]]:
    for what, sched in (("floor", ind.floor), ("target", ind.target)):
        if sched is not None:
            for n, v in enumerate(sched.values, 1):
                yield what, v, _year_span(sched, n)
    if isinstance(ind.curve, Steps):
        for step in ind.curve.steps:
            yield "step at", step.threshold, step.span


def several_commissioners_unfunded(c: Contract, root: Stmt) -> Iterator[Diagnostic]:
    """W020: several commissioners and no ``funding`` block (TERMS.md).

    Who pays what is then left to the main agreement: the checker reports the payable of
    each year, but cannot say what each commissioner owes.
    """
    commissioners = [p for p in c.parties if p.role == "commissioner"]
    if c.funding is not None or len(commissioners) < 2:
        return
    names = ", ".join(p.id for p in commissioners)
    yield _warn("W020", f"{len(commissioners)} commissioners ({names}) and no funding block",
                commissioners[1].span,
                "who pays what is left to the main agreement; add `funding { "
                + ", ".join(f"{p.id} pays ..%" for p in commissioners)
                + " }` (one line each), or `# obc: allow W020` if that is meant")


def price_above_person_cap(c: Contract, root: Stmt) -> Iterator[Diagnostic]:
    """W008: a rate-card price above the cap per person (RECORDS.md) is never paid in full.

    Rule 5 pays a claim the least of its price and what the person cap leaves, so a price
    above the cap is always cut: almost surely a digit wrong in the price or the cap.
    """
    card = c.rate_card
    if card is None or card.person_cap is None:
        return
    for p in card.prices:
        if p.amount > card.person_cap:
            yield _warn("W008", f"price {p.id} ({_money(p.amount)}) is above the cap per "
                        f"person ({_money(card.person_cap)}): it can never be paid in full",
                        p.span, "check the price and the cap; if a claim is meant to be cut "
                        "to the cap, add `# obc: allow W008`")


def zero_price_per_person(c: Contract, root: Stmt) -> Iterator[Diagnostic]:
    """W009: a price of £0 on a person-level rate card: every claim of it is rejected.

    Rule 5 (RECORDS.md) pays the least of the price and what the caps leave; an amount of
    zero is a rejection, reported as ``person_cap`` (or ``term_cap``) even with no cap per
    person. A claim the contract means to record without paying reads as a cap that bit:
    almost surely a price left blank.
    """
    card = c.rate_card
    if card is None or not card.person_level:
        return
    for p in card.prices:
        if p.amount == 0:
            yield _warn("W009", f"price {p.id} is £0: on a person-level rate card every claim "
                        "of it is rejected (as `person_cap`, or `term_cap` once the term cap "
                        "is used up), not paid £0", p.span,
                        "write the price; if claims of it are meant to be recorded unpaid, "
                        "add `# obc: allow W009`")


LINTS: tuple[Lint, ...] = (
    pot_above_annual_value,
    spend_share_without_recipient,
    floor_not_used,
    indicator_not_used,
    percent_like_fraction,
    several_commissioners_unfunded,
    price_above_person_cap,
    zero_price_per_person,
)


def run_lints(contract: Contract, root: Stmt) -> list[Diagnostic]:
    """Every warning about ``contract`` (compiled without errors from ``root``)."""
    return [d for lint in LINTS for d in lint(contract, root)]


__all__ = ["LINTS", "run_lints"]
