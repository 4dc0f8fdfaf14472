"""Contract + data bundle + as-of date → Report: the one public function of the checker.

Each part of a contract is evaluated by its own module (payments, risk, ratecard,
obligations); this module only walks the contract years ended by the as-of date, collects the
rows and derives the overall status (CLI.md): ``breach`` if any obligation is breached, else
``incomplete`` if any assessed indicator (paid, or tested by a gateway) is missing or
insufficient, else ``compliant``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from obc_check.checker.money import ZERO
from obc_check.checker.obligation_rows import ObligationRows, Part
from obc_check.checker.obligations import (
    flow_down_rows,
    report_rows,
    spend_share_rows,
)
from obc_check.checker.payments import YearValues, outcome_payment
from obc_check.checker.prompt_payment import prompt_block
from obc_check.checker.ratecard import rate_card
from obc_check.checker.report import (
    ContractInfo,
    ObligationRow,
    RateCardResult,
    Report,
    ReportStatus,
    RiskShareYear,
    Totals,
    YearPayment,
)
from obc_check.checker.risk import risk_share_year, spend_by_year
from obc_check.checker.tables import Bundle
from obc_check.checker.values import index_indicators
from obc_check.model import (
    Contract,
    FlowDownObligation,
    PromptPaymentObligation,
    ReportObligation,
    SpendShareObligation,
)


def _obligations(contract: Contract, bundle: Bundle, as_of: dt.date,
                 earned: dict[str, YearPayment]) -> Iterator[Part | ObligationRow]:
    for ob in contract.obligations:
        if isinstance(ob, ReportObligation):
            yield from report_rows(ob, contract, bundle.submissions, as_of)
        elif isinstance(ob, SpendShareObligation):
            yield from spend_share_rows(ob, contract, bundle.ledger, as_of)
        elif isinstance(ob, PromptPaymentObligation):
            yield prompt_block(ob, contract, bundle.ledger, as_of)
        elif isinstance(ob, FlowDownObligation):
            yield from flow_down_rows(ob, contract, bundle.ledger, earned, as_of)


def _status(payments: list[YearPayment] | None,
            obligations: ObligationRows) -> tuple[ReportStatus, int, int]:
    breaches = obligations.count("breached")
    incomplete = 0
    for year in payments or []:
        incomplete += sum(1 for i in year.indicators if i.status != "assessed")
        incomplete += sum(1 for g in year.gateways if g.status == "missing")
    status: ReportStatus = ("breach" if breaches else "incomplete" if incomplete
                            else "compliant")
    return status, breaches, incomplete


def evaluate(contract: Contract, bundle: Bundle, as_of: dt.date) -> Report:
    """Evaluate ``bundle`` against ``contract`` as things stood at the end of ``as_of``."""
    ended = [y for y in contract.term.years if y.as_period().ended_by(as_of)]
    payments: list[YearPayment] | None = None
    if contract.outcome_payment is not None:
        values = YearValues(index_indicators(bundle.indicators))
        payments = [outcome_payment(contract, y, values) for y in ended]
    risk: list[RiskShareYear] | None = None
    if contract.risk_share is not None:
        spend = spend_by_year(bundle.spend)
        risk = [risk_share_year(contract.risk_share, y, spend[y.number])
                for y in ended if y.number in spend]
    card: RateCardResult | None = None
    if contract.rate_card is not None:
        card = rate_card(contract, contract.rate_card, bundle.outcomes, as_of)
    earned = {p.year: p for p in payments or []}
    obligations = ObligationRows(_obligations(contract, bundle, as_of, earned))
    penalties = obligations.penalties()
    status, breaches, incomplete = _status(payments, obligations)
    totals = Totals(
        at_risk=sum((p.at_risk for p in payments), ZERO) if payments is not None else None,
        earned=sum((p.earned for p in payments), ZERO) if payments is not None else None,
        gateway_withheld=(sum((p.gateway_withheld for p in payments), ZERO)
                          if payments is not None else None),
        withheld=sum((p.withheld for p in payments), ZERO) if payments is not None else None,
        risk_share_members=(sum((a for r in risk for a in r.members.values()), ZERO)
                            if risk is not None else None),
        rate_card_payable=card.total if card is not None else None,
        penalties=penalties, breaches=breaches, incomplete_indicators=incomplete)
    return Report(
        contract=ContractInfo(id=contract.id, title=contract.title, version=contract.version),
        data=bundle.source, as_of=as_of, status=status, outcome_payment=payments,
        risk_share=risk, rate_card=card, obligations=obligations, penalties=penalties,
        totals=totals)
