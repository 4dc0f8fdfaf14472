"""The typed tables of a data bundle (LANGUAGE.md, Data), as the loader hands them over.

Every row keeps where it came from (:class:`RowRef`), so evaluation can cite the data behind
each figure and the loader can name file, sheet, row and column in errors. The loader
(``checker/data/load.py``) guarantees that what reaches evaluation is valid against the contract:
identifiers exist, periods are in the term and of the right shape, numbers are exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from obc_check.model import Period

PaymentKind = Literal["invoice", "outcome_share", "outcome_payment"]


@dataclass(frozen=True, slots=True)
class RowRef:
    """Where a row came from: file (and sheet for a workbook) and 1-based row number.

    For CSV and XLSX, ``row`` counts the header as row 1, as a spreadsheet shows it; for JSON
    it is the 1-based index in the table's list.
    """

    file: str
    row: int
    sheet: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}[{self.sheet}]" if self.sheet else self.file
        return f"{where}:{self.row}"


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """``indicators``: a value, or numerator and denominator, or all three.

    ``value`` is the exact value to use: for a row with numerator and denominator it is the
    computed one (``100 × n / d`` for percent indicators), already checked against a written
    ``value``. ``value_text`` keeps the written value, if any, for explanations.

    ``exact`` is the same value as a Fraction, and is the one to compute with: a computed
    value such as ``100 × 15 / 21`` has no finite decimal form, so ``value`` then holds it
    to 28 significant digits (it is exact whenever the quotient terminates). The loader
    always sets ``exact``; it defaults to None only so that hand-built rows stay short.
    """

    indicator: str
    period: Period
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    value_text: str | None
    ref: RowRef
    exact: Fraction | None = None


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    """``submissions``: when a return for an obligation's period was submitted."""

    obligation: str
    period: Period
    submitted_on: dt.date | None
    ref: RowRef


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """``payments``: an invoice, an outcome-share payment or a commissioner's outcome payment.

    ``period`` is the contract-year label an ``outcome_payment`` row pays for (TERMS.md), and
    None on every other kind.
    """

    payer: str
    payee: str
    invoice: str | None
    amount: Decimal
    received_on: dt.date | None
    paid_on: dt.date | None
    kind: PaymentKind
    ref: RowRef
    period: str | None = None


@dataclass(frozen=True, slots=True)
class SpendRow:
    """``spend``: the actual cost of a contract year (for the risk share)."""

    period: Period
    actual_cost: Decimal
    ref: RowRef


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """``caseload`` (RECORDS.md): people on the list in a capitation tier at a month's start."""

    price: str
    period: Period
    people: int
    ref: RowRef


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """``outcomes``: how many outcomes of a price were achieved in a period."""

    price: str
    period: Period
    count: int
    ref: RowRef
