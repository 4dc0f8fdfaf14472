"""Prompt-payment rows held as columns: one row per invoice, without a Python object each.

A ledger of a million invoices gives a million obligation rows. :class:`PromptBlock` keeps
them as pyarrow arrays (invoice, payee, amount, dates, due date, status) computed in bulk by
``prompt_payment.prompt_block``, and produces what each output needs from the columns:
counts and penalties for the summary, the few cells the text table shows, JSON lines built
with vectorised string functions. :meth:`rows` materialises ordinary
:class:`~obc_check.checker.report.rows.ObligationRow` objects, identical to the ones the row-wise
code built, for the formats and callers that walk rows one by one (JUnit, markdown,
``--explain``, tests). Rows stay in ledger order with a sort order beside them, and display
text (derivations, references) is built only for the rows an output writes.

The derivation sentence is the same, word for word, as the one
``obligations._prompt_status`` describes; a test compares the two on every library bundle.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data.ledger import is_true
from obc_check.checker.data.money import ZERO
from obc_check.checker.report.rows import ObligationRow, ObligationStatus, row_json

STATUSES: tuple[ObligationStatus, ...] = ("met", "breached", "not_due")
"""Status codes of the ``status`` column, by index."""

# Why a row has its status, by code (see ``why_codes``).
NO_RECEIPT, RECEIVED_LATER, PAID_IN_TIME, PAID_LATE, UNPAID_PAST_DUE, UNPAID_NOT_DUE = range(6)
STATUS_OF_WHY: tuple[ObligationStatus, ...] = (
    "not_due", "not_due", "met", "breached", "breached", "not_due")
"""The status that each reason code gives, by code."""

CHUNK = 65_536
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


@dataclass(frozen=True, eq=False)
class PromptBlock:
    """The rows of one prompt-payment obligation, ordered by receipt date then reference.

    ``table`` is in ledger order, not in row order: reordering a million rows of text costs
    more than the whole evaluation, and statuses, counts and penalties do not depend on the
    order. ``order`` holds the table's row indices in row order, sorted only when an output
    needs every row; the outputs take the rows they write through it, chunk by chunk, and
    the text report picks the first few breached rows it shows by a partial selection,
    sorting only those few (``indices`` with a limit).
    ``table`` has columns invoice (the reference, or "payee file:row" without one), payee,
    amount (decimal128), received_on, paid_on, due (date32), status (int8 code), and file,
    row, sheet (the RowRef, made text only for the rows written). Why each row has its
    status is worked out again from the dates for the rows whose derivation is written.
    ``status_masks``, when given, holds a null-free boolean mask of the rows of each
    status, as evaluation worked them out: counting them is then a popcount.
    """

    obligation: str
    party: str
    days: int
    penalty: Decimal
    penalty_words: str
    as_of: dt.date
    table: pa.Table
    status_masks: dict[ObligationStatus, pa.Array] | None = field(
        default=None, compare=False, repr=False)

    @cached_property
    def order(self) -> pa.Array:
        """The table's row indices in row order (sorted on first use, then kept)."""
        return row_order(self.table)

    @cached_property
    def _counts(self) -> dict[ObligationStatus, int]:
        """Rows of each status, counted once (the summary, fold lines and totals all ask)."""
        return {}

    @cached_property
    def _firsts(self) -> dict[tuple[ObligationStatus, int], pa.Array]:
        """The first rows of a status, by (status, limit): the table and the list ask."""
        return {}

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def status_mask(self, status: ObligationStatus) -> pa.Array:
        """True on the rows with ``status`` (in ledger order, like ``table``; see ``bits``)."""
        if self.status_masks is not None and status in self.status_masks:
            return bits(self.status_masks[status])
        return bits(pc.equal(self.table.column("status"),
                             pa.scalar(STATUSES.index(status), pa.int8())))

    def count(self, status: ObligationStatus) -> int:
        """How many rows have ``status`` (counted once, then kept: every output asks)."""
        counts = self._counts
        if status not in counts:
            counts[status] = true_count(self.status_mask(status))
        return counts[status]

    def penalties(self) -> Decimal:
        """The penalties of the breached rows (one penalty each)."""
        return self.penalty * self.count("breached") if self.penalty else ZERO

    def indices(self, status: ObligationStatus | None = None,
                limit: int | None = None) -> pa.Array:
        """Table indices of the rows (all, or those with ``status``), in row order.

        Only the first ``limit`` of them when given: a report for people shows a few, and
        never builds the cells or derivations of rows it does not show.
        """
        if status is None:
            order = self.order
        elif "order" in self.__dict__:  # already sorted: pick the rows out of the order
            in_order = pc.take(self.table.column("status"), self.order)
            order = pc.take(self.order, pc.indices_nonzero(
                pc.equal(in_order, pa.scalar(STATUSES.index(status), pa.int8()))))
        elif not self.count(status):  # nothing to pick out (nor a mask to scan)
            return pa.array([], pa.uint64())
        elif limit is not None and 0 <= limit < self.count(status):
            firsts = self._firsts  # a few indices, asked for by the table and the list
            if (status, limit) not in firsts:
                firsts[status, limit] = self._first(self.status_mask(status), limit)
            return firsts[status, limit]
        else:  # sort only these rows (a stable sort keeps their relative order)
            order = self._sorted(pc.indices_nonzero(self.status_mask(status)))
        if limit is not None:
            order = order.slice(0, max(limit, 0))
        return order

    def _sorted(self, chosen: pa.Array) -> pa.Array:
        """The table indices ``chosen`` (rising) in row order; only the sort keys are taken."""
        keys = self.table.select(["received_on", "invoice"]).take(chosen)
        return pc.take(chosen, row_order(keys))

    def _first(self, mask: pa.Array, limit: int) -> pa.Array:
        """Table indices of the first ``limit`` rows of ``mask`` in row order.

        Without sorting them all: the rows among the first ``limit`` all have a receipt date
        no later than the ``limit``-th smallest one (or none: no date sorts first), found by
        a partial selection; only the rows up to that date (a few more than ``limit``, with
        ties) are sorted, then cut to ``limit``. The order is the full sort's.
        """
        received = one_array(self.table.column("received_on"))
        mask = bits(mask)
        undated = bits(pc.and_(mask, pc.is_null(received)))
        left = limit - true_count(undated)
        if left <= 0:
            candidates = undated
        else:
            dated = received.filter(mask)  # nulls among them sort last in the selection
            picked = dated.take(pc.select_k_unstable(dated, left, [("", "ascending")]))
            cutoff = pc.max(picked)
            candidates = pc.or_(undated, bits(pc.and_(mask, pc.less_equal(received, cutoff))))
        return self._sorted(pc.indices_nonzero(candidates)).slice(0, limit)

    def at(self, index: int) -> ObligationRow:
        """The ``index``-th row in row order."""
        return next(self._rows(self.order.slice(index, 1)))

    def label_cells(self, status: ObligationStatus,
                    limit: int | None = None) -> tuple[list[str], list[str]]:
        """Invoice references and ISO due dates of the rows with ``status``, for tables.

        Only the first ``limit`` of them when given.
        """
        rows = self.table.select(["invoice", "due"]).take(self.indices(status, limit))
        due = pc.fill_null(pc.cast(rows.column("due"), pa.string()), "–")
        return rows.column("invoice").to_pylist(), due.to_pylist()

    def rows(self, status: ObligationStatus | None = None,
             limit: int | None = None) -> Iterator[ObligationRow]:
        """The rows as ObligationRow objects (all, or those with ``status``), chunk by chunk.

        Only the first ``limit`` of them when given (see ``indices``).
        """
        return self._rows(self.indices(status, limit))

    def _chunks(self, indices: pa.Array) -> Iterator[pa.Table]:
        """The rows at ``indices``, taken ``CHUNK`` at a time."""
        for start in range(0, len(indices), CHUNK):
            yield self.table.take(indices.slice(start, CHUNK))

    def _rows(self, indices: pa.Array) -> Iterator[ObligationRow]:
        for chunk in self._chunks(indices):
            derivations = self._derivations(chunk).to_pylist()
            cols = chunk.to_pydict()
            for i, derivation in enumerate(derivations):
                st = STATUSES[cols["status"][i]]
                yield ObligationRow(
                    obligation=self.obligation, kind="prompt_payment", party=self.party,
                    invoice=cols["invoice"][i], status=st,
                    penalty=self.penalty if st == "breached" else ZERO, due=cols["due"][i],
                    payee=cols["payee"][i], amount=cols["amount"][i],
                    received_on=cols["received_on"][i], paid_on=cols["paid_on"][i],
                    derivation=derivation)

    def json_chunks(self) -> Iterator[list[str] | str]:
        """The JSON lines of the rows, as ``ObligationRow``'s serialiser writes them.

        Each item is a chunk of lines: one string (lines joined by comma, newline) when built in
        bulk, or a list of single lines when a chunk holds a character JSON must escape,
        which only pydantic's serialiser then writes (the caller does that).
        """
        for chunk in self._chunks(self.order):
            derivations = self._derivations(chunk)
            texts = (chunk.column("invoice"), chunk.column("payee"), derivations)
            if any(pc.any(pc.match_substring_regex(t, _NEEDS_ESCAPE.pattern)).as_py()
                   for t in texts):
                yield list(self._row_chunk(chunk, derivations))
                continue
            yield self._json_lines(chunk, derivations)

    def _row_chunk(self, chunk: pa.Table, derivations: pa.Array) -> Iterator[str]:
        cols = chunk.to_pydict()
        for i, derivation in enumerate(derivations.to_pylist()):
            st = STATUSES[cols["status"][i]]
            yield row_json(ObligationRow(
                obligation=self.obligation, kind="prompt_payment", party=self.party,
                invoice=cols["invoice"][i], status=st,
                penalty=self.penalty if st == "breached" else ZERO, due=cols["due"][i],
                payee=cols["payee"][i], amount=cols["amount"][i],
                received_on=cols["received_on"][i], paid_on=cols["paid_on"][i],
                derivation=derivation))

    def _json_lines(self, chunk: pa.Table, derivations: pa.Array) -> str:
        status = chunk.column("status").combine_chunks()
        breached = pc.equal(status, STATUSES.index("breached"))
        words = pa.array(list(STATUSES), pa.string()).take(status)
        penalty = pc.if_else(breached, f"{self.penalty:.2f}", f"{ZERO:.2f}")
        head = json_text(self.obligation, "prompt_payment", self.party)
        line = join(
            f'    {{"obligation":{head[0]},"kind":{head[1]},"party":{head[2]},"invoice":"',
            chunk.column("invoice"), '","status":"', words, '","penalty":"', penalty, '"',
            optional('"due":"', iso(chunk.column("due")), '"'),
            ',"payee":"', chunk.column("payee"), '","amount":"',
            pc.cast(chunk.column("amount"), pa.string()), '"',
            optional('"received_on":"', iso(chunk.column("received_on")), '"'),
            optional('"paid_on":"', iso(chunk.column("paid_on")), '"'),
            ',"derivation":"', derivations, '"}')
        if isinstance(line, pa.ChunkedArray):
            line = line.combine_chunks()
        lists = pa.ListArray.from_arrays(pa.array([0, len(line)], pa.int32()), line)
        return str(pc.binary_join(lists, ",\n")[0].as_py())

    def _derivations(self, chunk: pa.Table) -> pa.Array:
        """The derivation sentence of each row (``obligations.prompt`` wording)."""
        as_of = self.as_of.isoformat()
        received, paid, due = chunk.column("received_on"), chunk.column("paid_on"), \
            chunk.column("due")
        why = why_codes(received, paid, due, self.as_of)
        status = chunk.column("status").combine_chunks()
        paid_words = join("paid ", iso(paid), ", ", day_words(day_gap(paid, received)),
                          " after receipt")
        reasons = pc.case_when(
            pc.make_struct(*(pc.equal(why, code) for code in range(6))),
            "no received_on date, so it cannot be assessed",
            "received after the as-of date",
            paid_words,
            join(paid_words, ", ", day_words(day_gap(paid, due)), " late"),
            join(f"unpaid at {as_of}, ", day_words(day_gap(pa.scalar(self.as_of), due)),
                 " past due"),
            f"unpaid at {as_of}, not yet due")
        words = pa.array(list(STATUSES), pa.string()).take(status)
        breached = pc.equal(status, STATUSES.index("breached"))
        return join(
            chunk.column("invoice"), " from ", chunk.column("payee"), ", ",
            pounds_column(chunk.column("amount")), ": received ",
            pc.fill_null(iso(received), "?"), f", due within {self.days} days by ",
            pc.fill_null(iso(due), "?"), "; ", reasons, ": ", words,
            pc.if_else(breached, self.penalty_words, ""), " (", refs(chunk), ")")


