"""The commissioner's duty to pay, and reconciliation (TERMS.md).

``C shall pay its share of earned payments within N days of year end``: one row per ended
contract year. **due** is the commissioner's part of the year's payable (``funding``, or the
whole payable for a sole commissioner); **paid in time** sums the ``payments`` rows with
``payer`` = C, ``kind`` = ``outcome_payment`` and ``period`` = the year's label paid on or
before the year end + N days (payments on account during the year included); **paid** sums
every such row paid on or before the as-of date. A row paid after the as-of date counts in
neither. Status: ``met`` if paid in time ≥ due; else ``breached`` if the year end + N days
is before the as-of date; else ``not_due``. ``balance`` = paid − due: negative is still
owed to the provider, positive is recoverable from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal

from obc_check.checker.data.ledger import Ledger
from obc_check.checker.data.money import ZERO, money_total, pounds
from obc_check.checker.report.rows import ObligationRow, ObligationStatus
from obc_check.checker.rules.obligations import LedgerMasks
from obc_check.checker.rules.penalties import penalty_of, penalty_words
from obc_check.checker.rules.workdays import add_days
from obc_check.model import Contract, PayoutObligation


def payout_rows(ob: PayoutObligation, contract: Contract, ledger: Ledger,
                due_by_year: Mapping[str, Decimal], as_of: dt.date,
                masks: LedgerMasks | None = None) -> Iterator[ObligationRow]:
    """One row per contract year ended by ``as_of`` (see the module doc).

    ``due_by_year`` is the commissioner's part of each year's payable; a year it does not
    list has nothing due. Outcome payments are a handful of ledger rows: they are picked out
    of the columns, then summed as rows.
    """
    masks = masks if masks is not None else LedgerMasks(ledger)
    mine = [p for p in ledger.where(masks.kind_is("outcome_payment"))
            if p.payer == ob.party and p.paid_on is not None and p.paid_on <= as_of]
    for y in contract.term.years:
        if not y.as_period().ended_by(as_of):
            continue
        window = add_days(y.end, ob.days)  # 9999-12-31 at the latest, as for flow-down
        rows = [p for p in mine if p.period == y.label]
        on_time = [p for p in rows if p.paid_on is not None and p.paid_on <= window]
        in_time = money_total(p.amount for p in on_time)
        paid = money_total(p.amount for p in rows)
        due = due_by_year.get(y.label, ZERO)
        status: ObligationStatus
        if in_time >= due:
            status = "met"
        elif window < as_of:
            status = "breached"
        else:
            status = "not_due"
        balance = paid - due
        owed = ("still owed to the provider" if balance < 0 else
                "overpaid, recoverable from the provider" if balance > 0 else "settled")
        words = (f"{y.label}: due {pounds(due)} ({ob.party}'s part of the year's payable); "
                 f"paid in time (by {window.isoformat()}): {pounds(in_time)} over "
                 f"{len(on_time)} payment{'s' if len(on_time) != 1 else ''}; paid by "
                 f"{as_of.isoformat()}: {pounds(paid)}; balance {pounds(balance)} ({owed})")
        if status == "not_due":
            words += f"; {ob.days} days after the year end have not passed"
        penalty = penalty_of(ob, status)
        yield ObligationRow(
            obligation=ob.id, kind="payout", party=ob.party, period=y.label, status=status,
            penalty=penalty, due=window, required=due, actual=in_time, paid=paid,
            balance=balance,
            derivation=f"{words} → {status}{penalty_words(ob, status, penalty)}")
