"""The Defined Terms clause: each term the schedule uses, defined once.

The schedule's sentences use these terms capitalised ("the Allocation", "a Working Day");
this module decides which of them the contract needs (a rate-card contract has no Floor) and
words each definition, pointing to the clause that gives its figures.
"""

from __future__ import annotations

from collections.abc import Callable

from obc_check.model import (
    Contract,
    FlowDownObligation,
    Party,
    PayoutObligation,
    PromptPaymentObligation,
    ReportObligation,
    Role,
    SpendShareObligation,
)
from obc_check.render import words
from obc_check.render.years import needs_dates, period_name

ROLE_TERM: dict[Role, tuple[str, str]] = {
    "commissioner": ("Commissioner", "Commissioners"),
    "lead_provider": ("Lead Provider", "Lead Providers"),
    "prime_contractor": ("Prime Contractor", "Prime Contractors"),
    "subcontractor": ("Subcontractor", "Subcontractors"),
    "alliance_member": ("Alliance Member", "Alliance Members"),
}


def role_term(role: Role, plural: bool = False) -> str:
    """The Defined Term for a role: ``Lead Provider``, or ``Subcontractors``."""
    return ROLE_TERM[role][1 if plural else 0]


def _role_definitions(parties: tuple[Party, ...],
                      needs_subcontractor: bool) -> list[tuple[str, str]]:
    """One definition per role present, naming the party or parties that hold it.

    Prompt-payment and flow-down obligations speak of Subcontractors even when the contract
    names none, so the term is then defined without names.
    """
    out: list[tuple[str, str]] = []
    if needs_subcontractor and not any(p.role == "subcontractor" for p in parties):
        # The checker counts only parties named with role subcontractor (prompt payment,
        # flow-down): with none named, no invoice or payment to one is assessed.
        out.append(("Subcontractor", "a party that the provider engages to deliver part of "
                                     "the services and that is named as a subcontractor in "
                                     "this Schedule; none is named, so no invoice from or "
                                     "payment to a Subcontractor is assessed under it."))
    for role in ROLE_TERM:
        holders = [p for p in parties if p.role == role]
        if not holders:
            continue
        names = [f"{p.name} ({p.id})" for p in holders]
        if len(holders) == 1:
            out.append((role_term(role), f"{names[0]}."))
        else:
            out.append((role_term(role, plural=True),
                        f"{words.join(names)}, and “{role_term(role)}” means any one of them."))
    return out


def _period_definitions(c: Contract, ref: Callable[[str], str]) -> list[tuple[str, str]]:
    """Term, Contract Year, and the Quarter and Month that data and Returns are given for."""
    years = c.term.years
    out = [("Term", f"the period from {words.day(c.term.start)} to {words.day(c.term.end)}, "
                    "both days included.")]
    dated = " and by its dates" if needs_dates(c) else ""
    if len(years) == 1:
        out.append(("Contract Year", "the period of twelve months that is the Term; it is "
                                     f"referred to by the label given to it in clause "
                                     f"{ref('term')}{dated}."))
    else:
        out.append(("Contract Year",
                    f"each of the {words.count_words(len(years))} consecutive periods of "
                    "twelve months into which the Term is divided, the first starting on the "
                    "first day of the Term; each is referred to by the label given to it in "
                    f"clause {ref('term')}{dated}."))
    # Always both: the Value, the Rate Card and Returns are given for any of the periods.
    first = years[0].quarters()
    out.append(("Quarter", "each of the four consecutive periods of three months into "
                           "which a Contract Year is divided, the first starting on the "
                           "first day of the Contract Year, labelled "
                           f"{period_name(c, first[0])} to {period_name(c, first[-1])} in "
                           "the first Contract Year, and likewise after."))
    first_m = years[0].months()
    out.append(("Month", "each of the twelve consecutive periods of one month into which "
                         "a Contract Year is divided, the first starting on the first day "
                         f"of the Contract Year, labelled {period_name(c, first_m[0])} to "
                         f"{period_name(c, first_m[-1])} in the first Contract Year, and "
                         "likewise after."))
    return out


