"""The "Matters for the main agreement" clause: what a lawyer expects and the language cannot say.

A contract written in the language fixes how much is payable, withheld or borne, and what
each party shall do; it cannot say when money changes hands, how wrong data is put right,
or how a disagreement is settled. Rather than leave those silently absent, the schedule
names them, so the main agreement can be checked for each. Only the matters the contract
gives rise to are listed (a rate-card contract has no risk-share matter).
"""

from __future__ import annotations

from obc_check.model import Contract, PayoutObligation
from obc_check.render.blocks import Block, Para


def _sums(c: Contract) -> list[str]:
    found: list[str] = []
    if c.outcome_payment is not None:
        found.append("the Earned Outcome Payment")
    if c.risk_share is not None:
        found.append("the Alliance Members' amounts under the risk share")
    if c.rate_card is not None:
        found.append("the sums payable under the Rate Card")
    if c.capitation is not None:
        found.append("the Capitation")
    if any(o.penalty is not None for o in c.obligations):
        found.append("Financial Consequences")
    return found


def matters(c: Contract) -> list[str]:
    """Each matter the Agreement must deal with, as one sentence."""
    out: list[str] = []
    sums = _sums(c)
    if sums:
        listed = ", ".join(sums[:-1]) + (" and " if len(sums) > 1 else "") + sums[-1]
        verb = ("is" if len(sums) == 1 and sums[0] in ("the Earned Outcome Payment",
                                                       "the Capitation") else "are")
        # A commissioner's duty to pay (TERMS.md) does set a day, which check assesses.
        payouts = [o.id for o in c.obligations if isinstance(o, PayoutObligation)]
        by_day = (f", and, in obligation{'s' if len(payouts) > 1 else ''} "
                  f"{' and '.join(payouts)}, the last day by which a Commissioner shall pay it"
                  if payouts else "")
        out.append(f"Payment: when and how {listed} {verb} invoiced, paid or deducted, and any "
                   "interest on late payment. This Schedule says only how much is payable or "
                   f"borne for each Contract Year or period{by_day}.")
    out.append("Data: who supplies the data on which this Schedule is assessed, in what form "
               "and by when; how data found to be wrong after an assessment is corrected; and "
               "whether a sum already assessed is then recalculated, paid or recovered.")
    out.append("Disputes: how a disagreement about the data, or about any figure computed "
               "under this Schedule, is resolved, and what is paid meanwhile.")
    out.append("Termination: what is payable for a Contract Year that the Agreement ends "
               "before its last day. This Schedule assesses only periods that have ended.")
    if c.obligations:
        # A cap per year (TERMS.md) is set here and applied by check: only more is for the
        # Agreement.
        capped = [o.id for o in c.obligations if o.penalty_cap is not None]
        beyond = (f" beyond the cap per Contract Year of obligation{'s' if len(capped) > 1 else ''}"
                  f" {' and '.join(capped)}" if capped else "")
        out.append(f"Remedies: whether the Financial Consequences are capped{beyond}, and "
                   "whether a Failure gives rise to any right or remedy other than a Financial "
                   "Consequence.")
    if c.rate_card is not None:
        out.append("Evidence: what evidence shows that an outcome counted under the Rate Card "
                   "was achieved, and who keeps it.")
    out.append("Variation: how this Schedule is varied; each variation is a new version.")
    return out


def matters_clause(c: Contract) -> list[Block]:
    """The clause: a lead-in, then one paragraph per matter."""
    return [Para("This Schedule does not deal with the following matters, which are for the "
                 "Agreement:"), *(Para(text) for text in matters(c))]
