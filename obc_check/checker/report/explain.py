"""``--explain ID``: the step-by-step derivation of one identifier's figures in a report.

Every report row already carries its derivation; explaining is choosing the rows that belong
to an identifier of the contract (indicator, outcome, gateway, obligation, price, or an
alliance member) and printing them under a heading. An identifier the contract does not
declare raises :class:`UnknownIdError` with close matches, so the CLI can say "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from obc_check.checker.report.model import Report
from obc_check.model import Contract


class UnknownIdError(ValueError):
    """The contract declares no such identifier."""

    def __init__(self, ident: str, suggestions: list[str]) -> None:
        self.ident = ident
        self.suggestions = suggestions
        hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"the contract declares no identifier {ident!r}{hint}")


def declared_ids(contract: Contract) -> list[str]:
    """Every identifier of the contract's one namespace, in declaration order."""
    ids = [p.id for p in contract.parties]
    ids += [o.id for o in contract.outcomes]
    ids += [i.id for i in contract.all_indicators()]
    ids += [p.id for p in contract.rate_card.prices] if contract.rate_card else []
    ids += [g.id for g in contract.gateways]
    ids += [o.id for o in contract.obligations]
    return ids


def _suggest(ident: str, ids: list[str]) -> list[str]:
    folded = [i for i in ids if i.lower() == ident.lower()]
    return folded or difflib.get_close_matches(ident, ids, n=3, cutoff=0.5)


def _lines(contract: Contract, report: Report, ident: str) -> Iterator[str]:
    years = report.outcome_payment or []
    outcome = next((o for o in contract.outcomes if o.id == ident), None)
    if outcome is not None:
        members = {i.id for i in outcome.indicators}
        for y in years:
            yield from (i.derivation for i in y.indicators if i.indicator in members)
        return
    for y in years:
        yield from (i.derivation for i in y.indicators if i.indicator == ident)
        yield from (g.derivation for g in y.gateways if ident in (g.gateway, g.indicator))
    yield from (r.derivation for r in report.obligations if r.obligation == ident)
    if report.rate_card is not None:
        yield from (line.derivation for line in report.rate_card.lines if line.price == ident)
    for r in report.risk_share or []:
        if ident in r.members:
            yield r.derivation


def _heading(contract: Contract, ident: str) -> str:
    for o in contract.outcomes:
        if o.id == ident:
            return f"{ident} — {o.title} (outcome, weight {o.weight * 100:g}%)"
    ind = contract.indicator(ident)
    if ind is not None:
        where = f"indicator in {ind.outcome}" if ind.outcome else "indicator, not paid"
        return f"{ident} — {ind.title} ({where})"
    for g in contract.gateways:
        if g.id == ident:
            return f"{ident} — {g.title} (gateway)"
    for ob in contract.obligations:
        if ob.id == ident:
            return f"{ident} — {ob.title} ({ob.kind.replace('_', ' ')} obligation of {ob.party})"
    for pr in contract.rate_card.prices if contract.rate_card else ():
        if pr.id == ident:
            return f"{ident} — {pr.title} (rate-card price)"
    party = contract.party(ident)
    assert party is not None
    return f"{ident} — {party.name} ({party.role.replace('_', ' ')})"


def explain(contract: Contract, report: Report, ident: str) -> str:
    """The derivation of every figure of ``ident`` in ``report``, one line each."""
    ids = declared_ids(contract)
    if ident not in ids:
        raise UnknownIdError(ident, _suggest(ident, ids))
    lines = list(_lines(contract, report, ident))
    if not lines:
        lines = [f"nothing to explain as of {report.as_of.isoformat()}: {ident} has no figures "
                 f"in this report"]
    return "\n".join([_heading(contract, ident), *(f"  {line}" for line in lines)]) + "\n"
