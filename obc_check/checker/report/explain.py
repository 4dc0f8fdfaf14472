"""``--explain ID``: the step-by-step derivation of one identifier's figures in a report.

Every report row already carries its derivation; explaining is choosing the rows that belong
to an identifier of the contract (indicator, outcome, gateway, obligation, price, or an
alliance member) and printing them under a heading; a person of a claims-paid rate card
(RECORDS.md) is explained by their claims in decision order, each with its decision. An
identifier the contract does not declare raises :class:`UnknownIdError` with close
matches, so the CLI can say "did you mean".
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from fractions import Fraction

from obc_check.checker.data.money import ZERO, money_total, pounds, shown_money
from obc_check.checker.report.claim_summary import explain_person, explain_price
from obc_check.checker.report.explain_measure import (
    counts_json,
    counts_line,
    definition_line,
    measured_indicator,
    records_line,
)
from obc_check.checker.report.model import CapitationTierYear, Report
from obc_check.model import Contract
from obc_check.textsafe import printable


class UnknownIdError(ValueError):
    """The contract declares no such identifier."""

    def __init__(self, ident: str, suggestions: list[str], people: bool = False) -> None:
        self.ident = ident
        self.suggestions = suggestions
        hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
        # with a claims-paid rate card a person is explained too: say that none is named so
        nobody = " and no claim is for a person of that name" if people else ""
        super().__init__(f"the contract declares no identifier {ident!r}{nobody}{hint}")


def declared_ids(contract: Contract) -> list[str]:
    """Every identifier of the contract's one namespace, in declaration order."""
    ids = [p.id for p in contract.parties]
    ids += [o.id for o in contract.outcomes]
    ids += [i.id for i in contract.all_indicators()]
    ids += [p.id for p in contract.rate_card.prices] if contract.rate_card else []
    ids += [t.id for t in contract.capitation.tiers] if contract.capitation else []
    ids += [g.id for g in contract.gateways]
    ids += [o.id for o in contract.obligations]
    return ids


def _other_ids(contract: Contract) -> set[str]:
    """Identifiers that are not parties (the namespace is shared: a clash is E005)."""
    return set(declared_ids(contract)) - {p.id for p in contract.parties}


def _suggest(ident: str, ids: list[str]) -> list[str]:
    folded = [i for i in ids if i.lower() == ident.lower()]
    return folded or difflib.get_close_matches(ident, ids, n=3, cutoff=0.5)


#: Up to this many people, close spellings of a person are looked for too (difflib takes
#: about a second per 100,000); beyond it, only the same letters in another case.
CLOSE_PEOPLE = 20_000


def _suggest_people(report: Report, ident: str) -> list[str]:
    """People of the claims spelt like ``ident``: ``gm0001`` for ``GM0001``.

    ``--explain`` takes a person of a claims-paid rate card as well as an identifier of the
    contract, so a person mistyped deserves the same "did you mean" as an indicator.
    """
    card = report.rate_card
    if card is None or card.people is None or not len(card.people):
        return []
    import pyarrow.compute as pc

    persons = card.people.table.column("person")
    folded = persons.filter(pc.equal(pc.utf8_lower(persons), ident.lower())).to_pylist()
    if folded or len(persons) > CLOSE_PEOPLE:
        return [str(p) for p in folded[:3]]
    return difflib.get_close_matches(ident, [str(p) for p in persons.to_pylist()], n=3,
                                     cutoff=0.75)


def _unknown(report: Report, ident: str, ids: list[str]) -> UnknownIdError:
    """The error for an identifier that is neither the contract's nor a person's."""
    people = report.rate_card is not None and report.rate_card.people is not None
    return UnknownIdError(ident, (_suggest(ident, ids) + _suggest_people(report, ident))[:3],
                          people)


def _lines(contract: Contract, report: Report, ident: str) -> Iterator[str]:
    years = report.outcome_payment or []
    outcome = next((o for o in contract.outcomes if o.id == ident), None)
    if outcome is not None:
        members = {i.id for i in outcome.indicators}
        for y in years:
            for i in y.indicators:
                if i.indicator in members:
                    mi = measured_indicator(contract, i.indicator)
                    counted = counts_line(mi, y.year, i) if mi is not None else None
                    if counted is not None:  # a measured member's counts, then its figures
                        yield counted.replace(f"{y.year}: ", f"{y.year}: {i.indicator}: ", 1)
                    yield i.derivation
        return
    mi = measured_indicator(contract, ident)
    if mi is not None:  # the definition in words, the records, then each year's counts
        yield definition_line(mi)
        yield records_line(mi, report)
    for y in years:
        for i in y.indicators:
            if i.indicator == ident:
                counted = counts_line(mi, y.year, i) if mi is not None else None
                if counted is not None:
                    yield counted
                yield i.derivation
        yield from (g.derivation for g in y.gateways if ident in (g.gateway, g.indicator))
    yield from (r.derivation for r in report.obligations if r.obligation == ident)
    if report.rate_card is not None:
        yield from (line.derivation for line in report.rate_card.lines if line.price == ident)
        if report.rate_card.claims is not None and ident in _prices(contract):
            yield from explain_price(report.rate_card, ident,
                                     [y.label for y in contract.term.years])
    for cy in report.capitation or []:
        yield from (line for t in cy.tiers if t.price == ident for line in _tier_lines(t))
    for r in report.risk_share or []:
        if ident in r.members:
            yield r.derivation


