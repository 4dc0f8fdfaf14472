"""The fast payment-row builder builds exactly what the dataclass constructors build."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from obc_check.checker.data import fastrows
from obc_check.checker.data.tables import PaymentRow, RowRef


def test_fast_builder_equals_constructor() -> None:
    args = ("OH", "MIND", "INV-1", Decimal("12.50"), dt.date(2015, 6, 1), None, "invoice")
    fast = fastrows.payment_row(*args, "p.csv", 7, None)
    slow = PaymentRow(*args, RowRef("p.csv", 7, None))
    assert fast == slow
    assert hash(fast.ref) == hash(slow.ref)
    assert type(fast) is PaymentRow
    assert fastrows.payment_row is not fastrows._constructors  # the fast path is in use
    try:
        fast.amount = Decimal(1)  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a fast-built row must stay frozen")
