"""Typing and validating the rows of each table against the contract.

One function per table turns a :class:`RawTable` of text into the typed rows of
``data/tables.py``, reporting every problem at its cell; a row with an error is not
kept (the bundle as a whole is then rejected, so nothing is silently dropped). Duplicate
keys and overlapping periods are checked here too, since they need the whole table.

The four small tables share one loop (:func:`_validate`, driven by a :class:`_Table` each):
only the reading of one row's cells differs, in ``_indicator``, ``_submission``, ``_spend``
and ``_outcome``.

Row keys (a second row with the same key is an error, D013):
- indicators: (indicator, period); submissions: (obligation, period); spend: period;
  outcomes: (price, period);
- payments: (kind, invoice) when ``invoice`` is given, else the whole row: an invoice is
  identified by its reference, as the prompt-payment report names it.

``payments`` is the table that grows to millions of rows, so its loop is written out
inline (no per-cell helper calls on the fast path).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Generic, Literal, TypeVar

import pyarrow as pa

from obc_check.checker.data.cells import (
    MONEY_DIGITS,
    CellError,
    Hint,
    did_you_mean,
    lookup,
    parse_count,
    parse_date,
    parse_money,
    parse_number,
    quote,
)
from obc_check.checker.data.claims import (
    CLAIMS_SCHEMA,
    PARTICIPANTS_SCHEMA,
    ClaimTable,
    ParticipantTable,
)
from obc_check.checker.data.context import ContractIndex
from obc_check.checker.data.fastrows import payment_row
from obc_check.checker.data.money import finite_decimal
from obc_check.checker.data.origins import Origin
from obc_check.checker.data.problems import Problems
from obc_check.checker.data.sources import RawTable
from obc_check.checker.data.tables import (
    CaseloadRow,
    IndicatorRow,
    OutcomeRow,
    PaymentRow,
    RowRef,
    SpendRow,
    SubmissionRow,
)
from obc_check.model import Period

T = TypeVar("T")
Kind = Literal["invoice", "outcome_share", "outcome_payment"]
_KINDS: dict[str, Kind] = {"": "invoice", "invoice": "invoice",
                           "outcome_share": "outcome_share"}
"""The kinds the payments loop types without a second look (its fast path)."""
_ALL_KINDS: dict[str, Kind] = {**_KINDS, "outcome_payment": "outcome_payment"}
"""Every kind: a commissioner's ``outcome_payment`` (TERMS.md) is checked cell by cell."""
HUNDRED = Fraction(100)


class _Row:
    """Reads the cells of one row, reporting each problem at its cell."""

    __slots__ = ("cells", "index", "ok", "origin", "problems", "row")

    def __init__(self, raw: RawTable, problems: Problems) -> None:
        self.origin: Origin = raw.origin
        self.index = raw.index
        self.problems = problems
        self.row = 0
        self.cells: Sequence[str] = ()
        self.ok = True

    def start(self, row: int, cells: Sequence[str]) -> None:
        self.row, self.cells, self.ok = row, cells, True

    def text(self, column: str) -> str:
        pos = self.index.get(column)
        return "" if pos is None else self.cells[pos]

    def get(self, column: str, parse: Callable[[str], T | None]) -> T | None:
        try:
            return parse(self.text(column))
        except CellError as err:
            self.error(column, err.code, err.message, err.hint)
            return None

    def need(self, column: str, value: T | None, what: str) -> T | None:
        """``value``, or a D021 "no value" when a required cell is empty."""
        if value is None and not self.text(column).strip():
            self.error(column, "D021", f"no {what}", f"every row needs a value in `{column}`")
        return value

    def ident(self, column: str, known: dict[str, str], what: str, none: str) -> str | None:
        text = self.text(column)
        found = lookup(text, known)
        if found is None and text.strip():
            def hint() -> str:  # worked out only if shown (cells.Hint)
                return did_you_mean(text.strip(), known) or (
                    f"the contract's {what}s are {_listing(known)}" if known else none)
            self.error(column, "D009", f"unknown {what} {quote(text)}", hint)
        return found

    def error(self, column: str | None, code: str, message: str, hint: Hint) -> None:
        self.ok = False
        self.problems.at(self.origin, self.row, column, code, message, hint)

    def warn(self, column: str | None, code: str, message: str, hint: str | None) -> None:
        """A warning at a cell: reported, but the row is still used."""
        self.problems.at(self.origin, self.row, column, code, message, hint,
                         severity="warning")

    def blank(self) -> bool:
        return not any(c.strip() for c in self.cells)

    def ref(self) -> RowRef:
        return RowRef(self.origin.file, self.row, self.origin.sheet)


