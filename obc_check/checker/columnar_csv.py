"""The fast path for a big ``payments.csv``: read and validate it in bulk, with pyarrow.

Every cell is read as text (no type inference; an empty cell is null) and checked column by
column with pyarrow compute: parties and kinds against the contract's (``is_in``), money
against the exact shape the row validator accepts without comment, invoice references for
surrounding blanks and repeats. Amounts are then cast to ``decimal128`` and dates to
``date32``, both exact; a date is checked by its length and by that cast, which together
accept exactly the ``YYYY-MM-DD`` cells a regular expression would, at a tenth of the cost.

The fast path only ever says "this table is clean, here it is" or "not sure". Anything it
does not recognise as plainly valid — a bad or odd cell, a repeated invoice, a blank row,
quoting, a short row, a date pyarrow will not parse — returns None, and the loader runs the
row-wise validator (``validate_rows.payments``) over the same table, which reports every
problem with the usual diagnostics. So a clean file is typed exactly as the row path would
type it, and a file with problems gets exactly the row path's messages.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from obc_check.checker.cells import MONEY_DIGITS
from obc_check.checker.context import ContractIndex
from obc_check.checker.ledger import AMOUNT, SCHEMA, Ledger
from obc_check.checker.sources import RawTable

# What the row validator takes on its fast path, without stripping or explaining anything
# (money: at most MONEY_DIGITS before the point, so that the decimal128 cast and sums fit).
_MONEY = rf"^[0-9]{{1,{MONEY_DIGITS}}}(\.[0-9]{{1,2}})?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _plain_csv(data: bytes) -> bool:
    """True when there is no quoting and every line break is LF or CR LF.

    pyarrow's CSV dialect and the ``csv`` module's then cannot differ on anything that
    matters; with no blank line either (``_lines`` below), row numbers are line numbers.
    """
    return b'"' not in data and (b"\r" not in data
                                 or data.count(b"\r") == data.count(b"\r\n"))


def _lines(data: bytes) -> int:
    """The number of lines of ``data`` (a last line without a line break counts)."""
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _all(mask: pa.Array) -> bool:
    """True when every element of a boolean array is true (a null counts as false)."""
    return bool(pc.all(pc.fill_null(mask, False)).as_py()) if len(mask) else True


def payments(raw: RawTable, ctx: ContractIndex) -> Ledger | None:
    """The payments table as a Ledger when it is plainly valid; None means "use the rows"."""
    data = raw.csv_bytes
    if data is None:
        return None
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not _plain_csv(data):
        return None
    header = list(raw.index)
    if sorted(raw.index.values()) != list(range(len(header))):
        return None
    header.sort(key=raw.index.__getitem__)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != _lines(data) - 1:  # pyarrow skipped a blank line: rows moved
        return None
    return _validated(table.combine_chunks(), raw, ctx)


def _column(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).chunk(0) if table.num_rows else pa.array([], pa.string())


def _validated(table: pa.Table, raw: RawTable, ctx: ContractIndex) -> Ledger | None:
    n = table.num_rows
    parties = pa.array(list(ctx.parties), pa.string())
    payer, payee = _column(table, "payer"), _column(table, "payee")
    invoice, amount = _column(table, "invoice"), _column(table, "amount")
    received, paid = _column(table, "received_on"), _column(table, "paid_on")
    if "kind" in table.column_names:
        kind = pc.fill_null(_column(table, "kind"), "invoice")
        if not _all(pc.is_in(kind, value_set=pa.array(["invoice", "outcome_share"]))):
            return None
    else:
        kind = pa.array(["invoice"] * n, pa.string())
    is_invoice = pc.equal(kind, "invoice")

    def rows_plain() -> bool:
        return all(_all(check) for check in (
            pc.is_in(payer, value_set=parties), pc.is_in(payee, value_set=parties),
            # an invoice needs a reference and a receipt date; an outcome share a payment date
            pc.if_else(is_invoice, pc.is_valid(invoice), True),
            pc.if_else(is_invoice, pc.is_valid(received), pc.is_valid(paid)),
            *(pc.invert(pc.fill_null(edge(invoice, blank), False))
              for edge in (pc.starts_with, pc.ends_with) for blank in (" ", "\t"))))

    def money() -> pa.Array | None:
        if not _all(pc.match_substring_regex(amount, _MONEY)):
            return None
        return _cast(amount, AMOUNT)

    # The checks and casts are independent, and pyarrow lets go of the interpreter while it
    # computes, so they run side by side on the machine's cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        plain = pool.submit(rows_plain)
        amounts = pool.submit(money)
        received_on, paid_on = pool.map(_dates, (received, paid))
        if not plain.result() or amounts.result() is None:
            return None
    money_column = amounts.result()
    if received_on is None or paid_on is None:
        return None
    origin = raw.origin
    ledger = Ledger(pa.table({
        "payer": payer, "payee": payee, "invoice": invoice, "amount": money_column,
        "received_on": received_on, "paid_on": paid_on, "kind": kind,
        "file": pa.DictionaryArray.from_arrays(pa.repeat(pa.scalar(0, pa.int32()), n),
                                               pa.array([origin.file], pa.string())),
        "row": pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), n)), 1),
        "sheet": pa.nulls(n, pa.string()),
    }, schema=SCHEMA))
    return ledger if _unique_keys(ledger, is_invoice) else None


def _cast(text: pa.Array, to: pa.DataType) -> pa.Array | None:
    """``text`` cast to ``to``, or None when pyarrow refuses (the row path explains why)."""
    try:
        return pc.cast(text, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _dates(text: pa.Array) -> pa.Array | None:
    """A column of ISO dates as date32, or None when any cell is not plainly one.

    Ten bytes that the exact date32 cast accepts are exactly the cells ``_DATE`` matches
    (the cast takes only YYYY-MM-DD; ``test_date_cast_takes_only_the_iso_shape`` holds it
    to that). A date such as 2015-02-30 fails the cast; Python's dates start at year 1.
    """
    if not _all(pc.or_kleene(pc.is_null(text), pc.equal(pc.binary_length(text), 10))):
        return None
    dates = _cast(text, pa.date32())
    if dates is None or not _all(pc.or_kleene(pc.is_null(dates),
                                              pc.greater_equal(pc.year(dates), 1))):
        return None
    return dates


def _unique_keys(ledger: Ledger, is_invoice: pa.Array) -> bool:
    """No key twice (D013's rule in ``validate_rows``).

    An invoice's key is its reference; an outcome share's its reference, or the whole typed
    row when it has none.
    """
    invoice = ledger.column("invoice")
    every_invoice = _all(is_invoice)
    refs = invoice if every_invoice else invoice.filter(is_invoice)
    if not _distinct(refs):
        return False
    if every_invoice:
        return True
    shares = ledger.where(pc.invert(is_invoice))
    if not len(shares):
        return True
    named = shares.column("invoice").drop_null()
    if len(pc.unique(named)) != len(named):
        return False
    unnamed = [p for p in shares.rows if p.invoice is None]
    keys = {(p.payer, p.payee, p.amount, p.received_on, p.paid_on) for p in unnamed}
    return len(keys) == len(unnamed)


def _distinct(refs: pa.Array) -> bool:
    """No reference twice (nulls aside: a null reference is reported elsewhere).

    References that rise strictly down the file (a finance system's export, in invoice
    order) are distinct, and checking that is one cheap pass; other files take the hash
    of every reference (``pc.unique``), a third of a second for a million.
    """
    n = len(refs)
    if n > 1 and not refs.null_count and _all(pc.less(refs.slice(0, n - 1), refs.slice(1))):
        return True
    return len(pc.unique(refs)) == len(refs)
