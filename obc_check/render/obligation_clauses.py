"""Obligations as "shall" clauses, with how a Breach arises and the Penalty it carries.

Each of the four sentence forms of LANGUAGE.md gets one wording; where an obligation is a
share of money, the sum it comes to is computed exactly from the model and stated too.
"""

from __future__ import annotations

from fractions import Fraction

from obc_check.model import (
    Contract,
    FlowDownObligation,
    Obligation,
    PromptPaymentObligation,
    ReportObligation,
    Sector,
    SpendShareObligation,
)
from obc_check.render import words
from obc_check.render.blocks import Block, Para, Section
from obc_check.render.outcome_clauses import text_paras

SECTOR_WORDS: dict[Sector, str] = {
    "nhs": "NHS",
    "voluntary": "voluntary",
    "private": "private",
    "local_authority": "local authority",
    "central_government": "central government",
    "philanthropic": "philanthropic",
}

PERIOD_TERM = {"quarter": "Quarter", "month": "Month", "year": "Contract Year"}


def _per_year(c: Contract, amounts: list[Fraction]) -> str:
    """``£X in each Contract Year`` or ``£X in 2015/16, £Y in 2016/17 …``."""
    if len(set(amounts)) == 1:
        return f"{words.money(amounts[0])} in each Contract Year"
    return words.join([f"{words.money(a)} in {y.label}"
                       for y, a in zip(c.term.years, amounts, strict=True)])


def _report(o: ReportObligation) -> list[str]:
    period = PERIOD_TERM[o.each]
    return [
        f"{o.party} shall submit its return for each {period} no later than the "
        f"{_ordinal(o.working_days)} Working Day after the end of that {period}.",
        "A return submitted on or before that day meets this obligation. A return submitted "
        "later, or not submitted by that day, is a Breach.",
    ]


def _spend_share(c: Contract, o: SpendShareObligation) -> list[str]:
    sector = SECTOR_WORDS[o.sector]
    first = (f"{o.party} shall in each Contract Year pay to parties in the {sector} sector in "
             f"total at least {words.percent(o.share)} of the Annual Value for that Contract "
             "Year")
    if c.annual_value is not None:
        amounts = [Fraction(v) * Fraction(o.share) for v in c.annual_value.values]
        first += f", that is at least {_per_year(c, amounts)}"
    return [
        first + ". A payment counts in the Contract Year in which it is paid.",
        "A Contract Year, once ended, in which the total paid falls short is a Breach.",
    ]


def _prompt(o: PromptPaymentObligation) -> list[str]:
    return [
        f"{o.party} shall pay each invoice it receives from a Subcontractor within "
        f"{_days(o.days)} of the day it receives it.",
        "Each invoice paid later, or still unpaid after that time, is a Breach.",
    ]


def _flow_down(c: Contract, o: FlowDownObligation) -> list[str]:
    first = (f"{o.party} shall pass on to its Subcontractors at least "
             f"{words.percent(o.share)} of the Earned Outcome Payment for each Contract Year "
             "(rounded half up to the penny), by outcome-share payments made after the end of "
             f"that Contract Year and within {_days(o.days)} of it.")
    out = [first]
    if c.outcome_payment is not None:
        amounts = [Fraction(p) * Fraction(o.share) for p in c.outcome_payment.pot]
        out.append(f"If the whole Outcome Payment is earned, that is at least "
                   f"{_per_year(c, amounts)}.")
    out.append(f"A shortfall remaining when those {_days(o.days)} have passed is a Breach."
               if o.days != 1 else "A shortfall remaining when that day has passed is a Breach.")
    return out


def _days(n: int) -> str:
    """``1 day`` or ``30 days``: a clause reads as English for any N."""
    return "1 day" if n == 1 else f"{n:,} days"


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``15th``, ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def obligation_clause(c: Contract, o: Obligation) -> Section:
    """One obligation: the duty, when it is breached, and its Penalty."""
    if isinstance(o, ReportObligation):
        sentences = _report(o)
    elif isinstance(o, SpendShareObligation):
        sentences = _spend_share(c, o)
    elif isinstance(o, PromptPaymentObligation):
        sentences = _prompt(o)
    else:
        sentences = _flow_down(c, o)
    if o.penalty is not None:
        sentences.append(f"Each Breach incurs a Penalty of {words.money(o.penalty)}.")
    else:
        sentences.append("No Penalty applies to a Breach of this obligation.")
    blocks: list[Block] = [Para(s) for s in sentences]
    blocks.extend(text_paras(o.text))
    return Section(f"Obligation {o.id}: {o.title}", tuple(blocks))


def obligations_clause(c: Contract) -> list[Block]:
    """The obligations clause: one sub-clause per obligation."""
    return [obligation_clause(c, o) for o in c.obligations]
