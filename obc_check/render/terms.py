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
    PromptPaymentObligation,
    ReportObligation,
    Role,
)
from obc_check.render import words

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
        out.append(("Subcontractor", "a party that the provider engages to deliver part of "
                                     "the services; none is named in this contract."))
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


def definitions(contract: Contract, ref: Callable[[str], str]) -> list[tuple[str, str]]:
    """(term, meaning) pairs in alphabetical order; ``ref(key)`` gives a clause number."""
    c = contract
    years = c.term.years
    defs: list[tuple[str, str]] = []
    add = defs.append
    needs_sub = any(isinstance(o, PromptPaymentObligation | FlowDownObligation)
                    for o in c.obligations)
    defs.extend(_role_definitions(c.parties, needs_sub))
    add(("Term", f"the period from {words.day(c.term.start)} to {words.day(c.term.end)}, "
                 "both days included."))
    if len(years) == 1:
        add(("Contract Year", "the period of twelve months that is the Term; it is referred "
                              f"to by the label given to it in clause {ref('term')}."))
    else:
        add(("Contract Year",
             f"each of the {words.count_words(len(years))} consecutive periods of twelve "
             "months into which the Term is divided, the first starting on the first day of "
             f"the Term; each is referred to by the label given to it in clause {ref('term')}."))
    each = {o.each for o in c.obligations if isinstance(o, ReportObligation)}
    # The definition of Value speaks of Quarters and Months, so any indicator needs both.
    if any(True for _ in c.all_indicators()):
        each |= {"quarter", "month"}
    if "quarter" in each:
        first = years[0].quarters()
        add(("Quarter", "each of the four consecutive periods of three months into which a "
                        f"Contract Year is divided, labelled {first[0].label} to "
                        f"{first[-1].label} in the first Contract Year, and likewise after."))
    if "month" in each:
        first_m = years[0].months()
        add(("Month", "each of the twelve consecutive periods of one month into which a "
                      f"Contract Year is divided, labelled {first_m[0].label} to "
                      f"{first_m[-1].label} in the first Contract Year, and likewise after."))
    if c.annual_value is not None:
        add(("Annual Value", f"the value of this contract for a Contract Year, set out in "
                             f"clause {ref('annual_value')}."))
    if c.outcome_payment is not None:
        add(("Outcome Payment", "the part of the payment for a Contract Year that is payable "
                                "only to the extent that the Outcomes are achieved, set out in "
                                f"clause {ref('outcome_payment')}."))
        add(("Earned Outcome Payment",
             "the sum of the amounts payable for each Indicator for a Contract Year under "
             f"clause {ref('outcomes')}, less any sum withheld under a Gateway."))
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
        add(("Value", "an Indicator's measured value for a Contract Year: the figure reported "
                      "for the Contract Year or, where instead every Quarter (or every Month) "
                      "of the Contract Year is reported with a numerator and a denominator, "
                      "the sum of the numerators divided by the sum of the denominators "
                      "(multiplied by 100 for a percentage). The Value is missing where "
                      "nothing is reported for the Contract Year or not every period of it "
                      "is reported."))
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
                        "met in a Contract Year, withholds part of the Outcome Payment earned "
                        "for that Contract Year."))
    if c.risk_share is not None:
        rs = ref("risk_share")
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
    if c.obligations:
        ob = ref("obligations")
        add(("Breach", f"a failure to meet an obligation in clause {ob}, assessed as that "
                       "clause says."))
        if any(o.penalty is not None for o in c.obligations):
            add(("Penalty", f"the sum stated in clause {ob} for each Breach of an obligation."))
        if any(isinstance(o, ReportObligation) for o in c.obligations):
            add(("Working Day", "a day other than a Saturday, a Sunday or a bank holiday in "
                                "England."))
    return sorted(defs, key=lambda d: d[0])