def value_definition(c: Contract) -> str:
    """What the checker takes as an Indicator's Value, and when it is missing or insufficient.

    Mirrors ``checker.rules.values``: a year's own row is used first (n/d exactly when it has them;
    a ``value`` beside them only cross-checks them); else complete Quarters, then complete
    Months, each with n and d, pooled as Σn/Σd; anything else is missing.
    """
    text = (
        "an Indicator's measured value for a Contract Year, found from the data reported for "
        "it as follows: (a) where one figure is reported for the Contract Year as a whole, "
        "the Value is its numerator divided by its denominator (multiplied by 100 for a "
        "percentage), computed exactly, where it gives them, a value written beside them "
        "serving only to cross-check them (so 5,999 out of 10,000 is a Value of 59.99%, "
        "even where the value is written as 60.0), and otherwise the value reported; "
        "(b) otherwise, where every Quarter of the Contract Year (or, failing that, every "
        "Month) is reported with a numerator and a denominator, the Value is the sum of "
        "their numerators divided by the sum of their denominators (multiplied by 100 for a "
        "percentage), computed exactly. The Value is missing where nothing is reported for "
        "the Contract Year; where the figure for the Contract Year has a numerator and a "
        "denominator of nought and no value; where not every Quarter (nor every Month) of "
        "the Contract Year is reported, or one of them is reported without both a numerator "
        "and a denominator; or where the denominators of the Quarters (or Months) add up to "
        "nought.")
    minimums = sorted({i.minimum_denominator for i in c.all_indicators()
                       if i.minimum_denominator is not None})
    if minimums:
        text += (" Where an Indicator has a minimum denominator, its Value for a Contract "
                 "Year is insufficient where the denominator for the Contract Year (that of "
                 "the figure for the Contract Year, or the sum of the denominators of its "
                 "Quarters or Months) is below that minimum, or is not reported.")
    if any(i.measure is not None for i in c.all_indicators()):
        text += (" For an Indicator with a Measure, the Value is instead computed from the "
                 "records of a Dataset, as its clause sets out, and is not reported.")
    return text


