"""Contract model → the numbered schedule that every output format lays out.

The clauses come in a fixed order and only when the contract has what they describe, so a
rate-card contract has no Outcome clause. Clause numbers are known before any clause is
worded, which lets the Definitions clause point to "clause 7" and be right.
"""

from __future__ import annotations

from collections.abc import Callable

from obc_check.model import Contract
from obc_check.render import words
from obc_check.render.blocks import Block, Document, Para, Section, Table, numbered
from obc_check.render.capitation_clauses import capitation_clause
from obc_check.render.finance_clauses import funding_clause, rate_card_clause, risk_share_clause
from obc_check.render.matters import matters_clause
from obc_check.render.obligation_clauses import obligations_clause
from obc_check.render.outcome_clauses import (
    gateways_clause,
    measured_clause,
    outcome_payment_clause,
    outcomes_clause,
    text_paras,
)
from obc_check.render.records import datasets_clause
from obc_check.render.terms import (
    definitions,
    interpretation,
    role_term,
    status_statement,
)
from obc_check.render.years import needs_dates, year_name

SECTOR_TITLE = {
    "nhs": "NHS",
    "voluntary": "Voluntary",
    "private": "Private",
    "local_authority": "Local authority",
    "central_government": "Central government",
    "philanthropic": "Philanthropic",
}


def _plan(c: Contract) -> list[tuple[str, str]]:
    """(key, heading) of each clause the contract needs, in order."""
    plan = [("background", "Background")] if c.text else []
    plan += [("definitions", "Definitions and interpretation"), ("parties", "Parties"),
             ("term", "Term and Contract Years")]
    optional = [
        ("annual_value", "Annual Value", c.annual_value is not None),
        ("outcome_payment", "Outcome Payment", c.outcome_payment is not None),
        ("outcomes", "Outcomes and Indicators", bool(c.outcomes)),
        ("measured", "Measured Indicators", bool(c.indicators)),
        ("datasets", "Datasets of Records", bool(c.datasets)),
        ("gateways", "Gateways", bool(c.gateways)),
        ("capitation", "Capitation", c.capitation is not None),
        ("risk_share", "Risk Share", c.risk_share is not None),
        ("rate_card", "Rate Card", c.rate_card is not None),
        ("funding", "Funding", c.funding is not None),
        ("obligations", "Obligations", bool(c.obligations)),
    ]
    plan += [(key, title) for key, title, present in optional if present]
    plan.append(("matters", "Matters for the main agreement"))
    return plan


def _definitions(c: Contract, ref: Callable[[str], str]) -> list[Block]:
    blocks: list[Block] = [Para(status_statement(c)), Para(
        "In this Schedule the following words, which begin with a capital letter wherever "
        "they are used, have the meanings below.")]
    blocks.extend(Para(meaning, term=term) for term, meaning in definitions(c, ref))
    blocks.extend(Para(text) for text in interpretation(c))
    return blocks


def _parties(c: Contract) -> list[Block]:
    rows = tuple((p.id, p.name, role_term(p.role), SECTOR_TITLE[p.sector]) for p in c.parties)
    return [
        Para("The parties are set out below. Each is referred to in this Schedule by its "
             "short name, or by its role where it is the only party in that role."),
        Table("Parties", ("Short name", "Legal name", "Role", "Sector"), rows),
    ]


def _term(c: Contract) -> list[Block]:
    years = c.term.years
    rows = tuple((f"Year {y.number}", y.label, words.day(y.start), words.day(y.end))
                 for y in years)
    blocks: list[Block] = [
        Para(f"The Term runs from {words.day(c.term.start)} to {words.day(c.term.end)} and is "
             + ("one Contract Year, referred to by its label." if len(years) == 1 else
                f"divided into {words.count_words(len(years))} Contract Years, each referred "
                "to by its label.")),
        Table("Contract Years", ("Contract Year", "Label", "First day", "Last day"), rows),
    ]
    if needs_dates(c):
        blocks.append(Para(
            "The Contract Years do not start on 1 April, so a label such as "
            f"{years[0].label} does not name a financial year from April to March, nor "
            f"{years[0].label} Q1 the quarter from April to June; each Contract Year, "
            "Quarter and Month is therefore given with its dates wherever it is named."))
    return blocks


def _annual_value(c: Contract) -> list[Block]:
    av = c.annual_value
    assert av is not None
    total = words.money(sum(av.values))
    if av.uniform:
        return [Para(f"The Annual Value is {words.money(av.values[0])} in each Contract Year, "
                     f"{total} over the Term.")]
    rows = tuple((year_name(c, y), words.money(v))
                 for y, v in zip(c.term.years, av.values, strict=True))
    return [
        Para(f"The Annual Value for each Contract Year is set out below, {total} over the Term."),
        Table("Annual Value", ("Contract Year", "Annual Value"), rows, (False, True)),
    ]


def build_document(c: Contract) -> Document:
    """The numbered schedule for contract ``c``."""
    plan = _plan(c)
    numbers = {key: str(i) for i, (key, _) in enumerate(plan, start=1)}

    def ref(key: str) -> str:
        return numbers.get(key, "")

    builders: dict[str, Callable[[], list[Block]]] = {
        "background": lambda: text_paras(c.text),
        "definitions": lambda: _definitions(c, ref),
        "parties": lambda: _parties(c),
        "term": lambda: _term(c),
        "annual_value": lambda: _annual_value(c),
        "outcome_payment": lambda: outcome_payment_clause(c, ref),
        "outcomes": lambda: outcomes_clause(c, ref("datasets")),
        "datasets": lambda: datasets_clause(c),
        "measured": lambda: measured_clause(c, ref),
        "gateways": lambda: gateways_clause(c),
        "capitation": lambda: capitation_clause(c),
        "risk_share": lambda: risk_share_clause(c, ref),
        "rate_card": lambda: rate_card_clause(c),
        "funding": lambda: funding_clause(c),
        "obligations": lambda: obligations_clause(c, ref),
        "matters": lambda: matters_clause(c),
    }
    sections = tuple(Section(title, tuple(builders[key]())) for key, title in plan)
    return numbered(Document(
        title=c.title,
        subtitle=f"Schedule of outcomes, payments and obligations: contract {c.id}, "
                 f"version {c.version}",
        sections=sections,
        contract_id=c.id,
        version=c.version,
    ))
