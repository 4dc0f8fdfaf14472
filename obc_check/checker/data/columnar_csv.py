"""The fast path for a big ``payments.csv``: read and validate it in bulk, with pyarrow.

pyarrow parses the mapped file on all cores with quoting switched off and blank lines kept
(so row N of the table is line N + 1 of the file): the two date columns straight to
``date32``, every other cell as text (an empty cell is null). The columns are then checked
with pyarrow compute: parties and kinds against the contract's (``is_in``), money against
the exact shape the row validator accepts without comment and cast to ``decimal128``,
invoice references for surrounding blanks, quotes and repeats.

pyarrow's date conversion accepts exactly ``YYYY-MM-DD`` with blanks or tabs around it,
which the row validator also accepts (it strips them) with the same date; the one date it
takes that Python does not, year 0, is looked for. A cell in quotes keeps its quotes here,
so it fails one of the checks (the row validator would unquote it), as does a cell holding a
comma or a line break in quotes: the row has too many cells, or too few.

The fast path only ever says "this table is clean, here it is" or "not sure". Anything it
does not recognise as plainly valid — a bad or odd cell, a repeated invoice, a blank row,
quoting, a short row, a date pyarrow will not parse — returns None, and the loader runs the
row-wise validator (``validate_rows.payments``) over the same table, which reports every
problem with the usual diagnostics. So a clean file is typed exactly as the row path would
type it, and a file with problems gets exactly the row path's messages.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from obc_check.checker.data.cells import MONEY_DIGITS
from obc_check.checker.data.context import ContractIndex
from obc_check.checker.data.ledger import AMOUNT, SCHEMA, Ledger
from obc_check.checker.data.sources import RawTable

# What the row validator takes on its fast path, without stripping or explaining anything
# (money: at most MONEY_DIGITS before the point, so that the decimal128 cast and sums fit).
_MONEY = rf"^[0-9]{{1,{MONEY_DIGITS}}}(\.[0-9]{{1,2}})?$"
_DATES = ("received_on", "paid_on")


def _all(mask: pa.Array) -> bool:
    """True when every element of a boolean array is true (a null counts as false)."""
    return bool(pc.all(pc.fill_null(mask, False)).as_py()) if len(mask) else True


def payments(raw: RawTable, ctx: ContractIndex) -> Ledger | None:
    """The payments table as a Ledger when it is plainly valid; None means "use the rows"."""
    file = raw.csv_file
    if file is None or file.contains(b'"'):  # the row validator unquotes quoted cells
        return None
    header = list(raw.index)
    if sorted(raw.index.values()) != list(range(len(header))):
        return None
    header.sort(key=raw.index.__getitem__)
    table = read(file.data, header)
    if table is None:
        return None
    padded = file.contains(b" ") or file.contains(b"\t")
    return _validated(table.combine_chunks(), raw, ctx, padded)


def read(data: pa.Buffer, header: list[str]) -> pa.Table | None:
    """The rows after the header line, typed as above; None when pyarrow refuses any cell.

    ``data`` must be UTF-8 (the loader checks every file first), so pyarrow need not check
    each text cell again.
    """
    try:
        return pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(quote_char=False, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.date32() if name in _DATES else pa.string()
                              for name in header},
                null_values=[""], strings_can_be_null=True,
                check_utf8=False))  # the whole file was checked (``CsvFile.utf8_error``)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _column(table: pa.Table, name: str) -> pa.Array:
    column = table.column(name)
    return column.chunk(0) if column.num_chunks else pa.array([], column.type)


def _validated(table: pa.Table, raw: RawTable, ctx: ContractIndex,
               padded: bool) -> Ledger | None:
    """The ledger of ``table`` when every row is plainly valid, else None.

    ``padded`` says whether the file holds a blank or tab anywhere; if not, no reference
    can start or end with one, and that check is skipped.
    """
    n = table.num_rows
    parties = pa.array(list(ctx.parties), pa.string())
    payer, payee = _column(table, "payer"), _column(table, "payee")
    invoice, amount = _column(table, "invoice"), _column(table, "amount")
    received, paid = _column(table, "received_on"), _column(table, "paid_on")
    # The checks and casts are independent, and pyarrow lets go of the interpreter while it
    # computes, so they run side by side on the machine's cores: the money column (a shape
    # check and a decimal cast) in two halves on the pool, everything else here meanwhile.
    half = n // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = [pool.submit(_money, amount.slice(0, half)),
                 pool.submit(_money, amount.slice(half))]
        kinds = _kinds(table)
        if kinds is None:
            return None
        kind, is_invoice = kinds
        if not (_parties_known(payer, payee, parties) and all(_all(check) for check in (
                # an invoice needs a reference and a receipt date; an outcome share a
                # payment date
                pc.if_else(is_invoice, pc.is_valid(invoice), True),
                pc.if_else(is_invoice, pc.is_valid(received), pc.is_valid(paid)),
                *(pc.invert(pc.fill_null(edge(invoice, blank), False))
                  for edge in (pc.starts_with, pc.ends_with) for blank in (" ", "\t")
                  if padded)))):
            return None
        if not _from_year_one(received, paid):
            return None
        period = _periods(table, kind, is_invoice, payee, ctx)
        if period is None:
            return None
        if pc.any(pc.and_(is_invoice, pc.less(paid, received))).as_py():
            return None  # the row validator warns about each (D026)
        every_invoice = _all(is_invoice)
        if not _distinct(invoice if every_invoice else invoice.filter(is_invoice)):
            return None
        files = pa.DictionaryArray.from_arrays(pa.repeat(pa.scalar(0, pa.int32()), n),
                                               pa.array([raw.origin.file], pa.string()))
        rows = pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), n), start=1)
        money = [part.result() for part in parts]
    if money[0] is None or money[1] is None:
        return None
    ledger = Ledger(pa.table({
        "payer": payer, "payee": payee, "invoice": invoice,
        "amount": pa.concat_arrays(money),
        "received_on": received, "paid_on": paid, "kind": kind,
        "file": files, "row": rows, "sheet": pa.nulls(n, pa.string()), "period": period,
    }, schema=SCHEMA))
    return ledger if every_invoice or _unique_shares(ledger, is_invoice) else None


def _parties_known(payer: pa.Array, payee: pa.Array, parties: pa.Array) -> bool:
    """Every payer and payee is a party of the contract.

    A ledger usually has one payer (the lead provider): when every row names the first
    row's payer, one comparison settles the column instead of a set look-up per row.
    """
    if len(payer) and not payer.null_count:
        first = payer[0]
        if first.as_py() in parties.to_pylist() and _all(pc.equal(payer, first)):
            return _all(pc.is_in(payee, value_set=parties))
    return _all(pc.is_in(payer, value_set=parties)) and _all(
        pc.is_in(payee, value_set=parties))


def _kinds(table: pa.Table) -> tuple[pa.Array, pa.Array] | None:
    """The kind of each row (blank means invoice) and where it is an invoice.

    None when a kind is neither. A ledger of invoices only (the usual case) is settled by
    one comparison, without filling blanks or a set look-up.
    """
    n = table.num_rows
    if "kind" not in table.column_names:
        return pa.repeat(pa.scalar("invoice", pa.string()), n), pa.repeat(pa.scalar(True), n)
    kind = _column(table, "kind")
    if not kind.null_count:
        is_invoice = pc.equal(kind, "invoice")
        if _all(is_invoice):
            return kind, is_invoice
    kind = pc.fill_null(kind, "invoice")
    if not _all(pc.is_in(kind, value_set=pa.array(["invoice", "outcome_share",
                                                    "outcome_payment"]))):
        return None
    return kind, pc.equal(kind, "invoice")


def _periods(table: pa.Table, kind: pa.Array, is_invoice: pa.Array, payee: pa.Array,
             ctx: ContractIndex) -> pa.Array | None:
    """The ``period`` column (TERMS.md), or None when any row needs the row validator.

    Plainly valid: empty on every row that is not an ``outcome_payment``; on those, a
    contract-year label as written, and the payee is not a commissioner. A ledger of invoices
    only, with no ``period`` column or an empty one, is settled without looking at a row.
    """
    n = table.num_rows
    has = "period" in table.column_names
    period = _column(table, "period") if has else pa.nulls(n, pa.string())
    if _all(is_invoice):
        return period if period.null_count == n else None
    paying = pc.equal(kind, "outcome_payment")
    if not pc.any(paying).as_py():
        return period if period.null_count == n else None
    if not has:
        return None
    if not _all(pc.if_else(paying, pc.is_valid(period), pc.is_null(period))):
        return None
    years = pa.array(list(ctx.year_labels), pa.string())
    if not _all(pc.is_in(period.filter(paying), value_set=years)):
        return None
    commissioners = pa.array(sorted(ctx.commissioners), pa.string())
    if pc.any(pc.is_in(payee.filter(paying), value_set=commissioners)).as_py():
        return None
    return period


_YEAR_ONE = pa.scalar(dt.date(1, 1, 1), pa.date32())


def _from_year_one(*columns: pa.Array) -> bool:
    """No date before year 1 in any of ``columns``.

    pyarrow reads 0000-01-01; Python's dates, like the row validator, start at year 1.
    """
    return all(not len(day) or day.null_count == len(day)
               or bool(pc.greater_equal(pc.min(day), _YEAR_ONE).as_py()) for day in columns)


_PENCE = pa.array(["", *(f".{p}" for p in range(10)), *(f".{p:02d}" for p in range(100))])
"""What may follow the pounds of a plain amount: nothing, or a point and one or two digits."""


def _money(text: pa.Array) -> pa.Array | None:
    """Cells of money text as exact decimals, or None when any is not plainly an amount.

    Plainly an amount: 1 to MONEY_DIGITS digits, then nothing or a point and one or two
    digits, as ``_MONEY`` says. Checked without a regular expression, at half the cost:
    strip the leading digits, look the rest up among the 111 allowed endings, and count
    what was stripped.
    """
    pence = pc.ascii_ltrim(text, "0123456789")
    pounds = pc.subtract(pc.binary_length(text), pc.binary_length(pence))
    if not (_all(pc.is_in(pence, value_set=_PENCE))
            and _all(pc.and_(pc.greater_equal(pounds, 1),
                             pc.less_equal(pounds, MONEY_DIGITS)))):
        return None
    try:
        return pc.cast(text, AMOUNT)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # pragma: no cover - regex-checked
        return None


def _unique_shares(ledger: Ledger, is_invoice: pa.Array) -> bool:
    """No outcome-share key twice (D013's rule in ``validate_rows``).

    A share's key is its reference, or the whole typed row when it has none. (Invoice
    references are checked beside the money casts.)
    """
    shares = ledger.where(pc.invert(is_invoice))
    if not len(shares):
        return True
    named = shares.column("invoice").drop_null()
    if len(pc.unique(named)) != len(named):
        return False
    unnamed = [p for p in shares.rows if p.invoice is None]
    keys = {(p.kind, p.payer, p.payee, p.amount, p.received_on, p.paid_on, p.period)
            for p in unnamed}
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
