"""Prompt payment over the ledger's columns: every invoice's due date and status at once.

LANGUAGE.md, "Obligations"; the choices are those of ``obligations`` (docs/checking.md):
rows of kind ``invoice`` with the party as payer and a subcontractor as payee, ordered by
receipt date then reference (a stable sort, so equal keys keep ledger order); due =
received + N calendar days; paid on or before the due date is met, later is breached; a
payment dated after the as-of date has not happened yet; unpaid is breached only once the
as-of date is past the due date ("due before" is strict); an invoice received after the
as-of date is not due. All of it is vectorised; the result is a
:class:`~obc_check.checker.prompt_block.PromptBlock`, not a million objects.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.ledger import Ledger, is_true
from obc_check.checker.money import ZERO, pounds
from obc_check.checker.prompt_block import (
    NO_RECEIPT,
    PAID_IN_TIME,
    PAID_LATE,
    RECEIVED_LATER,
    STATUSES,
    UNPAID_NOT_DUE,
    UNPAID_PAST_DUE,
    PromptBlock,
    join,
    refs,
)
from obc_check.model import Contract, PromptPaymentObligation

_EPOCH = dt.date(1970, 1, 1).toordinal()


def _day(day: dt.date) -> pa.Scalar:
    return pa.scalar(day, pa.date32())


def prompt_block(ob: PromptPaymentObligation, contract: Contract, ledger: Ledger,
                 as_of: dt.date) -> PromptBlock:
    """One row per invoice the party received from a subcontractor."""
    subs = pa.array([p.id for p in contract.parties if p.role == "subcontractor"], pa.string())
    mask = pc.and_(pc.and_(pc.equal(ledger.column("kind"), "invoice"),
                           pc.equal(ledger.column("payer"), ob.party)),
                   pc.is_in(ledger.column("payee"), value_set=subs))
    # only the columns the block keeps, and no copy at all when every row is such an invoice
    invoices = ledger.table.select(["invoice", "payee", "amount", "received_on", "paid_on",
                                    "file", "row", "sheet"])
    mask = is_true(mask)
    if not _all(mask):
        invoices = invoices.filter(mask)
    received, paid = invoices.column("received_on"), invoices.column("paid_on")
    due = pc.cast(pc.cast(pc.add(pc.cast(received, pa.int32()), ob.days), pa.int32()),
                  pa.date32())
    # A due date past 9999-12-31 has no Python date (rows, JUnit, --explain would crash);
    # it is shown as 9999-12-31. No status changes: no as-of or payment date is later.
    due = pc.min_element_wise(due, _day(dt.date.max))
    stamp = _day(as_of)
    paid_by_now = is_true(pc.less_equal(paid, stamp))
    in_time = is_true(pc.less_equal(paid, due))
    why = pc.case_when(
        pc.make_struct(pc.is_null(received), pc.greater(received, stamp),
                       pc.and_(paid_by_now, in_time), paid_by_now,
                       pc.greater(stamp, due)),
        *(pa.scalar(code, pa.int8()) for code in (NO_RECEIPT, RECEIVED_LATER, PAID_IN_TIME,
                                                  PAID_LATE, UNPAID_PAST_DUE)),
        pa.scalar(UNPAID_NOT_DUE, pa.int8()))
    code = {name: pa.scalar(STATUSES.index(name), pa.int8()) for name in STATUSES}
    status = pc.case_when(
        pc.make_struct(pc.equal(why, PAID_IN_TIME),
                       pc.or_(pc.equal(why, PAID_LATE), pc.equal(why, UNPAID_PAST_DUE))),
        code["met"], code["breached"], code["not_due"])
    name = invoices.column("invoice")
    if name.null_count:  # never from a validated ledger; kept for rows built by hand
        name = pc.coalesce(name, join(invoices.column("payee"), " ", refs(invoices)))
    penalty = ob.penalty if ob.penalty is not None else ZERO
    words = f"; penalty {pounds(ob.penalty)}" if ob.penalty is not None else "; no penalty set"
    return PromptBlock(
        obligation=ob.id, party=ob.party, days=ob.days, penalty=penalty, penalty_words=words,
        as_of=as_of, table=pa.table({
            "invoice": name, "payee": invoices.column("payee"),
            "amount": invoices.column("amount"), "received_on": received, "paid_on": paid,
            "due": pc.if_else(pc.is_null(received), pa.scalar(None, pa.date32()), due),
            "status": status, "why": why, "file": invoices.column("file"),
            "row": invoices.column("row"), "sheet": invoices.column("sheet")}))


def _all(mask: pa.Array) -> bool:
    return bool(pc.all(pc.fill_null(mask, False)).as_py())
