"""The payments table held column by column: the one form evaluation reads.

A ledger can hold millions of invoices. One Python object per row costs seconds and hundreds
of megabytes, so the bundle keeps ``payments`` as a :class:`Ledger`: pyarrow arrays, one per
field of :class:`~obc_check.checker.data.tables.PaymentRow`, with exact types (``amount`` is
``decimal128(38, 2)``, dates are ``date32``; never a float). Every source ends here: the CSV
fast path builds the arrays directly (``columnar_csv``), every other path (JSON, XLSX, the
row-wise CSV validator, a test building a Bundle by hand) goes through :meth:`from_rows`.

A Ledger is still a ``Sequence[PaymentRow]``: ``rows`` materialises the row objects on first
use, for code and tests that want them; evaluation works on the columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any, overload

import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data.tables import PaymentKind, PaymentRow, RowRef

AMOUNT = pa.decimal128(38, 2)
SCHEMA = pa.schema([
    ("payer", pa.string()), ("payee", pa.string()), ("invoice", pa.string()),
    ("amount", AMOUNT), ("received_on", pa.date32()), ("paid_on", pa.date32()),
    ("kind", pa.string()), ("file", pa.dictionary(pa.int32(), pa.string())),
    ("row", pa.int64()), ("sheet", pa.string()), ("period", pa.string()),
])
"""The columns of a ledger: PaymentRow's fields, with its RowRef flattened."""


class Ledger(Sequence[PaymentRow]):
    """The payments of a bundle as one pyarrow table (schema :data:`SCHEMA`)."""

    __slots__ = ("__dict__", "table")

    def __init__(self, table: pa.Table) -> None:
        self.table: pa.Table = table.combine_chunks()

    @classmethod
    def from_rows(cls, rows: Iterable[PaymentRow]) -> Ledger:
        """The ledger of already typed rows (any source other than the CSV fast path)."""
        rows = list(rows)
        cols: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
        for p in rows:
            cols["payer"].append(p.payer)
            cols["payee"].append(p.payee)
            cols["invoice"].append(p.invoice)
            cols["amount"].append(p.amount)
            cols["received_on"].append(p.received_on)
            cols["paid_on"].append(p.paid_on)
            cols["kind"].append(p.kind)
            cols["file"].append(p.ref.file)
            cols["row"].append(p.ref.row)
            cols["sheet"].append(p.ref.sheet)
            cols["period"].append(p.period)
        ledger = cls(pa.table({name: pa.array(cols[name], SCHEMA.field(name).type)
                               for name in SCHEMA.names}, schema=SCHEMA))
        ledger.__dict__["rows"] = tuple(rows)  # already built: keep the very objects
        return ledger

    def column(self, name: str) -> pa.Array:
        """One column as a single array."""
        return self.table.column(name).chunk(0) if self.table.num_rows else pa.array(
            [], SCHEMA.field(name).type)

    def where(self, mask: pa.Array) -> Ledger:
        """The rows where ``mask`` is true, in the same order."""
        return Ledger(self.table.filter(mask))

    def take(self, indices: pa.Array) -> Ledger:
        """The rows at ``indices``, in that order."""
        return Ledger(self.table.take(indices))

    @cached_property
    def rows(self) -> tuple[PaymentRow, ...]:
        """The rows as PaymentRow objects, built once on first use."""
        data = self.table.to_pydict()
        kinds: dict[str, PaymentKind] = {
            "invoice": "invoice", "outcome_share": "outcome_share",
            "outcome_payment": "outcome_payment"}
        amounts: list[Decimal] = data["amount"]
        received: list[dt.date | None] = data["received_on"]
        paid: list[dt.date | None] = data["paid_on"]
        return tuple(
            PaymentRow(payer, payee, invoice, amount, rec, pd, kinds[kind],
                       RowRef(file, row, sheet), period)
            for payer, payee, invoice, amount, rec, pd, kind, file, row, sheet, period in zip(
                data["payer"], data["payee"], data["invoice"], amounts, received, paid,
                data["kind"], data["file"], data["row"], data["sheet"], data["period"],
                strict=True))

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @overload
    def __getitem__(self, index: int) -> PaymentRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[PaymentRow]: ...

    def __getitem__(self, index: int | slice) -> PaymentRow | Sequence[PaymentRow]:
        return self.rows[index]

    def __iter__(self) -> Iterator[PaymentRow]:
        return iter(self.rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Ledger):
            return bool(self.table.equals(other.table))
        if isinstance(other, Sequence):
            return self.rows == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.rows)

    def __repr__(self) -> str:
        return f"Ledger({self.table.num_rows} rows)"


EMPTY = Ledger(SCHEMA.empty_table())


def as_ledger(payments: Sequence[PaymentRow]) -> Ledger:
    """``payments`` as a Ledger (itself, if it is one)."""
    return payments if isinstance(payments, Ledger) else Ledger.from_rows(payments)


def is_true(mask: pa.Array) -> pa.Array:
    """A filter mask with nulls read as false (pyarrow's comparisons yield null on null)."""
    return pc.fill_null(mask, False)
