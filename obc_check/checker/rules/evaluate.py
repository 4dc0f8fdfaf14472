"""Contract + data bundle + as-of date → Report: the one public function of the checker.

Each part of a contract is evaluated by its own module (payments, risk, ratecard,
obligations); this module only walks the contract years ended by the as-of date, collects the
rows and derives the overall status (CLI.md): ``breach`` if any obligation is breached, else
``incomplete`` if any assessed indicator (paid, or tested by a gateway) is missing or
insufficient, or a begun capitation month has no caseload row, else ``compliant``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from decimal import Decimal

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.ledger import Ledger
from obc_check.checker.data.money import money_total
from obc_check.checker.engine import DatasetCounts
from obc_check.checker.report.model import (
    ByField,
    CapitationYear,
    ContractInfo,
    DatasetSummary,
    RateCardResult,
    Report,
    ReportStatus,
    RiskShareYear,
    Totals,
    YearPayment,
)
from obc_check.checker.report.obligation_rows import ObligationRows, Part
from obc_check.checker.report.prompt_block import PromptBlock
from obc_check.checker.report.rows import ObligationRow
from obc_check.checker.rules.capitation import capitation_budgets, capitation_years
from obc_check.checker.rules.claim_card import claim_rate_card
from obc_check.checker.rules.funding import payer_parts, split_funding, year_payables
from obc_check.checker.rules.obligations import (
    LedgerMasks,
    flow_down_rows,
    report_rows,
    spend_share_rows,
)
from obc_check.checker.rules.payments import YearValues, outcome_payment
from obc_check.checker.rules.payout import payout_rows
from obc_check.checker.rules.penalties import capped
from obc_check.checker.rules.prompt_payment import prompt_block
from obc_check.checker.rules.ratecard import rate_card
from obc_check.checker.rules.risk import risk_share_year, spend_by_year, year_budget
from obc_check.checker.rules.values import index_indicators
from obc_check.model import (
    Contract,
    FlowDownObligation,
    PayoutObligation,
    PromptPaymentObligation,
    ReportObligation,
    SpendShareObligation,
)

LedgerWork = Future[list[Part | ObligationRow]]
"""The rows of one obligation over the ledger, being worked out on a worker thread."""


def _start_ledger_work(contract: Contract, bundle: Bundle, as_of: dt.date,
                       pool: Executor) -> dict[int, LedgerWork]:
    """Start the obligations over the ledger's columns (by ``id`` of the obligation).

    Spend share and prompt payment read a million rows each in pyarrow kernels, which
    release the GIL: on worker threads they run side by side, and beside the outcome
    payments worked out meanwhile. The text masks they share are started first, the
    longest first, so that both workers are busy from the start; an obligation that needs
    a mask still being made waits for it (the masks were taken off the queue before any
    obligation was, so the wait always ends).
    """
    ledger = bundle.ledger
    masks = LedgerMasks(ledger, [p.id for p in contract.parties])
    ledger_obs = [ob for ob in contract.obligations
                  if isinstance(ob, SpendShareObligation | PromptPaymentObligation)]
    if not ledger_obs:
        return {}
    pool.submit(masks.payee_index)
    if any(isinstance(ob, PromptPaymentObligation) for ob in ledger_obs):
        pool.submit(masks.kind_is, "invoice")
    for party in dict.fromkeys(ob.party for ob in ledger_obs):
        pool.submit(masks.payer_is, party)
    return {id(ob): pool.submit(_ledger_rows, ob, contract, ledger, as_of, masks)
            for ob in ledger_obs}


def _ledger_rows(ob: SpendShareObligation | PromptPaymentObligation, contract: Contract,
                 ledger: Ledger, as_of: dt.date,
                 masks: LedgerMasks) -> list[Part | ObligationRow]:
    if isinstance(ob, SpendShareObligation):
        return list(spend_share_rows(ob, contract, ledger, as_of, masks))
    return [prompt_block(ob, contract, ledger, as_of, masks)]


def _obligations(contract: Contract, bundle: Bundle, as_of: dt.date,
                 earned: dict[str, YearPayment], owed: dict[str, dict[str, Decimal]],
                 work: dict[int, LedgerWork]) -> Iterator[Part | ObligationRow]:
    """The rows of every obligation in contract order (those over the ledger from ``work``).

    ``owed`` is each commissioner's part of each year's payable, for the payout duty. Rows
    held as lists have their penalties capped per year here (``penalties.capped``).
    """
    for ob in contract.obligations:
        if id(ob) in work:
            parts = work[id(ob)].result()
            if ob.penalty_cap is None:
                yield from parts
            else:  # a cap per year orders the breaches by due date: rows, not columns
                yield from capped(ob, contract, _rows_of(parts))
        elif isinstance(ob, ReportObligation):
            yield from capped(ob, contract, report_rows(ob, contract, bundle.submissions,
                                                        as_of))
        elif isinstance(ob, FlowDownObligation):
            yield from capped(ob, contract, flow_down_rows(ob, contract, bundle.ledger, earned,
                                                           as_of))
        elif isinstance(ob, PayoutObligation):
            yield from capped(ob, contract, payout_rows(ob, contract, bundle.ledger,
                                                        owed.get(ob.party, {}), as_of))


def _rows_of(parts: list[Part | ObligationRow]) -> Iterator[ObligationRow]:
    """The rows of an obligation's parts, a columnar block materialised."""
    for part in parts:
        if isinstance(part, ObligationRow):
            yield part
        elif isinstance(part, PromptBlock):
            yield from part.rows()
        else:
            yield from part


