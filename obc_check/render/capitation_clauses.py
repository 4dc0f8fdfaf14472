"""The Capitation clause (RECORDS.md): the tariff as a table, the monthly rule, an illustration.

Each sentence says what ``checker.rules.capitation`` computes: for every Month begun on or
before the day assessed, one twelfth of a Tier's price for each person on the Caseload at the
start of the Month; a Tier's sum for the Contract Year computed exactly and rounded half up to
the penny once; a begun Month with no Caseload reported paying nothing for that Tier. The
illustration runs that rule on a stated caseload (1,000 people in each Tier every Month, and
one more in the last Month), so the single rounding is seen at work; the risk share's
illustration, when its Budget is the Capitation, starts from the same figures
(:func:`illustration_capitation`).
"""

from __future__ import annotations

from fractions import Fraction

from obc_check.model import Capitation, Contract
from obc_check.render import words
from obc_check.render.blocks import Block, Para, Table
from obc_check.render.outcome_clauses import text_paras
from obc_check.render.terms import capitation_payee
from obc_check.render.years import period_name, year_name

#: The illustration's caseload: this many people in each Tier at the start of every Month,
#: and one more at the start of the last Month of the first Contract Year.
ILLUSTRATION_PEOPLE = 1000
MONTHS = 12


def illustration_tier(price: Fraction) -> Fraction:
    """The exact (unrounded) illustration sum of one Tier for the first Contract Year."""
    person_months = ILLUSTRATION_PEOPLE * MONTHS + 1
    return person_months * price / MONTHS


def illustration_capitation(cap: Capitation) -> Fraction:
    """The illustration's Capitation for the first Contract Year: rounded Tier sums added."""
    return sum((Fraction(words.round_pence(illustration_tier(Fraction(t.annual_price))))
                for t in cap.tiers), Fraction(0))


def _monthly(price: Fraction) -> str:
    """One twelfth of a price: to the penny when exact, else to four decimals with ``…``."""
    twelfth = price / MONTHS
    return words.money(twelfth) if words.is_whole_pence(twelfth) else _four(twelfth)


def capitation_clause(c: Contract) -> list[Block]:
    """The tariff, the monthly rule in words, what is missing, and a worked illustration."""
    cap = c.capitation
    assert cap is not None
    payee = capitation_payee(c)
    rows = tuple((t.id, t.title, words.money(t.annual_price),
                  _monthly(Fraction(t.annual_price))) for t in cap.tiers)
    blocks: list[Block] = [
        Para(f"The Capitation is payable to {payee} for each Month of a Contract Year that has "
             "begun, a Month beginning on its first day. For each Month and each Tier, the "
             "Capitation is one twelfth of the Tier's price per person per year for each "
             "person on the Caseload in that Tier at the start of the Month."),
        Table("Capitation tariff", ("Tier", "Description", "Price per person per year",
                                    "Per person per Month"),
              rows, (False, False, True, True),
              notes=("A monthly amount that is not a whole number of pence is shown to four "
                     "decimal places; it is not rounded: only each Tier's sum for a Contract "
                     "Year is.",) if any(not words.is_whole_pence(Fraction(t.annual_price) / 12)
                                        for t in cap.tiers) else ()),
        Para("The Capitation for a Tier for a Contract Year is the sum of its monthly amounts "
             "over the Months of the Contract Year that have begun, computed exactly and "
             "rounded half up to the penny once (not Month by Month). The Capitation for a "
             "Contract Year is the sum of those rounded amounts for every Tier."),
        Para("Where no Caseload is reported for a Tier for a Month that has begun, nothing "
             "is payable for that Tier for that Month while it is not reported. A Caseload "
             "reported for a Month that has not begun is not taken into account until the "
             "Month begins."),
    ]
    blocks.extend(_illustration(c, cap))
    blocks.extend(text_paras(cap.text))
    return blocks


def _illustration(c: Contract, cap: Capitation) -> list[Block]:
    year = c.term.years[0]
    last = year.months()[-1]
    rows: list[tuple[str, ...]] = []
    for t in cap.tiers:
        price = Fraction(t.annual_price)
        exact = illustration_tier(price)
        shown = (words.money(exact) if words.is_whole_pence(exact)
                 else f"{words.money(exact)} (rounded from {_four(exact)})")
        rows.append((t.id, f"{ILLUSTRATION_PEOPLE * MONTHS + 1:,}", words.money(price), shown))
    total = illustration_capitation(cap)
    rows.append(("All Tiers", "", "", words.money(total)))
    people = f"{ILLUSTRATION_PEOPLE:,}"
    return [
        Para(f"Illustration. If {people} people were on the Caseload in each Tier at the "
             f"start of each Month of {year_name(c, year)}, and {ILLUSTRATION_PEOPLE + 1:,} at "
             f"the start of {period_name(c, last)}, each Tier would be paid for "
             f"{ILLUSTRATION_PEOPLE * MONTHS + 1:,} person-Months: one twelfth of its price "
             "for each, the sum rounded half up to the penny once. The Capitation for that "
             f"Contract Year would be {words.money(total)}."),
        Table(f"Illustration: the Capitation for {year.label}",
              ("Tier", "Person-Months", "Price per person per year", "Capitation"),
              tuple(rows), (False, True, True, True)),
    ]


def _four(x: Fraction) -> str:
    """An exact sum to four decimals with ``…``, to show what is rounded."""
    scaled = x * 10_000
    whole = int(scaled)
    pounds, frac = divmod(whole, 10_000)
    return f"£{pounds:,}.{frac:04d}…"
