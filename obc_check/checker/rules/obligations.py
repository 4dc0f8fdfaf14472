"""Obligations checked against the data: report, spend share, prompt payment, flow-down.

LANGUAGE.md, "Obligations". One row per reporting period, per contract year (spend share,
flow-down) or per invoice (prompt payment); each breached row carries the obligation's
penalty. Choices where the spec is silent are listed in docs/checking.md; the main ones:
- every period or year of the term gets a row, so what is still to come shows as ``not_due``;
- the as-of date is a point in time: a submission or payment dated after it has not happened
  yet, so it neither meets nor breaches anything;
- "due before the as-of date" is strict: on the due date itself a missing return is not yet
  late; likewise an invoice unpaid on its due date, and a flow-down shortfall on the last of
  its N days, are ``not_due``;
- spend share counts every payment (invoice or outcome share) from the party to another party
  of the sector with ``paid_on`` in the year, and compares it exactly with share × annual
  value (the required figure is shown to the penny);
- prompt payment covers rows of kind ``invoice`` whose payer is the party and whose payee is a
  subcontractor (evaluated over the ledger's columns in ``prompt_payment``); flow-down
  counts rows of kind ``outcome_share`` from the party to
  subcontractors paid after the year end and no more than N days after it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data.ledger import Ledger
from obc_check.checker.data.money import (
    ZERO,
    money_total,
    percent_of,
    pounds,
    round_money,
    shown_money,
)
from obc_check.checker.data.tables import SubmissionRow
from obc_check.checker.report.model import YearPayment
from obc_check.checker.report.prompt_block import bits, sum_where, true_count
from obc_check.checker.report.rows import ObligationRow, ObligationStatus
from obc_check.checker.rules.penalties import days_late, penalty_of, penalty_words
from obc_check.checker.rules.workdays import add_days, add_working_days, bank_holidays_between
from obc_check.model import (
    Contract,
    FlowDownObligation,
    Obligation,
    ReportObligation,
    SpendShareObligation,
)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _penalty(ob: Obligation, status: ObligationStatus) -> Decimal:
    return penalty_of(ob, status)


def _penalty_words(ob: Obligation, status: ObligationStatus) -> str:
    return penalty_words(ob, status, _penalty(ob, status))


def report_rows(ob: ReportObligation, contract: Contract, submissions: Iterable[SubmissionRow],
                as_of: dt.date) -> Iterator[ObligationRow]:
    """One row per period of the term: met, breached or not due."""
    sent = {r.period.label: r for r in submissions if r.obligation == ob.id}
    for year in contract.term.years:
        for period in year.periods(ob.each):
            due = add_working_days(period.end, ob.working_days)
            moved = bank_holidays_between(period.end, due)
            words = [f"{period.label} ended {period.end.isoformat()}; due on working day "
                     f"{ob.working_days} after it, {due.isoformat()}"]
            if moved:
                words.append("bank holidays skipped: "
                             + ", ".join(d.isoformat() for d in moved))
            row = sent.get(period.label)
            on = row.submitted_on if row is not None else None
            if on is not None and on > as_of:
                words.append(f"submitted {on.isoformat()}, after the as-of date, so not yet")
                on = None
            status: ObligationStatus
            if on is not None:
                status = "met" if on <= due else "breached"
                late = "" if on <= due else f", {_days((on - due).days)} late"
                words.append(f"submitted {on.isoformat()}{late} ({row.ref if row else ''})")
            elif due < as_of:
                status = "breached"
                words.append(f"not submitted by {as_of.isoformat()}")
            else:
                status = "not_due"
                words.append(f"not submitted; not yet due at {as_of.isoformat()}")
            late_days = days_late(due, on, as_of) if status == "breached" else None
            penalty = penalty_of(ob, status, late_days)
            per_day = ob.penalty_basis == "per_day_late" and late_days is not None
            yield ObligationRow(
                obligation=ob.id, kind="report", party=ob.party, period=period.label,
                status=status, penalty=penalty, due=due, submitted_on=on,
                days_late=late_days if per_day else None,
                derivation="; ".join(words) + f" → {status}"
                           f"{penalty_words(ob, status, penalty, late_days)}")


class LedgerMasks:
    """Row masks over a ledger's text columns, each computed once per evaluation.

    Comparing a million strings takes milliseconds per column, and the obligations read from
    the ledger ask the same questions of it: rows of a kind, paid by a party, paid to one of
    a set of parties. One ``LedgerMasks`` per evaluation answers each question once, for all
    of them. Obligations evaluated on worker threads share it: the first to ask computes the
    mask (pyarrow's kernels release the GIL, so two can run at once), a later asker waits
    for it. Every mask is a null-free boolean array (a null cell reads as false).
    """

    def __init__(self, ledger: Ledger, parties: Iterable[str] = ()) -> None:
        self.ledger = ledger
        # the contract's parties: payees are matched against these once, then each set of
        # payees asked for is a cheap lookup by party index
        self._parties = list(dict.fromkeys(parties))
        self._lock = threading.Lock()
        self._masks: dict[tuple[str, ...], Future[pa.Array]] = {}

    def _once(self, key: tuple[str, ...], compute: Callable[[], pa.Array]) -> pa.Array:
        with self._lock:
            future = self._masks.get(key)
            mine = future is None
            if future is None:
                future = self._masks[key] = Future()
        if mine:
            try:
                future.set_result(compute())
            except BaseException as exc:  # the askers waiting on it get the error too
                future.set_exception(exc)
        return future.result()

    def kind_is(self, kind: str) -> pa.Array:
        """True on the rows of ``kind``."""
        return self._once(("kind", kind), lambda: bits(
            pc.equal(self.ledger.column("kind"), pa.scalar(kind, pa.string()))))

    def payer_is(self, party: str) -> pa.Array:
        """True on the rows paid by ``party``."""
        return self._once(("payer", party), lambda: bits(
            pc.equal(self.ledger.column("payer"), pa.scalar(party, pa.string()))))

    def payee_index(self) -> pa.Array:
        """Each row's payee as an index into the contract's parties (null if none of them)."""
        return self._once(("payee index",), lambda: pc.index_in(
            self.ledger.column("payee"), value_set=pa.array(self._parties, pa.string())))

    def payee_in(self, parties: Iterable[str]) -> pa.Array:
        """True on the rows paid to one of ``parties``."""
        wanted = set(parties)
        key = ("payee in", *sorted(wanted))
        if not wanted or not wanted <= set(self._parties):  # match the text itself
            return self._once(key, lambda: bits(pc.is_in(
                self.ledger.column("payee"), value_set=pa.array(sorted(wanted), pa.string()))))
        at = sorted(self._parties.index(p) for p in wanted)
        if at[-1] - at[0] + 1 == len(at):  # next to each other in the contract: a range
            low, high = pa.scalar(at[0], pa.int32()), pa.scalar(at[-1], pa.int32())
            return self._once(key, lambda: bits(pc.and_(
                pc.greater_equal(self.payee_index(), low),
                pc.less_equal(self.payee_index(), high))))
        lookup = pa.array([p in wanted for p in self._parties], pa.bool_())
        return self._once(key, lambda: bits(lookup.take(self.payee_index())))


def _paid_per_year(ob: SpendShareObligation, contract: Contract, ledger: Ledger,
                   masks: LedgerMasks | None = None) -> tuple[dict[int, Decimal], dict[int, int]]:
    """Sum and number of the payments from the party to the sector paid in each year.

    Over the ledger's columns: one mask of the payments counted, then per year a mask of
    its dates (bitmaps: cheap), a count of the mask and one exact decimal sum of the amounts
    it picks out (``sum_where``: the amounts are not copied).
    """
    masks = masks if masks is not None else LedgerMasks(ledger)
    years = contract.term.years
    payees = ([ob.to] if ob.to is not None else
              [p.id for p in contract.parties if p.sector == ob.sector and p.id != ob.party])
    paid = ledger.column("paid_on")
    in_term = bits(pc.and_(pc.greater_equal(paid, pa.scalar(years[0].start, pa.date32())),
                           pc.less_equal(paid, pa.scalar(years[-1].end, pa.date32()))))
    keep = bits(pc.and_(pc.and_(masks.payer_is(ob.party), masks.payee_in(payees)), in_term))
    amount = ledger.column("amount")
    totals: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    before: pa.Array | None = None  # the payments counted, paid up to the previous year's end
    for y in years:  # a year holds the dates after the previous year's end, up to its own
        # null-free: ``keep`` is false wherever a date is null, and false AND null is false
        upto = bits(pc.and_kleene(keep, pc.less_equal(paid, pa.scalar(y.end, pa.date32()))))
        in_year = upto if before is None else bits(pc.and_not(upto, before))
        count = true_count(in_year)
        if count:
            totals[y.number] = ZERO + sum_where(amount, in_year)
            counts[y.number] = count
        before = upto
    return totals, counts


def spend_share_rows(ob: SpendShareObligation, contract: Contract, ledger: Ledger,
                     as_of: dt.date, masks: LedgerMasks | None = None) -> Iterator[ObligationRow]:
    """One row per contract year: paid to the sector in the year vs share of annual value.

    ``masks`` shares the ledger's row masks with the evaluation's other obligations.
    """
    years = contract.term.years
    totals, counts = _paid_per_year(ob, contract, ledger, masks)
    for y in years:
        annual = contract.annual_value.for_year(y.number) if contract.annual_value else ZERO
        required = Fraction(ob.share) * Fraction(annual)
        actual = totals.get(y.number, ZERO)
        status: ObligationStatus
        if not y.as_period().ended_by(as_of):
            status = "not_due"
        else:
            status = "met" if Fraction(actual) >= required else "breached"
        to = ob.to if ob.to is not None else f"{ob.sector} parties"
        words = (f"{y.label}: required {percent_of(ob.share)} of annual value {pounds(annual)} "
                 f"= {pounds(shown_money(required))}; paid by {ob.party} to {to} "
                 f"in the year: {pounds(actual)} over {counts.get(y.number, 0)} "
                 f"payment{'s' if counts.get(y.number, 0) != 1 else ''}")
        if status == "not_due":
            words += f"; the year ends {y.end.isoformat()}"
        yield ObligationRow(
            obligation=ob.id, kind="spend_share", party=ob.party, period=y.label,
            status=status, penalty=_penalty(ob, status), due=y.end,
            required=shown_money(required), actual=actual,
            derivation=f"{words} → {status}{_penalty_words(ob, status)}")


def flow_down_rows(ob: FlowDownObligation, contract: Contract, ledger: Ledger,
                   earned: dict[str, YearPayment], as_of: dt.date,
                   masks: LedgerMasks | None = None) -> Iterator[ObligationRow]:
    """One row per contract year: outcome shares passed on within N days of the year end.

    Outcome shares are a handful of rows in any ledger: they are picked out of the columns,
    then summed as rows.
    """
    masks = masks if masks is not None else LedgerMasks(ledger)
    subs = ({ob.to} if ob.to is not None else
            {p.id for p in contract.parties if p.role == "subcontractor"})
    candidates = ledger.where(masks.kind_is("outcome_share"))
    shares = [p for p in candidates if p.payer == ob.party
              and p.payee in subs and p.paid_on is not None and p.paid_on <= as_of]
    for y in contract.term.years:
        window = add_days(y.end, ob.days)
        paid = [p for p in shares if p.paid_on is not None and y.end < p.paid_on <= window]
        actual = money_total(p.amount for p in paid)
        year_pay = earned.get(y.label)
        words = f"{y.label}: "
        status: ObligationStatus
        required: Decimal | None = None
        if year_pay is None:
            status = "not_due"
            words += f"the year ends {y.end.isoformat()}; not yet assessed"
        else:
            required = round_money(Fraction(ob.share) * Fraction(year_pay.earned))
            words += (f"required {percent_of(ob.share)} of earned {pounds(year_pay.earned)} = "
                      f"{pounds(required)}; passed on after {y.end.isoformat()} and by "
                      f"{window.isoformat()}: {pounds(actual)} over {len(paid)} "
                      f"payment{'s' if len(paid) != 1 else ''}")
            if actual >= required:
                status = "met"
            elif as_of > window:
                status = "breached"
            else:
                status = "not_due"
                words += f"; short, but {ob.days} days have not passed by {as_of.isoformat()}"
        yield ObligationRow(
            obligation=ob.id, kind="flow_down", party=ob.party, period=y.label, status=status,
            penalty=_penalty(ob, status), due=window, required=required,
            actual=actual if year_pay is not None else None,
            derivation=f"{words} → {status}{_penalty_words(ob, status)}")