def _tier_lines(t: CapitationTierYear) -> Iterator[str]:
    """A tier's year: each begun month with its caseload and sum, then the rounded total.

    The monthly sums are shown to four decimals with ``…`` where they are not whole pence:
    they are not rounded (only the year's sum is), and the derivation says so.
    """
    yield t.derivation
    running = Fraction(0)
    price = Fraction(t.annual_price)
    people = {m.period: m.people for m in t.caseload}
    for label in sorted([*people, *t.missing], key=lambda p: int(p.rsplit("M", 1)[1])):
        if label not in people:
            yield f"  {label}: no caseload row: nothing paid for it (the report is incomplete)"
            continue
        amount = people[label] * price / 12
        running += amount
        yield (f"  {label}: {people[label]:,} people × {pounds(t.annual_price)} / 12 = "
               f"{_exact(amount)}; so far {_exact(running)}")


def _exact(x: Fraction) -> str:
    """An exact sum: pounds and pence when whole pence, else four decimals and ``…``."""
    if (x * 100).denominator == 1:
        return pounds(shown_money(x))
    scaled = int(abs(x) * 10_000)
    whole, frac = divmod(scaled, 10_000)
    return f"{'-' if x < 0 else ''}£{whole:,}.{frac:04d}…"


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
    for tier in contract.capitation.tiers if contract.capitation else ():
        if tier.id == ident:
            return (f"{ident} — {tier.title} (capitation tier, {pounds(tier.annual_price)} per "
                    "person per year)")
    party = contract.party(ident)
    assert party is not None
    return f"{ident} — {party.name} ({party.role.replace('_', ' ')})"


#: Breached rows shown per duty when explaining a party; the rest are counted (a ledger of a
#: million invoices can breach thousands of times: ``--explain OBLIGATION`` lists them all).
PARTY_BREACHES_SHOWN = 20


def _party_lines(contract: Contract, report: Report, ident: str) -> Iterator[str]:
    """A party's duties (each with its counts, penalties and breaches), and its risk share.

    A party is explained by what it must do and what it did not: each obligation that binds
    it, with how many of its rows were met, breached or not yet due, the penalties, and the
    derivation of each breach; then invoices the party was paid late as a payee; then its
    risk-share amounts.
    """
    duties = [ob for ob in contract.obligations if ob.party == ident]
    if not duties:
        yield f"{ident} has no duties in this contract (no obligation binds it)"
    total = ZERO
    for ob in duties:
        rows = [r for r in report.obligations if r.obligation == ob.id]
        counts = {s: sum(1 for r in rows if r.status == s) for s in ("met", "breached",
                                                                     "not_due")}
        penalties = money_total(r.penalty for r in rows)
        total += penalties
        yield (f"{ob.id} ({ob.title}, {ob.kind.replace('_', ' ')}): {counts['met']} met, "
               f"{counts['breached']} breached, {counts['not_due']} not due; penalties "
               f"{pounds(penalties)}")
        breached = [r for r in rows if r.status == "breached"]
        yield from (f"  {r.derivation}" for r in breached[:PARTY_BREACHES_SHOWN])
        if len(breached) > PARTY_BREACHES_SHOWN:
            yield (f"  … and {len(breached) - PARTY_BREACHES_SHOWN} more breaches "
                   f"(--explain {ob.id} lists every row)")
    if duties:
        yield f"penalties owed by {ident}: {pounds(total)}"
    late = [r for r in report.obligations if r.payee == ident and r.status == "breached"]
    if late:
        yield f"invoices from {ident} paid late or not paid in time: {len(late)}"
        yield from (f"  {r.derivation}" for r in late[:PARTY_BREACHES_SHOWN])
        if len(late) > PARTY_BREACHES_SHOWN:
            yield f"  … and {len(late) - PARTY_BREACHES_SHOWN} more"
    for r in report.risk_share or []:
        if ident in r.members:
            yield r.derivation
    yield from _payer_lines(report, ident)


