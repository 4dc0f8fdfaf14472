"""Prompt payment over the ledger's columns: every invoice's due date and status at once.

LANGUAGE.md, "Obligations"; the choices are those of ``obligations`` (docs/checking.md):
rows of kind ``invoice`` with the party as payer and a subcontractor as payee, ordered by
receipt date then reference (a stable sort, so equal keys keep ledger order); due =
received + N calendar days; paid on or before the due date is met, later is breached; a
payment dated after the as-of date has not happened yet; unpaid is breached only once the
as-of date is past the due date ("due before" is strict); an invoice received after the
as-of date is not due. All of it is vectorised; the result is a
:class:`~obc_check.checker.report.prompt_block.PromptBlock`, not a million objects.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data.ledger import Ledger
from obc_check.checker.data.money import ZERO, pounds
from obc_check.checker.report.prompt_block import PromptBlock, bits, join, one_array, refs
from obc_check.checker.rules.obligations import LedgerMasks
from obc_check.model import Contract, PromptPaymentObligation

_EPOCH = dt.date(1970, 1, 1)
_LAST_DAY = (dt.date.max - _EPOCH).days
"""9999-12-31 as a date32 value (days since 1970-01-01)."""
_INT32 = range(-(2**31), 2**31)


def _day(day: dt.date) -> pa.Scalar:
    return pa.scalar(day, pa.date32())


def due_dates(received: pa.Array, days: int) -> pa.Array:
    """Received + ``days`` (date32; null where received is).

    A due date past 9999-12-31 has no Python date (rows, JUnit, --explain would crash); it
    is shown as 9999-12-31. No status changes: no as-of or payment date is later. Dates are
    added as the int32 day numbers date32 holds (a view, not a copy); a sum out of int32's
    range is an error, as in the cast the general path makes for a ``days`` beyond it.
    """
    if days not in _INT32:
        due = pc.cast(pc.cast(pc.add(pc.cast(received, pa.int32()), days), pa.int32()),
                      pa.date32())
        return pc.if_else(pc.is_null(received), pa.scalar(None, pa.date32()),
                          pc.min_element_wise(due, _day(dt.date.max)))
    due = pc.add_checked(received.view(pa.int32()), pa.scalar(days, pa.int32()))
    latest = pc.max(due).as_py()
    if latest is not None and latest > _LAST_DAY:
        due = pc.min_element_wise(due, pa.scalar(_LAST_DAY, pa.int32()), skip_nulls=False)
    return due.view(pa.date32())


def prompt_block(ob: PromptPaymentObligation, contract: Contract, ledger: Ledger,
                 as_of: dt.date, masks: LedgerMasks | None = None) -> PromptBlock:
    """One row per invoice the party received from a subcontractor.

    ``masks`` shares the ledger's row masks with the evaluation's other obligations.
    Statuses are worked out with bitmaps (boolean arrays: and, or, not are nearly free),
    not with a case analysis per row; the reason behind each status is worked out again
    (``prompt_block.why_codes``) only for the rows whose derivation an output writes.
    """
    masks = masks if masks is not None else LedgerMasks(ledger)
    subs = [p.id for p in contract.parties if p.role == "subcontractor"]
    mask = bits(pc.and_(pc.and_(masks.kind_is("invoice"), masks.payer_is(ob.party)),
                        masks.payee_in(subs)))
    # only the columns the block keeps, and no copy at all when every row is such an invoice
    invoices = ledger.table.select(["invoice", "payee", "amount", "received_on", "paid_on",
                                    "file", "row", "sheet"])
    if mask.false_count:
        invoices = invoices.filter(mask)
    received = one_array(invoices.column("received_on"))
    paid = one_array(invoices.column("paid_on"))
    due = due_dates(received, ob.days)
    stamp = _day(as_of)
    assessed = bits(pc.less_equal(received, stamp))  # received, and by the as-of date
    paid_by_now = bits(pc.less_equal(paid, stamp))
    in_time = bits(pc.less_equal(paid, due))
    past_due = bits(pc.greater(stamp, due))
    met = bits(pc.and_(assessed, pc.and_(paid_by_now, in_time)))
    breached = bits(pc.and_(assessed, pc.or_(pc.and_(paid_by_now, pc.invert(in_time)),
                                             pc.and_(pc.invert(paid_by_now), past_due))))
    not_due = bits(pc.invert(pc.or_(met, breached)))
    # met 0, breached 1, not due 2 (STATUSES): 1 unless met, plus 1 if not due
    status = pc.add(pc.cast(pc.invert(met), pa.int8()), pc.cast(not_due, pa.int8()))
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
            "due": due, "status": status, "file": invoices.column("file"),
            "row": invoices.column("row"), "sheet": invoices.column("sheet")}),
        status_masks={"met": met, "breached": breached, "not_due": not_due})