def _payment_definitions(c: Contract, ref: Callable[[str], str]) -> list[tuple[str, str]]:
    """The Outcome Payment and what is earned of it, the Outcomes and the Indicators."""
    out: list[tuple[str, str]] = []
    add = out.append
    if c.annual_value is not None:
        add(("Annual Value", f"the value of this contract for a Contract Year, set out in "
                             f"clause {ref('annual_value')}."))
    if c.outcome_payment is not None:
        add(("Outcome Payment", "the part of the payment for a Contract Year that is payable "
                                "only to the extent that the Outcomes are achieved, set out in "
                                f"clause {ref('outcome_payment')}."))
        paid_in = ref("outcomes") or ref("outcome_payment")
        if c.gateways:
            add(("Indicator Sum", "the sum of the amounts payable for each Indicator for a "
                                  f"Contract Year under clause {paid_in}, before any Gateway."))
            add(("Earned Outcome Payment",
                 "the Indicator Sum for a Contract Year less the sums withheld under the "
                 f"Gateways in clause {ref('gateways')}."))
        else:
            add(("Earned Outcome Payment", "the sum of the amounts payable for each Indicator "
                                           f"for a Contract Year under clause {paid_in}."))
    if c.outcomes:
        add(("Outcome", f"each outcome set out in clause {ref('outcomes')}, referred to by its "
                        "identifier (for example, Outcome "
                        f"{c.outcomes[0].id})."))
        add(("Allocation", "the part of a Contract Year's Outcome Payment that an Indicator may "
                           "earn in that Contract Year: the Outcome Payment multiplied by the "
                           "weight of the Outcome and by the weight of the Indicator within "
                           "the Outcome."))
    indicators = list(c.all_indicators())
    if indicators:
        where = [ref(k) for k in ("outcomes", "measured") if ref(k)]
        clauses = "clauses" if len(where) > 1 else "clause"
        add(("Indicator", f"each measure set out in {clauses} {words.join(where)}, referred to "
                          "by its identifier."))
        add(("Value", value_definition(c)))
    if c.datasets:
        add(("Dataset", f"each table of records set out in clause {ref('datasets')}, referred "
                        "to by its identifier; a record is one row of it."))
    measures = [i.measure for i in indicators if i.measure is not None]
    if measures:
        add(("Measure", "the definition, set out in an Indicator's clause, by which its Value "
                        "is computed from the records of a Dataset."))
    if any(m.shape != "count" for m in measures):
        add(("Denominator", "for an Indicator with a Measure and a Contract Year, the number "
                            "of records (or people) its clause says the Value is taken over."))
    if any(m.shape == "proportion" for m in measures):
        add(("Numerator", "for an Indicator whose Measure is a proportion and a Contract Year, "
                          "the number of the Denominator's records (or people) that its "
                          "clause counts."))
    if any(i.floor is not None for i in indicators):
        add(("Floor", "the level of an Indicator, set for each Contract Year, at or beyond "
                      "which (in the worse direction) nothing is payable for it."))
    if any(i.target is not None for i in indicators):
        add(("Target", "the level of an Indicator, set for each Contract Year, at or beyond "
                       "which (in the better direction) its Allocation is payable in full."))
    if any(i.baseline is not None for i in indicators):
        add(("Baseline", "the Value of an Indicator before the Term, stated for information "
                         "only; it does not affect any payment."))
    if c.gateways:
        add(("Gateway", f"each condition set out in clause {ref('gateways')} which, when not "
                        "met in a Contract Year, withholds a share of the Indicator Sum for "
                        "that Contract Year."))
    return out


#: The roles capitation is paid to, in the order the payee is looked for (``dsl.checks``).
_PAYEE_ROLES: tuple[Role, ...] = ("lead_provider", "prime_contractor", "alliance_member")


def capitation_payee(c: Contract) -> str:
    """Who the Capitation is paid to: ``the Lead Provider``, or ``the Alliance Members``."""
    for role in _PAYEE_ROLES:
        holders = sum(1 for p in c.parties if p.role == role)
        if holders:
            return f"the {role_term(role, plural=holders > 1)}"
    return "the provider"  # E062 stops such a contract compiling; kept total for safety


def _capitation_definitions(c: Contract, ref: Callable[[str], str]) -> list[tuple[str, str]]:
    """Capitation, Caseload and Tier (RECORDS.md)."""
    if c.capitation is None:
        return []
    cl = ref("capitation")
    return [
        ("Capitation", f"the sums payable to {capitation_payee(c)} for the people on the "
                       f"Caseload, worked out as set out in clause {cl}."),
        ("Caseload", f"the number of people on the list of {capitation_payee(c)} in a Tier at "
                     "the start of a Month, as reported for that Tier and Month."),
        ("Tier", f"each complexity tier set out in clause {cl}, with its price per person "
                 "per year, referred to by its identifier."),
    ]


