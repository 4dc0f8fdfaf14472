"""Obligations as "shall" clauses, with how a Failure arises and its Financial Consequence.

Each of the four sentence forms of LANGUAGE.md gets one wording; where an obligation is a
share of money, the sum it comes to is computed exactly from the model and stated too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction

from obc_check.model import (
    Contract,
    FlowDownObligation,
    Obligation,
    PayoutObligation,
    PromptPaymentObligation,
    ReportObligation,
    Sector,
    SpendShareObligation,
)
from obc_check.render import words
from obc_check.render.blocks import Block, Para, Section
from obc_check.render.outcome_clauses import text_paras
from obc_check.render.terms import role_term
from obc_check.render.years import year_name

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
    return words.join([f"{words.money(a)} in {year_name(c, y)}"
                       for y, a in zip(c.term.years, amounts, strict=True)])


def party_name(c: Contract, ident: str, *, start: bool = False) -> str:
    """A party as a duty names it: ``the Lead Provider`` when it alone holds its role.

    With several holders of the role, the role term alone would not say which one is
    bound, so the party is named: ``the Alliance Member OH``.
    """
    party = c.party(ident)
    if party is None:
        return ident
    the = "The" if start else "the"
    term = role_term(party.role)
    if sum(1 for p in c.parties if p.role == party.role) == 1:
        return f"{the} {term}"
    return f"{the} {term} {ident}"


def _report(c: Contract, o: ReportObligation) -> list[str]:
    period = PERIOD_TERM[o.each]
    return [
        f"{party_name(c, o.party, start=True)} shall submit its Return for each {period} no "
        f"later than the {_ordinal(o.working_days)} Working Day after the last day of that "
        f"{period}.",
        "A Return submitted on or before that day meets this obligation. A Return submitted "
        "later, or not submitted by the end of that day, is a Failure.",
    ]


def _spend_share(c: Contract, o: SpendShareObligation, parties_clause: str) -> list[str]:
    """The spend-share duty, as ``checker.rules.obligations.spend_share_rows`` assesses it.

    Every payment by the party to another party of the sector counts, invoice or
    Outcome-Share Payment, in the Contract Year of its date of payment.
    """
    if o.to is not None:  # TERMS.md: only payments to the named party count
        named = party_name(c, o.to)
    else:
        sector = SECTOR_WORDS[o.sector] if o.sector is not None else ""
        payees = [p.id for p in c.parties if p.sector == o.sector and p.id != o.party]
        named = (f"the parties of the {sector} sector named in clause {parties_clause} "
                 f"({words.join(payees)})" if payees else
                 f"parties of the {sector} sector (none is named in this Schedule, so no "
                 "payment counts)")
    first = (f"{party_name(c, o.party, start=True)} shall in each Contract Year pay to {named} "
             f"in total at least {words.percent(o.share)} of the Annual Value for that "
             "Contract Year")
    if c.annual_value is not None:
        amounts = [Fraction(v) * Fraction(o.share) for v in c.annual_value.values]
        first += f", that is at least {_per_year(c, amounts)}"
    return [
        first + f". Every payment to {'that party' if o.to else 'those parties'} counts, "
        "whether of an invoice or an Outcome-Share Payment; a payment counts in the Contract "
        "Year in which it is paid. Payments to any other person do not count.",
        "A Contract Year, once ended, in which the total paid falls short is a Failure.",
    ]


def _prompt(c: Contract, o: PromptPaymentObligation) -> list[str]:
    """As ``checker.rules.prompt_payment``: due = received + N calendar days, due day in time."""
    # the term's first day, or a day late enough that its last day to pay is a date
    example = min(c.term.start, dt.date.max - dt.timedelta(days=o.days))
    due = example + dt.timedelta(days=o.days)
    return [
        f"{party_name(c, o.party, start=True)} shall pay each invoice it receives from a "
        f"Subcontractor no later than the {_ordinal(o.days)} calendar day after the day it "
        f"receives it, that last day included (for example, an invoice received on "
        f"{words.day(example)} is paid in time if it is paid on or before {words.day(due)}).",
        "Each invoice paid later, or still unpaid at the end of that last day, is a Failure.",
    ]


def _flow_down(c: Contract, o: FlowDownObligation) -> list[str]:
    to = "the Subcontractors" if o.to is None else party_name(c, o.to)
    first = (f"{party_name(c, o.party, start=True)} shall pass on to {to} at least "
             f"{words.percent(o.share)} of the Earned Outcome Payment for each Contract Year "
             "(rounded half up to the penny), by Outcome-Share Payments made after the last "
             f"day of that Contract Year and no later than the {_ordinal(o.days)} calendar "
             "day after it, that day included.")
    out = [first]
    if c.outcome_payment is not None:
        amounts = [Fraction(p) * Fraction(o.share) for p in c.outcome_payment.pot]
        out.append(f"If the whole Outcome Payment is earned, that is at least "
                   f"{_per_year(c, amounts)}.")
    if o.to is not None:
        out.append("Only Outcome-Share Payments to that party count.")
    out.append("A shortfall remaining at the end of that last day is a Failure.")
    return out


def _payout(c: Contract, o: PayoutObligation, funding_clause: str) -> list[str]:
    """As ``checker.rules.payout``: due, paid in time, paid and balance of each Contract Year.

    Only ``outcome_payment`` rows from the commissioner with the year as their ``period``
    count, to any payee; an invoice it pays does not.
    """
    if c.funding is not None:
        share = f"its Share of the Payable (clause {funding_clause})"
    else:
        share = "the Payable"
    return [
        f"{party_name(c, o.party, start=True)} shall pay {share} for each Contract Year no "
        f"later than the {_ordinal(o.days)} calendar day after the last day of that Contract "
        "Year, that day included. A payment counts towards it only where it is made on or "
        "before that day and is reported in the payments data as an outcome payment (of kind "
        "“outcome_payment”) for that Contract Year (with that Contract Year as its period), "
        "whichever party it is made to; payments on account made during the Contract Year are "
        "included. No other payment, including the payment of an invoice, counts.",
        "A Contract Year, once that last day has passed, for which the sum so paid falls short "
        f"of {'its Share' if c.funding is not None else 'the Payable'} is a Failure. Any sum "
        "paid by such payments for a Contract Year in excess of it, whenever paid, is "
        "recoverable from the party paid; any shortfall remains owed.",
    ]


def _penalty(c: Contract, o: Obligation) -> list[str]:
    """The Financial Consequence, per Failure or per day late, and its cap per year.

    As ``checker.rules.penalties``: days late run from the due day to the day of submission
    (or of assessment); a year's penalties are taken in order of due date and the one that
    would pass the cap is cut to what is left.
    """
    if o.penalty is None:
        return ["No Financial Consequence applies to a Failure to meet this obligation."]
    payer = party_name(c, o.party)
    if o.penalty_basis == "per_day_late":
        out = [f"Each Failure incurs a Financial Consequence of {words.money(o.penalty)} for "
               "each calendar day from the day the Return was due to the day it is submitted "
               "(or, if it is not submitted, to the date of assessment), payable by "
               f"{payer}; a Return submitted one day late incurs one day's Financial "
               "Consequence."]
    else:
        out = [f"Each Failure incurs a Financial Consequence of {words.money(o.penalty)}, "
               f"payable by {payer}."]
    if o.penalty_cap is not None:
        out.append(f"The Financial Consequences under this obligation for one Contract Year "
                   f"shall not exceed {words.money(o.penalty_cap)} in total. "
                   f"{_cap_year(o)} They are taken in order of the day each Failure's "
                   f"performance was due{_cap_ties(o)}, and a Financial "
                   "Consequence that would take the total above that sum is reduced to what "
                   "remains of it (to nothing once the sum is reached).")
    return out


def _cap_year(o: Obligation) -> str:
    """The Contract Year a Financial Consequence counts in (``penalties.cap_year``).

    A row with a period counts in that period's Contract Year, though its due day (a Return
    for the last Quarter, a flow-down or payout deadline) falls after the year has ended;
    an invoice counts in the year in which it falls due, the first or last year when it
    falls due before or after the Term.
    """
    if isinstance(o, ReportObligation):
        return (f"A Financial Consequence counts in the Contract Year of the "
                f"{PERIOD_TERM[o.each]} the Return is for, even where the Return falls due "
                "after that Contract Year has ended.")
    if isinstance(o, PromptPaymentObligation):
        return ("A Financial Consequence counts in the Contract Year in which the invoice fell "
                "due (the first Contract Year for an invoice due before the Term, the last for "
                "one due after it).")
    return ("A Financial Consequence counts in the Contract Year the Failure is for, even "
            "where the last day for performance falls after that Contract Year has ended.")


def _cap_ties(o: Obligation) -> str:
    """How Failures due on the same day are ordered (``penalties._order``): invoices only.

    The periods of one report, flow-down or payout obligation never share a due day.
    """
    if isinstance(o, PromptPaymentObligation):
        return (", invoices due on the same day in order of their references (compared as "
                "text, character by character)")
    return ""


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``15th``, ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def obligation_clause(c: Contract, o: Obligation, ref: Callable[[str], str]) -> Section:
    """One obligation: the duty, when it is a Failure, and its Financial Consequence."""
    if isinstance(o, ReportObligation):
        sentences = _report(c, o)
    elif isinstance(o, SpendShareObligation):
        sentences = _spend_share(c, o, ref("parties"))
    elif isinstance(o, PromptPaymentObligation):
        sentences = _prompt(c, o)
    elif isinstance(o, PayoutObligation):
        sentences = _payout(c, o, ref("funding"))
    else:
        sentences = _flow_down(c, o)
    sentences.extend(_penalty(c, o))
    blocks: list[Block] = [Para(s) for s in sentences]
    blocks.extend(text_paras(o.text))
    return Section(f"Obligation {o.id}: {o.title}", tuple(blocks))


def obligations_clause(c: Contract, ref: Callable[[str], str]) -> list[Block]:
    """The obligations clause: one sub-clause per obligation."""
    return [obligation_clause(c, o, ref) for o in c.obligations]