def why_codes(received: pa.Array | pa.ChunkedArray, paid: pa.Array | pa.ChunkedArray,
              due: pa.Array | pa.ChunkedArray, as_of: dt.date) -> pa.Array:
    """Why each invoice has its status, as a code (``NO_RECEIPT`` ... ``UNPAID_NOT_DUE``).

    ``due`` is null where ``received`` is. The first of these that holds: no receipt date;
    received after the as-of date; paid by the as-of date and by the due date; paid by the
    as-of date (late); the as-of date past the due date (unpaid, breached); else unpaid, not
    yet due. ``STATUS_OF_WHY`` gives the status; ``prompt_payment`` works out the same
    statuses with bitmaps (a test checks they agree).
    """
    stamp = pa.scalar(as_of, pa.date32())
    paid_by_now = is_true(pc.less_equal(paid, stamp))
    in_time = is_true(pc.less_equal(paid, due))
    codes = pc.case_when(
        pc.make_struct(pc.is_null(received), is_true(pc.greater(received, stamp)),
                       pc.and_(paid_by_now, in_time), paid_by_now,
                       is_true(pc.greater(stamp, due))),
        *(pa.scalar(code, pa.int8()) for code in (NO_RECEIPT, RECEIVED_LATER, PAID_IN_TIME,
                                                  PAID_LATE, UNPAID_PAST_DUE)),
        pa.scalar(UNPAID_NOT_DUE, pa.int8()))
    return codes.combine_chunks() if isinstance(codes, pa.ChunkedArray) else codes