def _finance_definitions(c: Contract, ref: Callable[[str], str]) -> list[tuple[str, str]]:
    """The risk share's and the rate card's terms."""
    out: list[tuple[str, str]] = _capitation_definitions(c, ref)
    add = out.append
    if c.risk_share is not None:
        rs = ref("risk_share")
        if c.risk_share.budget_basis == "capitation":
            add(("Budget", "the Capitation for a Contract Year under clause "
                           f"{ref('capitation')}, as the budget for that Contract Year under "
                           f"clause {rs}."))
        else:
            add(("Budget", f"the budget for a Contract Year set out in clause {rs}."))
        several = sum(1 for p in c.parties if p.role == "commissioner") > 1
        add(("Actual Cost", "the actual cost of the services in a Contract Year, as reported "
                            f"to the {role_term('commissioner', plural=several)}."))
        add(("Variance", "the Budget for a Contract Year less the Actual Cost for it: an "
                         "underspend when positive and an overspend when negative."))
        if c.risk_share.member_loss_cap is not None:
            add(("Member Loss Cap", "the most that the Alliance Members together bear of an "
                                    f"overspend in a Contract Year, set out in clause {rs}."))
    if c.rate_card is not None:
        add(("Rate Card", f"the prices set out in clause {ref('rate_card')}."))
        add(("Rate Card Cap", "the most payable under the Rate Card over the whole Term."))
        if c.rate_card.person_level:
            out.extend(_claim_definitions(c, ref))
    if c.funding is not None or any(isinstance(o, PayoutObligation) for o in c.obligations):
        add(("Payable", payable_definition(c)))
    if c.funding is not None:
        add(("Share", "the part of the Payable for a Contract Year that a Commissioner pays, "
                      f"found as clause {ref('funding')} sets out."))
    return out


def _claim_definitions(c: Contract, ref: Callable[[str], str]) -> list[tuple[str, str]]:
    """The terms of a person-level rate card (RECORDS.md), as ``render.claim_clauses`` uses.

    Participant, Claim, Outcome (unless the outcome payment defines it), Start Date, Person
    Cap.
    """
    card = c.rate_card
    assert card is not None
    rc = ref("rate_card")
    out = [("Participant", "a person for whom Outcomes are claimed under the Rate Card, "
                           "identified in the claims by a unique identifier."),
           ("Claim", "a claim for the Outcome Payment for one Outcome achieved by one "
                     "Participant on one day, decided as clause " + rc + " sets out.")]
    if not c.outcomes:
        out.append(("Outcome", f"each outcome listed in the table of clause {rc}, referred to "
                               "by its identifier."))
    if c.outcome_payment is None:
        out.append(("Outcome Payment", "the sum payable under the Rate Card for a paid Claim."))
    if card.claim_months is not None:
        out.append(("Start Date", "the day on which a Participant started, as recorded for "
                                  "that Participant in the participants data."))
    if card.person_cap is not None:
        out.append(("Person Cap", "the most payable under the Rate Card for any one "
                                  "Participant over the whole Term."))
    return out


def payable_definition(c: Contract) -> str:
    """What the checker adds up as a year's payable (``checker.rules.funding``)."""
    parts = []
    if c.outcome_payment is not None:
        parts.append("the Earned Outcome Payment for it")
    if c.rate_card is not None and c.rate_card.person_level:
        # paid claim by claim when achieved (RECORDS.md): a year in progress has a Payable
        parts.append("the sums payable for it under the Rate Card (for the Claims paid for "
                     "Outcomes achieved in it)")
    elif c.rate_card is not None:
        parts.append("the sums payable for it under the Rate Card (for the periods of it "
                     "that have ended or, where its outcomes are claimed one at a time, for "
                     "the claims paid for outcomes achieved in it)")
    if c.capitation is not None:
        parts.append("the Capitation for it")
    if not parts:
        return ("for a Contract Year, nothing: this Schedule sets no sum payable for "
                "outcomes.")
    return f"for a Contract Year, {words.join(parts)}" + (
        ", added together." if len(parts) > 1 else ".")


