"""A person-level rate card (RECORDS.md) as clauses: how each Claim is decided, and paid.

A rate card without person-level rules is paid from claims too when the data gives them
(RECORDS.md); :func:`plain_claims` says how, for the clause that otherwise pays reported
counts. Every sentence states a rule of ``checker.rules.claims`` in the order the checker applies
it: the order in which Claims are taken, then the five rules, each Claim stopped by the
first that applies. The example of the month rule is computed with the checker's own date
arithmetic (``model.add_months``), so the text and the check cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from obc_check.model import Contract, RateCard, add_months
from obc_check.render import words
from obc_check.render.blocks import Block, Para, Section, Table

_EXAMPLE_STARTS = tuple(dt.date(y, m, d) for y, m, d in (
    (2020, 1, 31), (2020, 3, 31), (2020, 5, 31), (2020, 8, 31), (2020, 10, 31), (2020, 2, 29),
    (2021, 2, 28), (2096, 2, 29)))
"""Start dates tried, in turn, for an example in which the month rule shortens the day."""


def _example(months: int) -> tuple[dt.date, dt.date]:
    """A Start Date and the last day of its window, preferably one the month rule clamps."""
    for start in _EXAMPLE_STARTS:
        end = add_months(start, months)
        if end.day != start.day:
            return start, end
    return _EXAMPLE_STARTS[0], add_months(_EXAMPLE_STARTS[0], months)


def _rows(card: RateCard) -> tuple[tuple[str, ...], ...]:
    rows = []
    for p in card.prices:
        rows.append((p.id, p.title, f"{words.money(p.amount)} per {p.per}",
                     "once" if p.once_per_person else "each time achieved",
                     f"{p.at_most:,}" if p.at_most is not None else "no limit"))
    return tuple(rows)


def _order() -> str:
    return ("Claims are decided one at a time, in order of the day on which the Outcome was "
            "achieved; Claims achieved on the same day in the order of their Outcomes in the "
            "table; and Claims for the same Outcome on the same day in the order of the "
            "Participants' identifiers, compared character by character by the code point "
            "of each character (so that “P10” comes before “P9”). Each Claim is decided by "
            "the first of the rules that follow that applies to it, given the Claims decided "
            "before it.")


def _rules(card: RateCard) -> list[str]:
    out = ["A Claim for an Outcome achieved before the Term starts or after it ends is "
           "rejected, and so, at any assessment, is a Claim for an Outcome achieved after the "
           "day as at which the assessment is made."]
    if card.claim_months is not None:
        n = card.claim_months
        months = "1 month" if n == 1 else f"{n:,} months"
        start, end = _example(n)
        out.append(f"A Claim for an Outcome achieved before the Participant's Start Date, or "
                   f"after the day {months} after it, is rejected; an Outcome achieved on that "
                   f"day itself may be claimed. That day has the same day of the month as the "
                   f"Start Date, or is the last day of its month where that month is shorter "
                   f"(for a Start Date of {words.day(start)} it is {words.day(end)}).")
    if any(p.once_per_person for p in card.prices):
        out.append("An Outcome Payment may be claimed for a Participant only once for each "
                   "Outcome marked “once” in the table: a Claim for such an Outcome is "
                   "rejected if a Claim for the same Participant and Outcome has already been "
                   "paid, in full or in part. A rejected Claim does not count.")
    if any(p.at_most is not None for p in card.prices):
        out.append("A Claim for an Outcome with a limit in the table is rejected once that "
                   "number of Claims for that Outcome has been paid, in full or in part.")
    least = ["the price of its Outcome"]
    if card.person_cap is not None:
        least.append("what the Person Cap leaves for the Participant")
    least.append("what the Rate Card Cap leaves")
    out.append(f"Otherwise the Claim is paid the least of {words.join(least)}. A Claim for "
               "which that is nothing is rejected; a Claim paid less than its price is paid "
               "in part.")
    return out


def claim_clause(c: Contract) -> list[Block]:
    """The rate card of ``c``, paid per Participant from Claims."""
    card = c.rate_card
    assert card is not None
    blocks: list[Block] = [
        Para("Outcome Payments under the Rate Card are paid on Claims. Each Claim is for one "
             "Outcome in the table achieved by one Participant on one day, and is decided as "
             "this clause sets out; a paid Claim is payable for the Contract Year that "
             "contains the day on which its Outcome was achieved."),
        Table("Rate Card", ("Price", "Outcome", "Amount", "Paid per Participant",
                            "Claims paid over the Term"),
              _rows(card), (False, False, True, False, True)),
    ]
    caps = [f"The Rate Card Cap is {words.money(card.cap)}: no more than that sum is payable "
            "under the Rate Card over the whole Term."]
    if card.person_cap is not None:
        caps.append(f"The total payable for any one Participant shall not exceed "
                    f"{words.money(card.person_cap)} (the Person Cap) over the whole Term.")
    blocks.append(Para(" ".join(caps)))
    blocks.append(Section("How Claims are decided",
                          (Para(_order()), *(Para(rule) for rule in _rules(card)))))
    return blocks


def plain_claims(card: RateCard) -> str:
    """How a rate card without person-level rules is paid when its outcomes are claimed.

    RECORDS.md: such a card "is paid from claims when the bundle has claims", by rules 1, 4
    and 5 in the same order as a person-level card's (``checker.rules.claims``), and a card
    is paid from claims or from counts, never both (D060). The words are plain, not the
    defined terms of a person-level card (Claim, Participant), which this card lacks.
    """
    limited = any(p.at_most is not None for p in card.prices)
    rules = ["a claim for an outcome achieved before the Term starts or after it ends is "
             "rejected, and so, at any assessment, is a claim for an outcome achieved after "
             "the day as at which the assessment is made"]
    if limited:
        rules.append("a claim under a price with a limit in the table is rejected once that "
                     "number of claims under that price has been paid, in full or in part")
    rules.append("otherwise the claim is paid the least of its price and what the Rate Card "
                 "Cap leaves, and a claim for which that is nothing is rejected")
    return ("Where the outcomes are claimed one at a time instead of reported as numbers for "
            "periods, the Rate Card is paid on those claims alone. Each claim is for one "
            "outcome under one price achieved by one person on one day. The claims are "
            "decided one at a time, in order of the day on which the outcome was achieved; "
            "claims achieved on the same day in the order of their prices in the table; and "
            "claims under the same price on the same day in the order of the persons' "
            "identifiers, compared character by character by the code point of each "
            "character. Each claim is decided by the first of these rules that applies to "
            "it, given the claims decided before it: " + "; ".join(rules) + ". A paid claim "
            "is payable for the Contract Year that contains the day on which its outcome was "
            "achieved, whether or not that Contract Year has ended.")
