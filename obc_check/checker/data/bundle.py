"""A data bundle: its typed tables together, as the loader hands them to evaluation.

Apart from the row types (``tables``) because it holds ``payments`` as a
:class:`~obc_check.checker.data.ledger.Ledger`, and the ledger is built from those rows:
rows → ledger → bundle, one way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from obc_check.checker.data.claims import ClaimTable, ParticipantTable
from obc_check.checker.data.datasets import DatasetTable
from obc_check.checker.data.ledger import Ledger, as_ledger
from obc_check.checker.data.tables import (
    CaseloadRow,
    IndicatorRow,
    OutcomeRow,
    PaymentRow,
    SpendRow,
    SubmissionRow,
)


@dataclass(frozen=True)
class Bundle:
    """Every table of LANGUAGE.md and RECORDS.md; an absent one is empty (or None).

    ``caseload``, ``claims`` and ``participants`` are RECORDS.md's; the last two are held as
    columns and are None when the bundle has no such table.

    ``payments`` is always held as a columnar :class:`~obc_check.checker.data.ledger.Ledger` (a
    ledger may have millions of rows); rows given as PaymentRow objects, as tests build
    bundles, are converted here, in one place. It still reads as a sequence of PaymentRow.
    """

    source: str
    indicators: tuple[IndicatorRow, ...] = ()
    submissions: tuple[SubmissionRow, ...] = ()
    payments: Sequence[PaymentRow] = ()
    spend: tuple[SpendRow, ...] = ()
    outcomes: tuple[OutcomeRow, ...] = ()
    caseload: tuple[CaseloadRow, ...] = ()
    claims: ClaimTable | None = None
    participants: ParticipantTable | None = None
    present: frozenset[str] = field(default_factory=frozenset)
    datasets: Mapping[str, DatasetTable] = field(default_factory=dict)
    """Each dataset of the contract whose table is in the bundle (RECORDS.md)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "payments", as_ledger(self.payments))

    @property
    def ledger(self) -> Ledger:
        """The payments table, columnar."""
        assert isinstance(self.payments, Ledger)
        return self.payments