def _listing(known: dict[str, str], limit: int = 12) -> str:
    names = [f"`{k}`" for k in known]
    return ", ".join(names[:limit]) + (", …" if len(names) > limit else "")


def _duplicate(r: _Row, seen: dict[object, int], key: object, column: str | None,
               what: str) -> None:
    first = seen.setdefault(key, r.row)
    if first != r.row:
        r.error(column, "D013", f"a second row for {what} (the first is row {first})",
                "give each key once; remove or merge the repeated row")


def _overlaps(problems: Problems, origin: Origin,
              firsts: dict[tuple[str, int], dict[str, tuple[int, Period]]], what: str) -> None:
    """D019: one identifier with rows of different period kinds within one year."""
    for (ident, _), kinds in firsts.items():
        if len(kinds) < 2:
            continue
        ordered = sorted(kinds.values(), key=lambda rp: rp[0])
        (row1, p1), (row2, p2) = ordered[0], ordered[1]
        problems.at(origin, row2, "period", "D019",
                    f"{what} `{ident}` has a {p2.kind} row for {p2.label} and a {p1.kind} row "
                    f"for {p1.label} (row {row1}) in the same contract year",
                    "give a year's data once: as the year, or by all its quarters, or by "
                    "all its months")


def _note_kind(firsts: dict[tuple[str, int], dict[str, tuple[int, Period]]], ident: str,
               period: Period, row: int) -> None:
    firsts.setdefault((ident, period.year), {}).setdefault(period.kind, (row, period))


def _exact_decimal(value: Fraction) -> Decimal:
    """``value`` as a Decimal: exact when it has a finite decimal form, else 28 digits."""
    exact = finite_decimal(value)
    if exact is None:
        return Decimal(value.numerator) / Decimal(value.denominator)
    return exact