def _payer_lines(report: Report, ident: str) -> Iterator[str]:
    """A commissioner's part of each year's payable, its payments and its balance (TERMS.md).

    Its part of each year (from the funding split, with how it was found); then, per year
    its payment duty assesses, what was due, paid in time and paid, and the balance.
    """
    parts = [y for y in report.funding or [] if ident in y.payers]
    if parts:
        total = money_total(y.payers[ident] for y in parts)
        yield f"{ident}'s parts of the payable: {pounds(total)} over {len(parts)} years"
        yield from (f"  {y.year}: {pounds(y.payers[ident])} ({y.derivation})" for y in parts)
    rows = [r for r in report.obligations.parts_of_kind("payout") if r.party == ident]
    if rows:
        balance = money_total(r.balance or ZERO for r in rows)
        word = ("still owed to the provider" if balance < 0 else
                "overpaid, recoverable from the provider" if balance > 0 else "settled")
        yield (f"{ident}'s payments: due {pounds(money_total(r.required or ZERO for r in rows))}"
               f", paid {pounds(money_total(r.paid or ZERO for r in rows))}; net balance "
               f"{pounds(balance)} ({word})")
        yield from (f"  {r.derivation}" for r in rows)


def _derivations(contract: Contract, report: Report, ident: str) -> Iterator[str]:
    """The lines :func:`explain` shows for ``ident`` (a party's duties, or its figures)."""
    if contract.party(ident) is not None and ident not in _other_ids(contract):
        return _party_lines(contract, report, ident)
    return _lines(contract, report, ident)


def explain_json(contract: Contract, report: Report, ident: str) -> str:
    """:func:`explain` as one JSON document (``--explain ID --format json``), for tools.

    ``{"schema": "obc-explain/1", "id", "heading", "as_of", "derivations": [...]}``: the
    same heading and derivation lines as the text, an empty list when there is nothing to
    explain as of that date. A measured indicator adds ``definition`` (the words of
    ``render``), ``dataset`` and ``counts`` (per year: ``year``, ``status`` and the counts
    the JSON report gives).
    """
    ids = declared_ids(contract)
    card = report.rate_card
    if ident not in ids and card is not None and _is_person(report, ident):
        person = {"schema": "obc-explain/1", "id": ident, "heading": f"{ident} — participant",
                  "as_of": report.as_of.isoformat(),
                  "derivations": explain_person(card, ident)}
        return json.dumps(person, indent=2, ensure_ascii=False) + "\n"
    if ident not in ids:
        raise _unknown(report, ident, ids)
    doc: dict[str, object] = {
        "schema": "obc-explain/1", "id": ident, "heading": _heading(contract, ident),
        "as_of": report.as_of.isoformat(),
        "derivations": list(_derivations(contract, report, ident))}
    mi = measured_indicator(contract, ident)
    if mi is not None:  # RECORDS.md: the definition in words with the counts per year
        doc["definition"] = definition_line(mi).removeprefix("definition: ")
        doc["dataset"] = mi.dataset.id
        doc["counts"] = counts_json(mi, report)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _prices(contract: Contract) -> set[str]:
    return {p.id for p in contract.rate_card.prices} if contract.rate_card else set()


def _is_person(report: Report, ident: str) -> bool:
    card = report.rate_card
    return card is not None and card.people is not None and card.people.find(ident) is not None


def explain(contract: Contract, report: Report, ident: str) -> str:
    """The derivation of every figure of ``ident`` in ``report``, one line each.

    ``ident`` is an identifier of the contract, or a person of the claims (RECORDS.md): then
    the person's claims are shown in decision order, each with its decision.
    """
    ids = declared_ids(contract)
    if ident not in ids and _is_person(report, ident):
        card = report.rate_card
        assert card is not None
        lines = explain_person(card, ident)
        return "\n".join([printable(f"{ident} — participant"),
                          *(f"  {printable(line)}" for line in lines)]) + "\n"
    if ident not in ids:
        raise _unknown(report, ident, ids)
    if contract.party(ident) is not None and ident not in _other_ids(contract):
        lines = list(_party_lines(contract, report, ident))
        return "\n".join([_heading(contract, ident),
                          *(f"  {printable(line)}" for line in lines)]) + "\n"
    lines = list(_lines(contract, report, ident))
    if not lines:
        lines = [f"nothing to explain as of {report.as_of.isoformat()}: {ident} has no figures "
                 f"in this report"]
    return "\n".join([_heading(contract, ident),
                      *(f"  {printable(line)}" for line in lines)]) + "\n"
