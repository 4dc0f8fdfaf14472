"""The alliance risk share of each ended year with actual cost data (LANGUAGE.md).

variance = budget − actual cost, the budget being the year's sum (``budget``) or its capitation
payable (``budget capitation``, RECORDS.md; see :func:`year_budget`). A gain pays the members
(1 − commissioner share) of it; a loss is borne by the members at (1 − commissioner share),
capped at the member loss cap. Either way the members' part is split by member shares and
each amount rounded half up to the penny (losses negative). The members' part itself is not
rounded: only the split amounts are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from obc_check.checker.data.money import as_money, percent_of, pounds, round_money, shown_money
from obc_check.checker.data.tables import SpendRow
from obc_check.checker.report.model import RiskShareYear
from obc_check.model import ContractYear, RiskShare


def spend_by_year(rows: Iterable[SpendRow]) -> dict[int, SpendRow]:
    """Actual cost rows by contract year number (the loader admits year periods only)."""
    return {r.period.year: r for r in rows if r.period.kind == "year"}


def year_budget(rs: RiskShare, year: ContractYear,
                capitation: Mapping[str, Fraction]) -> Decimal | None:
    """The year's budget: its sum, or its capitation payable (None: not assessable)."""
    if rs.budget_basis == "capitation":
        found = capitation.get(year.label)
        return None if found is None else as_money(found)
    return rs.budget.for_year(year.number) if rs.budget is not None else None


def risk_share_year(rs: RiskShare, year: ContractYear, spend: SpendRow,
                    budget: Decimal) -> RiskShareYear:
    """One year's gain or loss share against ``budget`` (see :func:`year_budget`)."""
    # exactly: Decimal's default 28 digits would round a large budget's variance
    variance = as_money(Fraction(budget) - Fraction(spend.actual_cost))
    members_rate = 1 - Fraction(rs.commissioner_share)
    cap = rs.member_loss_cap.for_year(year.number) if rs.member_loss_cap else None
    part = abs(Fraction(variance)) * members_rate
    capped = variance < 0 and cap is not None and part > Fraction(cap)
    if capped:
        assert cap is not None
        part = Fraction(cap)
    sign = -1 if variance < 0 else 1
    result = "gain" if variance > 0 else "loss" if variance < 0 else "nil"
    members = {m.party: round_money(sign * part * Fraction(m.share)) for m in rs.members}
    words = [
        f"{year.label}: variance {pounds(variance)} = budget {pounds(budget)}"
        + (" (the year's capitation payable)" if rs.budget_basis == "capitation" else "")
        + f" − actual "
        f"{pounds(spend.actual_cost)} ({spend.ref})",
    ]
    if result == "nil":
        words.append("no gain or loss to share")
    else:
        words.append(f"{result}: members' part {percent_of(members_rate)} of "
                     f"{pounds(variance.copy_abs())}"
                     + (f", capped at the member loss cap {pounds(cap)}" if capped and cap
                        is not None else "")
                     + f" = {pounds(shown_money(part))}")
        words.append(", ".join(f"{m.party} {percent_of(m.share)} = {pounds(members[m.party])}"
                               for m in rs.members))
    return RiskShareYear(
        year=year.label, budget=budget, actual_cost=spend.actual_cost, variance=variance,
        result=result, members_part=shown_money(sign * part), capped=capped,
        member_loss_cap=cap, members=members, derivation="; ".join(words))