def _obligation_definitions(c: Contract, ref: Callable[[str], str]) -> list[tuple[str, str]]:
    """Failure, Financial Consequence, Working Day, Return, Outcome-Share Payment."""
    out: list[tuple[str, str]] = []
    add = out.append
    if not c.obligations:
        return out
    ob = ref("obligations")
    add(("Failure", f"a failure to meet an obligation in clause {ob}, assessed as that "
                    "clause says. A Failure is counted only for the purposes of this "
                    "Schedule and is not of itself a breach of the Agreement."))
    if c.obligations:
        add(("Financial Consequence",
             f"the sum stated in clause {ob} for each Failure to meet an obligation, where a "
             "sum is stated, payable "
             "by the party that owes the obligation, by deduction from the sums otherwise "
             "payable to it under the Agreement. It is the only consequence of a Failure "
             "under this Schedule; whether any other right or remedy arises is a matter for "
             "the Agreement."))
    if any(isinstance(o, ReportObligation) for o in c.obligations):
        add(("Working Day", "a day other than a Saturday, a Sunday or a bank holiday in "
                            "England."))
        add(("Return", f"the report for a period that a party shall submit under clause {ob}."))
    if any(isinstance(o, FlowDownObligation | SpendShareObligation) for o in c.obligations):
        add(("Outcome-Share Payment",
             "a payment by which a party passes on to another a share of what it is paid for "
             "outcomes achieved, reported as such (of kind “outcome_share”) in the payments "
             "data; the payment of an invoice is not an Outcome-Share Payment."))
    return out


def definitions(contract: Contract, ref: Callable[[str], str]) -> list[tuple[str, str]]:
    """(term, meaning) pairs in alphabetical order; ``ref(key)`` gives a clause number."""
    c = contract
    needs_sub = any(isinstance(o, PromptPaymentObligation | FlowDownObligation)
                    for o in c.obligations)
    defs = _role_definitions(c.parties, needs_sub)
    defs += [("Agreement", agreement_definition(c)),
             ("Schedule", "this schedule to the Agreement.")]
    defs += _period_definitions(c, ref)
    defs += _payment_definitions(c, ref)
    defs += _finance_definitions(c, ref)
    defs += _obligation_definitions(c, ref)
    return sorted(defs, key=lambda d: d[0])


def agreement_definition(c: Contract) -> str:
    """The agreement this Schedule belongs to: as the ``agreement`` statement names it."""
    if c.agreement:
        return f"the agreement “{c.agreement}”, of which this Schedule forms part."
    return ("the agreement between the parties of which this Schedule forms part, for "
            f"contract {c.id} (“{c.title}”).")


def status_statement(c: Contract) -> str:
    """Which agreement and which version this Schedule is: the first thing a lawyer checks."""
    return (f"This Schedule is version {c.version} of the schedule of outcomes, payments and "
            f"obligations for contract {c.id} (“{c.title}”) and forms part of the Agreement.")


def interpretation(c: Contract) -> list[str]:
    """The rules of interpretation a lawyer expects after the definitions.

    The bank-holiday source is the one the checker uses (``checker.rules.workdays``: the
    ``holidays`` package, GB, subdivision ENG), so the text names it.
    """
    out = [
        "Headings are for convenience only and do not affect the interpretation of this "
        "Schedule. Words in the singular include the plural and words in the plural include "
        "the singular. The words “including” and “for example” do not limit the words that "
        "come before them.",
        "Money is in pounds sterling. Every amount in this Schedule is exclusive of VAT, "
        "which is payable in addition where it applies.",
    ]
    if any(True for _ in c.all_indicators()):
        out.append("A percentage of a sum is that share of it; a percentage threshold of an "
                   "Indicator is in percentage points.")
    else:
        out.append("A percentage of a sum is that share of it.")
    out.append("Amounts are computed exactly, without intermediate rounding, and rounded to "
               "the penny only where this Schedule says so; “rounded half up to the penny” "
               "means rounded to the nearest penny, a half penny being rounded away from "
               "nought.")
    if any(isinstance(o, ReportObligation) for o in c.obligations):
        out.append("The bank holidays in England are those listed for England (subdivision "
                   "ENG of GB) by the “holidays” software package with which this Schedule "
                   "is assessed, including substitute days and one-off bank holidays.")
    out.append("The charts, worked examples and illustrations in this Schedule are for "
               "information only; where they differ from the text, the text prevails.")
    return out
