"""One obligation row of a report, and its JSON line: what every row block yields.

Below the Report model and the row blocks (``obligation_rows``, ``prompt_block``), which all
need it, so that none of them imports another in a circle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import PlainSerializer, TypeAdapter

Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
ObligationStatus = Literal["met", "breached", "not_due"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ObligationRow:
    """One assessable instance of an obligation: a period, a year or an invoice.

    A slotted dataclass rather than a model: a ledger of a million invoices gives a million
    rows, and pydantic serialises dataclass instances without copying or re-validating them.
    Evaluation builds every row from typed values, so nothing is lost.
    """

    obligation: str
    kind: Literal["report", "spend_share", "prompt_payment", "flow_down", "payout"]
    party: str
    period: str | None = None
    invoice: str | None = None
    status: ObligationStatus
    penalty: Money
    due: dt.date | None = None
    submitted_on: dt.date | None = None
    payee: str | None = None
    amount: Money | None = None
    received_on: dt.date | None = None
    paid_on: dt.date | None = None
    required: Money | None = None
    actual: Money | None = None
    balance: Money | None = None
    """Payout rows (TERMS.md): paid by the as-of date − due; negative is still owed to the
    provider, positive was overpaid and is recoverable from it."""
    paid: Money | None = None
    """Payout rows: everything paid for the year by the as-of date, in time or late."""
    days_late: int | None = None
    """Breached rows of a ``per day late`` penalty: the calendar days the penalty counts."""
    derivation: str


_ROW_JSON: TypeAdapter[ObligationRow] = TypeAdapter(ObligationRow)


def row_json(row: ObligationRow) -> str:
    """One obligation row as the report's compact, indented JSON line (None fields left out)."""
    return "    " + _ROW_JSON.dump_json(row, exclude_none=True).decode()