def payable_sources(payments: list[YearPayment] | None, card: RateCardResult | None,
                    capitation: list[CapitationYear] | None) -> list[dict[str, Decimal]]:
    """Each kind of payable by year label (TERMS.md), for the funding split.

    The earned outcome payment after gateways, the rate card's payable and the capitation
    payable of each year; a new kind of payable joins as one more mapping.
    """
    sources: list[dict[str, Decimal]] = []
    if payments is not None:
        sources.append({p.year: p.earned for p in payments})
    if card is not None:
        sources.append({y.year: y.payable for y in card.years})
    if capitation is not None:
        sources.append({y.year: y.payable for y in capitation})
    return sources


def _status(payments: list[YearPayment] | None, obligations: ObligationRows,
            missing_months: int) -> tuple[ReportStatus, int, int]:
    breaches = obligations.count("breached")
    incomplete = 0
    for year in payments or []:
        incomplete += sum(1 for i in year.indicators if i.status != "assessed")
        incomplete += sum(1 for g in year.gateways if g.status in ("missing", "insufficient"))
    status: ReportStatus = ("breach" if breaches else "incomplete"
                            if incomplete or missing_months else "compliant")
    return status, breaches, incomplete


def evaluate(contract: Contract, bundle: Bundle, as_of: dt.date,
             measured: Mapping[str, DatasetCounts] | None = None) -> Report:
    """Evaluate ``bundle`` against ``contract`` as things stood at the end of ``as_of``.

    ``measured`` holds the engine's counts for each dataset of the bundle (``check_bundle``
    runs the engine); without it, measured indicators are missing in every year.
    """
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="obc-ledger") as pool:
        return _evaluate(contract, bundle, as_of, _start_ledger_work(contract, bundle, as_of,
                                                                     pool), measured or {})


def _datasets(contract: Contract, measured: Mapping[str, DatasetCounts]
              ) -> list[DatasetSummary] | None:
    """The report's ``datasets`` list: each dataset of the bundle, in contract order."""
    if not contract.datasets:
        return None
    return [DatasetSummary(dataset=ds.id, records=measured[ds.id].records,
                           by={b: ByField(unplaced=c.unplaced, outside_term=c.outside_term)
                               for b, c in measured[ds.id].by.items()})
            for ds in contract.datasets if ds.id in measured]


def _evaluate(contract: Contract, bundle: Bundle, as_of: dt.date,
              work: dict[int, LedgerWork], measured: Mapping[str, DatasetCounts]) -> Report:
    ended = [y for y in contract.term.years if y.as_period().ended_by(as_of)]
    payments: list[YearPayment] | None = None
    if contract.outcome_payment is not None:
        values = YearValues(index_indicators(bundle.indicators), measured)
        payments = [outcome_payment(contract, y, values) for y in ended]
    capitation: list[CapitationYear] | None = None
    if contract.capitation is not None:
        capitation = capitation_years(contract, contract.capitation, bundle.caseload, as_of)
    risk: list[RiskShareYear] | None = None
    unassessed: list[str] | None = None
    if contract.risk_share is not None:
        rs = contract.risk_share
        spend = spend_by_year(bundle.spend)
        budgets = capitation_budgets(capitation or [])
        risk = [risk_share_year(rs, y, spend[y.number], budget) for y in ended
                if y.number in spend and (budget := year_budget(rs, y, budgets)) is not None]
        if rs.budget_basis == "capitation":
            unassessed = [y.label for y in ended if y.label not in budgets]
    card: RateCardResult | None = None
    if contract.rate_card is not None and (contract.rate_card.person_level
                                           or bundle.claims is not None):
        card = claim_rate_card(contract, contract.rate_card, bundle.claims,
                               bundle.participants, as_of)
    elif contract.rate_card is not None:
        card = rate_card(contract, contract.rate_card, bundle.outcomes, as_of)
    earned = {p.year: p for p in payments or []}
    payables = year_payables(contract.term.years, payable_sources(payments, card, capitation))
    funding = (split_funding(contract.funding, payables) if contract.funding is not None
               else None)
    commissioners = [p.id for p in contract.parties if p.role == "commissioner"]
    owed = payer_parts(contract.funding, commissioners, payables, funding)
    obligations = ObligationRows(_obligations(contract, bundle, as_of, earned, owed, work))
    penalties = obligations.penalties()
    missing_months = sum(len(t.missing) for y in capitation or [] for t in y.tiers)
    status, breaches, incomplete = _status(payments, obligations, missing_months)
    totals = Totals(
        at_risk=money_total(p.at_risk for p in payments) if payments is not None else None,
        earned=money_total(p.earned for p in payments) if payments is not None else None,
        gateway_withheld=(money_total(p.gateway_withheld for p in payments)
                          if payments is not None else None),
        withheld=money_total(p.withheld for p in payments) if payments is not None else None,
        risk_share_members=(money_total(a for r in risk for a in r.members.values())
                            if risk is not None else None),
        rate_card_payable=card.total if card is not None else None,
        capitation_payable=(money_total(y.payable for y in capitation)
                            if capitation is not None else None),
        penalties=penalties, breaches=breaches, incomplete_indicators=incomplete,
        capitation_missing_months=missing_months)
    return Report(
        contract=ContractInfo(id=contract.id, title=contract.title, version=contract.version),
        data=bundle.source, as_of=as_of, status=status, outcome_payment=payments,
        risk_share=risk, risk_share_not_assessed=unassessed, rate_card=card,
        capitation=capitation, funding=funding, obligations=obligations,
        penalties=penalties, totals=totals,
        datasets=_datasets(contract, measured))