def _round_half_up(value: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction((value * scale + Fraction(1, 2)).__floor__(), scale)


@dataclass(frozen=True, slots=True)
class _Key:
    """A row's key in its table (D013 for a second row with it), and how errors name it."""

    value: object
    what: str


R = TypeVar("R", IndicatorRow, SubmissionRow, SpendRow, OutcomeRow, CaseloadRow)


@dataclass(frozen=True, slots=True)
class _Table(Generic[R]):
    """How one of the four small tables is validated; the loop (:func:`_validate`) is shared.

    ``read`` checks one non-blank row's cells, reporting every problem at its cell, and
    returns the row's key (None when the key's cells are missing or wrong) and the typed row
    (None when it cannot be built; it is kept only if the row had no error at all).
    ``overlaps`` names the identifier of tables whose rows may not mix period kinds within a
    year (D019); ``before`` reports what is wrong with the table as a whole.
    """

    read: Callable[[_Row, ContractIndex], tuple[_Key | None, R | None]]
    overlaps: str | None = None
    ident: Callable[[R], str] | None = None
    before: Callable[[RawTable, ContractIndex, Problems], None] | None = None


def _validate(table: _Table[R], raw: RawTable, ctx: ContractIndex,
              problems: Problems) -> list[R]:
    """The typed rows of ``raw``: blank rows skipped, D013 for a repeated key, D019."""
    out: list[R] = []
    seen: dict[object, int] = {}
    firsts: dict[tuple[str, int], dict[str, tuple[int, Period]]] = {}
    r = _Row(raw, problems)
    if table.before is not None:
        table.before(raw, ctx, problems)
    for row, cells in raw.rows:
        r.start(row, cells)
        if r.blank():
            continue
        key, typed = table.read(r, ctx)
        if key is not None:
            _duplicate(r, seen, key.value, "period", key.what)
        if r.ok and typed is not None:
            if table.ident is not None:
                _note_kind(firsts, table.ident(typed), typed.period, row)
            out.append(typed)
    if table.overlaps is not None:
        _overlaps(problems, raw.origin, firsts, table.overlaps)
    return out


def _indicator(r: _Row, ctx: ContractIndex) -> tuple[_Key | None, IndicatorRow | None]:
    """One row of ``indicators``: a value, or a numerator and denominator, for a period."""
    ind = r.ident("indicator", ctx.indicators, "indicator",
                  "the contract declares no indicators")
    period = r.get("period", ctx.period)
    value = r.get("value", parse_number)
    num = r.get("numerator", parse_number)
    den = r.get("denominator", parse_number)
    r.need("indicator", ind, "indicator")
    r.need("period", period, "period")
    if ind in ctx.measured:
        r.error("indicator", "D044", f"`{ind}` is measured from dataset "
                f"{ctx.measured[ind]}, so it takes no row in the indicators table",
                f"delete the row: the contract computes {ind} from the records")
    unit = ctx.units.get(ind) if ind else None
    percent = unit == "percent"
    exact = _indicator_value(r, ind, percent, value, num, den, ctx)
    empty = _nothing_counted(num, den, value)
    if value is not None and percent and value > 100:
        r.error("value", "D015", f"{quote(r.text('value'))} is above 100%",
                f"`{ind}` is a percentage, in points from 0 to 100")
    if value is not None and value < 0 and unit not in (None, "score"):
        r.error("value", "D014", f"{quote(r.text('value'))} is negative",
                f"`{ind}` is measured in {unit}, which cannot be negative")
    if not (ind and period):
        return None, None
    key = _Key((ind, period.label), f"`{ind}` in {period.label}")
    if exact is None and not empty:
        return key, None
    written = r.text("value").strip() or None
    shown = (None if exact is None else _exact_decimal(exact) if num is not None
             else value)
    return key, IndicatorRow(ind, period, shown, num, den, written, r.ref(), exact)


def _nothing_counted(num: Decimal | None, den: Decimal | None, value: Decimal | None) -> bool:
    """A ``0 / 0`` row without a value: a period in which nothing was counted.

    It has no value of its own, but it is a row with a numerator and a denominator, so it
    takes part in Σ numerators / Σ denominators over the year's quarters or months
    (LANGUAGE.md, Data): a month without a single referral must not make the year missing.
    """
    return num == 0 and den == 0 and value is None


def _indicator_value(r: _Row, ind: str | None, percent: bool, value: Decimal | None,
                     num: Decimal | None, den: Decimal | None,
                     ctx: ContractIndex) -> Fraction | None:
    """The exact value of an indicator row, checking numerator, denominator and value."""
    if not r.ok:
        return None
    if num is None and den is None:
        if value is None:
            r.error(None, "D017", "gives neither a value nor a numerator and denominator",
                    "fill in `value`, or `numerator` and `denominator`")
            return None
        if ind in ctx.minimum_denominator:
            r.error("numerator", "D024", f"`{ind}` needs a numerator and denominator",
                    f"it has a minimum denominator of {ctx.minimum_denominator[ind]}, so each "
                    "row must give the numerator and denominator it is computed from")
        return Fraction(value)
    if num is None or den is None:
        missing = "numerator" if num is None else "denominator"
        other = "denominator" if num is None else "numerator"
        r.error(missing, "D017", f"a {other} without a {missing}",
                "give both numerator and denominator, or neither")
        return None
    for column, number in (("numerator", num), ("denominator", den)):
        if number < 0:
            r.error(column, "D014", f"{quote(r.text(column))} is negative",
                    f"a {column} is a count, 0 or more")
    if _nothing_counted(num, den, value):
        return None
    if den == 0 and r.ok:
        r.error("denominator", "D018", "the denominator is 0",
                "a value cannot be computed from a denominator of 0; leave the row out or "
                "give the value")
    if not r.ok:
        return None
    exact = Fraction(num) / Fraction(den)
    if percent:
        exact *= HUNDRED
        if exact > 100:
            r.error("numerator", "D015",
                    f"numerator {num} is larger than denominator {den}: "
                    f"{_exact_decimal(_round_half_up(exact, 1))}% is above 100%",
                    "a percentage's numerator counts part of its denominator")
            return None
    if value is not None:
        places = max(0, -int(value.as_tuple().exponent))
        rounded = _round_half_up(exact, places)
        if rounded != Fraction(value):
            shown = f"100 × {num} / {den}" if percent else f"{num} / {den}"
            r.error("value", "D016",
                    f"value {quote(r.text('value'))} disagrees with numerator and denominator: "
                    f"{shown} is {_exact_decimal(rounded):.{places}f} to {places} decimal place"
                    f"{'s' if places != 1 else ''}",
                    "correct the value or the counts, or leave `value` empty")
            return None
    return exact


def _submission(r: _Row, ctx: ContractIndex) -> tuple[_Key | None, SubmissionRow | None]:
    """One row of ``submissions``: a return for a report obligation's period."""
    obl = r.ident("obligation", ctx.obligations, "obligation",
                  "the contract has no obligations")
    period = r.get("period", ctx.period)
    submitted = r.get("submitted_on", lambda t: parse_date(t, ctx.dates))
    r.need("obligation", obl, "obligation")
    r.need("period", period, "period")
    each = ctx.report_each.get(obl) if obl else None
    if obl and each is None:
        reports = ", ".join(f"`{k}`" for k in ctx.report_each) or "none"
        r.error("obligation", "D012", f"`{obl}` is not a report obligation",
                f"submissions are for report obligations (the contract's: {reports})")
    elif each and period and period.kind != each:
        r.error("period", "D011",
                f"`{obl}` is reported each {each}, but {period.label} is a {period.kind}",
                f"name the {each}, e.g. `{_example(ctx, each)}`")
    if not (obl and period):
        return None, None
    return (_Key((obl, period.label), f"`{obl}` {period.label}"),
            SubmissionRow(obl, period, submitted, r.ref()))


def _example(ctx: ContractIndex, kind: str) -> str:
    first = ctx.year_labels[0]
    return {"year": first, "quarter": f"{first} Q1", "month": f"{first} M1"}[kind]


def _spend(r: _Row, ctx: ContractIndex) -> tuple[_Key | None, SpendRow | None]:
    """One row of ``spend``: the actual cost of a contract year."""
    period = r.get("period", ctx.period)
    cost = r.get("actual_cost", parse_money)
    r.need("period", period, "period")
    r.need("actual_cost", cost, "actual cost")
    if period and period.kind != "year":
        r.error("period", "D011", f"spend is per contract year, but {period.label} is a "
                f"{period.kind}", f"name the year, e.g. `{ctx.year_labels[0]}`")
        return None, None
    if not period:
        return None, None
    key = _Key(period.label, period.label)
    return key, None if cost is None else SpendRow(period, cost, r.ref())


def _outcome(r: _Row, ctx: ContractIndex) -> tuple[_Key | None, OutcomeRow | None]:
    """One row of ``outcomes``: how many outcomes of a price were achieved in a period."""
    price = r.ident("price", ctx.prices, "price", "the contract has no rate_card prices")
    period = r.get("period", ctx.period)
    count = r.get("count", parse_count)
    r.need("price", price, "price")
    r.need("period", period, "period")
    r.need("count", count, "count")
    if not (price and period):
        return None, None
    key = _Key((price, period.label), f"`{price}` in {period.label}")
    return key, None if count is None else OutcomeRow(price, period, count, r.ref())


def _caseload(r: _Row, ctx: ContractIndex) -> tuple[_Key | None, CaseloadRow | None]:
    """One row of ``caseload`` (RECORDS.md): people in a capitation tier at a month's start.

    Months only: a quarter or a year would say nothing about who was on the list at the
    start of each month, which is what capitation pays on.
    """
    price = r.ident("price", ctx.tiers, "capitation tier",
                    "the contract has no capitation tiers")
    period = r.get("period", ctx.period)
    people = r.get("people", parse_count)
    r.need("price", price, "capitation tier")
    r.need("period", period, "period")
    r.need("people", people, "number of people")
    if period and period.kind != "month":
        r.error("period", "D011", f"caseload is per month, but {period.label} is a "
                f"{period.kind}", f"name the month, e.g. `{ctx.year_labels[0]} M1`")
        return None, None
    if not (price and period):
        return None, None
    key = _Key((price, period.label), f"`{price}` in {period.label}")
    return key, None if people is None else CaseloadRow(price, period, people, r.ref())


def _caseload_unused(raw: RawTable, ctx: ContractIndex, problems: Problems) -> None:
    """D025 (warning): a caseload table for a contract without capitation."""
    if not ctx.has_capitation:
        problems.table(raw.origin, "D025", "the contract has no capitation, so caseload is not "
                       "used", "remove the caseload table, or check that this is the right "
                       "contract", severity="warning")


def _spend_unused(raw: RawTable, ctx: ContractIndex, problems: Problems) -> None:
    """D025 (warning): a spend table for a contract without a risk share."""
    if not ctx.has_risk_share:
        problems.table(raw.origin, "D025", "the contract has no risk_share, so spend is not used",
                       "remove the spend table, or check that this is the right contract",
                       severity="warning")


_INDICATORS = _Table(_indicator, "indicator", lambda row: row.indicator)
_SUBMISSIONS = _Table(_submission)
_SPEND = _Table(_spend, before=_spend_unused)
_OUTCOMES = _Table(_outcome, "price", lambda row: row.price)
_CASELOAD = _Table(_caseload)


def indicators(raw: RawTable, ctx: ContractIndex, problems: Problems) -> list[IndicatorRow]:
    """The ``indicators`` table: values, or numerators and denominators, per period."""
    rows = _validate(_INDICATORS, raw, ctx, problems)
    _fractions_for_points(problems, raw.origin, rows, ctx)
    return rows


def _fractions_for_points(problems: Problems, origin: Origin, rows: list[IndicatorRow],
                          ctx: ContractIndex) -> None:
    """W006: every value written for a percent indicator is at most 1, some a fraction.

    Percent indicators take percentage points (96.2 for 96.2%); a table exported with
    fractions (0.962) passes every row check and then fails every threshold. Only values
    written without a numerator and denominator count (with them, the value must agree with
    100 × n / d). Not raised when the contract's own thresholds for the indicator are at
    most 1% as well (a rare event measured in percent): the data then agrees with it.
    """
    written: dict[str, list[tuple[int, Decimal]]] = {}
    for row in rows:
        if (row.value is not None and row.numerator is None
                and ctx.units.get(row.indicator) == "percent"):
            written.setdefault(row.indicator, []).append((row.ref.row, row.value))
    for ind, found in written.items():
        if not all(v <= 1 for _, v in found) or not any(0 < v < 1 for _, v in found):
            continue
        level = ctx.levels.get(ind)
        if level is not None and level <= 1:
            continue
        at, first = next((r, v) for r, v in found if 0 < v < 1)
        shown = ", ".join(f"{v}" for _, v in found[:3]) + (", …" if len(found) > 3 else "")
        against = f"; the contract's levels for it reach {level}%" if level is not None else ""
        points = f"{(first * 100).normalize():f}"
        problems.at(origin, at, "value", "W006",
                    f"every value of `{ind}` is at most 1 ({shown}): fractions rather than "
                    "percentage points?",
                    f"`{ind}` is a percentage in points from 0 to 100: write {points} for "
                    f"{points}%, not {first}{against}", severity="warning")


def submissions(raw: RawTable, ctx: ContractIndex, problems: Problems) -> list[SubmissionRow]:
    """The ``submissions`` table: returns for report obligations, per period."""
    return _validate(_SUBMISSIONS, raw, ctx, problems)


def spend(raw: RawTable, ctx: ContractIndex, problems: Problems) -> list[SpendRow]:
    """The ``spend`` table: the actual cost of each contract year."""
    return _validate(_SPEND, raw, ctx, problems)


def outcomes(raw: RawTable, ctx: ContractIndex, problems: Problems) -> list[OutcomeRow]:
    """The ``outcomes`` table: counts of outcomes achieved per price and period."""
    return _validate(_OUTCOMES, raw, ctx, problems)


def caseload(raw: RawTable, ctx: ContractIndex, problems: Problems) -> list[CaseloadRow]:
    """The ``caseload`` table: people per capitation tier at the start of each month.

    For a contract without capitation the table is not used: one warning (D025), and its
    rows are not read, since every tier would be unknown and bury the warning in errors.
    """
    if not ctx.has_capitation:
        _caseload_unused(raw, ctx, problems)
        return []
    return _validate(_CASELOAD, raw, ctx, problems)


def payments(raw: RawTable, ctx: ContractIndex, problems: Problems) -> list[PaymentRow]:
    """The ``payments`` table: invoices and outcome-share payments between parties."""
    out: list[PaymentRow] = []
    r = _Row(raw, problems)
    index = raw.index
    i_payer, i_payee, i_invoice = index["payer"], index["payee"], index["invoice"]
    i_amount, i_received, i_paid = index["amount"], index["received_on"], index["paid_on"]
    i_kind = index.get("kind")
    i_period = index.get("period")
    parties, dates = ctx.parties, ctx.dates
    file, sheet = raw.origin.file, raw.origin.sheet
    append, build = out.append, payment_row
    for row, cells in raw.rows:
        payer = parties.get(cells[i_payer])
        payee = parties.get(cells[i_payee])
        invoice = cells[i_invoice]
        kind = _KINDS.get(cells[i_kind]) if i_kind is not None else "invoice"
        try:
            text = cells[i_amount]
            # inline fast path of parse_money: plain digits with at most two decimals,
            # at most MONEY_DIGITS before the point
            dot = text.find(".")
            body = text.replace(".", "", 1) if dot > 0 and len(text) - dot in (2, 3) else text
            amount = (Decimal(text) if body.isdigit() and body.isascii()
                      and (dot if dot > 0 else len(text)) <= MONEY_DIGITS
                      else parse_money(text))
            text = cells[i_received]
            received = dates.get(text) or parse_date(text, dates)
            text = cells[i_paid]
            paid = dates.get(text) or parse_date(text, dates)
        except CellError:
            amount = received = paid = None
            payer = None  # take the careful path below, which reports each cell
        period = None
        if (payer is None or payee is None or kind is None or amount is None
                or (received is None and kind == "invoice") or not invoice
                or invoice[0] in " \t" or invoice[-1] in " \t"
                or (i_period is not None and cells[i_period])):
            checked = _payment_slow(r, row, cells, ctx)
            if checked is None:
                continue
            payer, payee, invoice, amount, received, paid, kind, period = checked
        if paid is not None and received is not None and paid < received \
                and kind == "invoice":
            _paid_before_received(r, row, received, paid)
        append(build(payer, payee, invoice or None, amount, received, paid, kind,
                     file, row, sheet, period))
    return _without_duplicate_payments(out, r)


def _paid_before_received(r: _Row, row: int, received: dt.date, paid: dt.date) -> None:
    """D026: most likely the two dates are swapped or one is mistyped.

    A warning, not an error: the spec does not forbid it (an invoice can be paid on a
    pro-forma before the final copy arrives), and prompt payment counts it as paid in time.
    """
    r.row = row  # a warning needs only the position; the row's cells are already checked
    r.warn("paid_on", "D026",
           f"paid on {paid.isoformat()}, before it was received on {received.isoformat()}",
           "check the two dates: prompt payment counts this invoice as paid in time")


def _share_key(p: PaymentRow) -> object:
    """A payment's identity: its reference, or the whole row (its ``period`` too).

    Two commissioner's payments alike but for their ``period`` (TERMS.md: the year each pays
    for) are two payments, e.g. a balancing payment for last year and one on account for
    this year made the same day.
    """
    if p.invoice:
        return (p.kind, p.invoice)
    return (p.kind, p.payer, p.payee, p.amount, p.received_on, p.paid_on, p.period)


def _without_duplicate_payments(rows: list[PaymentRow], r: _Row) -> list[PaymentRow]:
    """D013 for each repeated payment key; the check runs in bulk (one set) when clean.

    An invoice's key is its reference alone (a string, no tuple per row); an outcome-share
    payment's is its reference, or the whole row when it has none.
    """
    keys = [p.invoice if p.kind == "invoice" else _share_key(p) for p in rows]
    if len(set(keys)) == len(keys):
        return rows
    seen: dict[object, int] = {}
    kept: list[PaymentRow] = []
    for p, key in zip(rows, keys, strict=True):
        first = seen.setdefault(key, p.ref.row)
        if first == p.ref.row:
            kept.append(p)
            continue
        r.row = p.ref.row
        what = f"invoice {quote(p.invoice)}" if p.invoice else "the same payment"
        r.error("invoice" if p.invoice else None, "D013",
                f"a second row for {what} (the first is row {first})",
                "give each invoice once; remove or merge the repeated row")
    return kept


def _payment_slow(r: _Row, row: int, cells: Sequence[str], ctx: ContractIndex) -> tuple[
        str, str, str, Decimal, dt.date | None, dt.date | None, Kind, str | None] | None:
    """Check one payment cell by cell, reporting every problem; None if any is wrong."""
    r.start(row, cells)
    if r.blank():
        return None
    payer = r.ident("payer", ctx.parties, "party", "")
    payee = r.ident("payee", ctx.parties, "party", "")
    amount = r.get("amount", parse_money)
    received = r.get("received_on", lambda t: parse_date(t, ctx.dates))
    paid = r.get("paid_on", lambda t: parse_date(t, ctx.dates))
    kind_text = r.text("kind")
    kind = _ALL_KINDS.get(kind_text.strip())
    if kind is None:
        r.error("kind", "D020", f"{quote(kind_text)} is not a kind of payment",
                "`kind` is `invoice` (the default when empty), `outcome_share` or "
                "`outcome_payment`")
    invoice = r.text("invoice").strip()
    r.need("payer", payer, "payer")
    r.need("payee", payee, "payee")
    r.need("amount", amount, "amount")
    if kind == "invoice":
        if not invoice:
            r.error("invoice", "D021", "no invoice reference",
                    "an invoice row names its invoice, e.g. `ELM-1501`")
        if received is None and r.ok:
            r.error("received_on", "D021", "an invoice without a `received_on` date",
                    "give the date the invoice was received")
    elif kind == "outcome_share" and paid is None and r.ok:
        r.error("paid_on", "D021", "an outcome-share payment without a `paid_on` date",
                "give the date it was paid")
    period = _payment_period(r, ctx, kind, payee, paid)
    if not r.ok or payer is None or payee is None or amount is None or kind is None:
        return None
    return payer, payee, invoice, amount, received, paid, kind, period


def _payment_period(r: _Row, ctx: ContractIndex, kind: Kind | None, payee: str | None,
                    paid: dt.date | None) -> str | None:
    """TERMS.md: the contract year an ``outcome_payment`` pays for; empty on other kinds.

    An outcome payment also needs its ``paid_on`` date, and is paid to a provider, never to
    a commissioner (D081).
    """
    text = r.text("period")
    if kind != "outcome_payment":
        if text.strip() and kind is not None:
            r.error("period", "D090", f"a period on a payment of kind `{kind}`",
                    "`period` names the contract year an `outcome_payment` row pays for; "
                    "leave it empty on other rows")
        return None
    if payee is not None and payee in ctx.commissioners:
        r.error("payee", "D091", f"an outcome payment to {payee}, a commissioner",
                "outcome payments go from a commissioner to the provider it pays")
    if paid is None and r.ok and not r.text("paid_on").strip():
        r.error("paid_on", "D021", "an outcome payment without a `paid_on` date",
                "give the date it was paid")
    if not text.strip():
        r.error("period", "D021", "an outcome payment without a `period`",
                f"name the contract year it pays for, e.g. `{ctx.year_labels[0]}`")
        return None
    period = r.get("period", ctx.period)
    if period is not None and period.kind != "year":
        r.error("period", "D011", f"an outcome payment is for a contract year, but "
                f"{period.label} is a {period.kind}",
                f"name the year, e.g. `{period.label.split()[0]}`")
        return None
    return period.label if period is not None else None


def claims(raw: RawTable, ctx: ContractIndex, problems: Problems) -> ClaimTable:
    """The ``claims`` table (RECORDS.md): price, person and date of each outcome claimed.

    A repeated row (same price, person and day) is D013: one outcome, claimed twice.
    """
    r = _Row(raw, problems)
    seen: dict[object, int] = {}
    prices: list[str] = []
    persons: list[str] = []
    days: list[dt.date] = []
    rows: list[int] = []
    for row, cells in raw.rows:
        r.start(row, cells)
        if r.blank():
            continue
        price = r.ident("price", ctx.prices, "price", "the contract has no rate_card prices")
        person = _person(r)
        achieved = r.get("achieved_on", lambda t: parse_date(t, ctx.dates))
        r.need("price", price, "price")
        r.need("achieved_on", achieved, "date achieved")
        if price and person and achieved:
            _duplicate(r, seen, (price, person, achieved), None,
                       f"`{price}` for {quote(person)} on {achieved.isoformat()}")
        if r.ok and price and person and achieved:
            prices.append(price)
            persons.append(person)
            days.append(achieved)
            rows.append(row)
    return ClaimTable(pa.table({
        "price": pa.array(prices, pa.string()), "person": pa.array(persons, pa.string()),
        "achieved_on": pa.array(days, pa.date32()), "row": pa.array(rows, pa.int64()),
    }, schema=CLAIMS_SCHEMA), raw.origin.file, raw.origin.sheet)


def participants(raw: RawTable, ctx: ContractIndex, problems: Problems) -> ParticipantTable:
    """The ``participants`` table (RECORDS.md): each person once, with the day they started."""
    r = _Row(raw, problems)
    seen: dict[object, int] = {}
    persons: list[str] = []
    days: list[dt.date] = []
    rows: list[int] = []
    unread: set[str] = set()
    for row, cells in raw.rows:
        r.start(row, cells)
        if r.blank():
            continue
        person = _person(r)
        started = r.need("started_on", r.get("started_on", lambda t: parse_date(t, ctx.dates)),
                         "start date")
        if person:
            _duplicate(r, seen, person, "person", f"participant {quote(person)}")
        if r.ok and person and started:
            persons.append(person)
            days.append(started)
            rows.append(row)
        elif person:
            unread.add(person)
    return ParticipantTable(pa.table({
        "person": pa.array(persons, pa.string()), "started_on": pa.array(days, pa.date32()),
        "row": pa.array(rows, pa.int64()),
    }, schema=PARTICIPANTS_SCHEMA), raw.origin.file, raw.origin.sheet, frozenset(unread))


def _person(r: _Row) -> str | None:
    """A person's identifier: any text, surrounding blanks ignored; D021 when empty."""
    person = r.text("person").strip()
    if not person:
        r.error("person", "D021", "no person", "every row names its person, e.g. `P0001`")
        return None
    return person