def row_order(invoices: pa.Table) -> pa.Array:
    """Indices of the invoices by receipt date then reference (stable: ties keep ledger order).

    Sorting by text is most of the cost of a sort. A ledger whose references already rise
    strictly down the file (a finance system's export, in invoice order) is in reference
    order already, so a stable sort by receipt date alone gives the same order; checking
    that takes one pass.
    """
    received = invoices.column("received_on")
    if received.null_count:  # filling copies the column even without a null to fill
        received = pc.fill_null(received, pa.scalar(dt.date.min, pa.date32()))
    ref = invoices.column("invoice")
    if isinstance(ref, pa.ChunkedArray):
        ref = ref.combine_chunks()
    n = len(ref)
    if n > 1 and not ref.null_count and _all(pc.less(ref.slice(0, n - 1), ref.slice(1))):
        return pc.sort_indices(received)
    return pc.sort_indices(pa.table({"received": received, "invoice": pc.fill_null(ref, "")}),
                           sort_keys=[("received", "ascending"), ("invoice", "ascending")])


def _all(mask: pa.Array) -> bool:
    return bool(pc.all(pc.fill_null(mask, False)).as_py())


def bits(mask: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A boolean mask as one array with nulls read as false, and no validity bitmap.

    Kernels such as ``fill_null``, ``and`` and ``or`` leave an all-valid validity bitmap on
    their result, and a filter or selection by such a mask takes a slower path that checks
    it row by row (2-3x slower). Without a null, the values bitmap alone is the mask: the
    array is rebuilt on that one buffer, without a copy.
    """
    mask = one_array(mask)
    if mask.null_count:
        mask = pc.fill_null(mask, False)
    validity, values = mask.buffers()
    if validity is None:
        return mask
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, values], null_count=0,
                                 offset=mask.offset)


def sum_where(values: pa.Array, mask: pa.Array) -> Decimal:
    """The exact sum of the (decimal) ``values`` where ``mask`` is true; nulls count 0.

    Filtering a million decimals to sum a third of them copies 16 bytes a row and costs
    twice the sum. Instead the mask becomes the validity bitmap of a view of the values (no
    copy: a sum skips what is not valid); when the two do not line up (an offset, a slice),
    the values are filtered.
    """
    mask = bits(mask)
    if values.null_count:
        mask = bits(pc.and_(mask, pc.is_valid(values)))
    if values.offset == 0 and mask.offset == 0 and len(values) == len(mask):
        picked = pa.Array.from_buffers(values.type, len(values),
                                       [mask.buffers()[1], values.buffers()[1]])
    else:
        picked = values.filter(mask)
    total = pc.sum(picked).as_py()
    return total if total is not None else ZERO


def one_array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one array (no copy when it is one chunk already)."""
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def true_count(mask: pa.Array | pa.ChunkedArray) -> int:
    """How many entries of a boolean mask are true (nulls are not): a popcount."""
    if isinstance(mask, pa.ChunkedArray):
        return sum(int(chunk.true_count) for chunk in mask.chunks)
    return int(mask.true_count)


def refs(rows: pa.Table) -> pa.Array:
    """``RowRef`` text of each row: ``file:row`` or ``file[sheet]:row``."""
    file = pc.cast(rows.column("file"), pa.string())
    row = pc.cast(rows.column("row"), pa.string())
    sheet = rows.column("sheet")
    return pc.coalesce(join(file, "[", sheet, "]:", row), join(file, ":", row))


def json_text(*values: str) -> tuple[str, ...]:
    """Each string as a JSON string literal, as pydantic writes it (no ASCII escaping)."""
    import json

    return tuple(json.dumps(v, ensure_ascii=False) for v in values)


def join(*parts: object) -> pa.Array:
    """Element-wise concatenation of string arrays and constants (null if any part is)."""
    arrays = [p if isinstance(p, pa.Array | pa.ChunkedArray | pa.Scalar)
              else pa.scalar(str(p), pa.string()) for p in parts]
    return pc.binary_join_element_wise(*arrays, "", null_handling="emit_null")


def optional(before: str, value: pa.Array, after: str) -> pa.Array:
    """``,`` + ``before value after`` where ``value`` is given, else nothing."""
    return pc.fill_null(join("," + before, value, after), "")


def iso(dates: pa.Array | pa.ChunkedArray) -> pa.Array:
    """ISO ``YYYY-MM-DD`` text of a date32 column (null stays null)."""
    return pc.cast(dates, pa.string())


def day_gap(later: pa.Array | pa.ChunkedArray | pa.Scalar,
            earlier: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Whole days from ``earlier`` to ``later`` (date32 values)."""
    as_days = (pc.cast(later, pa.int32()) if not isinstance(later, pa.Scalar)
               else pa.scalar(later.as_py().toordinal() - dt.date(1970, 1, 1).toordinal(),
                              pa.int32()))
    return pc.subtract(as_days, pc.cast(earlier, pa.int32()))


def day_words(days: pa.Array) -> pa.Array:
    """``1 day`` / ``N days``."""
    return pc.if_else(pc.equal(days, 1), "1 day", join(pc.cast(days, pa.string()), " days"))


def pounds_column(amounts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``money.pounds`` of each amount (``£1,234.50``), for amounts ≥ 0.

    Pounds and pence are split from the exact two-decimal text; the pounds are grouped in
    threes with integer arithmetic. Amounts of a quadrillion pounds or more (never in a real
    ledger) are formatted one by one by ``money.pounds`` itself.
    """
    from obc_check.checker.data.money import pounds

    text = pc.cast(amounts, pa.string())
    if len(text) and pc.max(pc.utf8_length(text)).as_py() > 18:
        return pa.array([pounds(a) for a in amounts.to_pylist()], pa.string())
    whole = pc.cast(pc.utf8_slice_codeunits(text, 0, -3), pa.int64())
    pence = pc.utf8_slice_codeunits(text, -2, 2**31 - 1)
    small = pc.less(whole, 1000)
    grouped = pc.cast(pc.remainder(whole, 1000), pa.string())
    grouped = pc.if_else(small, grouped, pc.utf8_lpad(grouped, width=3, padding="0"))
    level = 1000
    biggest = pc.max(whole).as_py() if len(whole) else 0
    while level <= (biggest or 0):
        part = pc.cast(pc.remainder(pc.divide(whole, level), 1000), pa.string())
        top = pc.less(whole, level * 1000)
        part = pc.if_else(top, part, pc.utf8_lpad(part, width=3, padding="0"))
        grouped = pc.if_else(pc.less(whole, level), grouped, join(part, ",", grouped))
        level *= 1000
    return join("£", grouped, ".", pence)
