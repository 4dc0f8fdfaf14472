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
  subcontractor; flow-down counts rows of kind ``outcome_share`` from the party to
  subcontractors paid after the year end and no more than N days after it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction

from obc_check.checker.money import ZERO, percent_of, pounds, round_money, shown_money
from obc_check.checker.report import ObligationRow, ObligationStatus, YearPayment
from obc_check.checker.tables import PaymentRow, SubmissionRow
from obc_check.checker.workdays import add_working_days, bank_holidays_between
from obc_check.model import (
    Contract,
    FlowDownObligation,
    Obligation,
    PromptPaymentObligation,
    ReportObligation,
    SpendShareObligation,
)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _penalty(ob: Obligation, status: ObligationStatus) -> Decimal:
    if status == "breached" and ob.penalty is not None:
        return ob.penalty
    return ZERO


def _penalty_words(ob: Obligation, status: ObligationStatus) -> str:
    if status != "breached":
        return ""
    return f"; penalty {pounds(ob.penalty)}" if ob.penalty is not None else "; no penalty set"


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
            yield ObligationRow(
                obligation=ob.id, kind="report", party=ob.party, period=period.label,
                status=status, penalty=_penalty(ob, status), due=due, submitted_on=on,
                derivation="; ".join(words) + f" → {status}{_penalty_words(ob, status)}")


def spend_share_rows(ob: SpendShareObligation, contract: Contract,
                     payments: Sequence[PaymentRow], as_of: dt.date) -> Iterator[ObligationRow]:
    """One row per contract year: paid to the sector in the year vs share of annual value."""
    totals: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    years = contract.term.years
    ends = [y.end for y in years]
    first, last = years[0].start, years[-1].end
    payees = {p.id for p in contract.parties if p.sector == ob.sector and p.id != ob.party}
    for p in payments:
        paid = p.paid_on
        if p.payer != ob.party or p.payee not in payees or paid is None:
            continue
        if first <= paid <= last:
            number = bisect_left(ends, paid) + 1
            totals[number] = totals.get(number, ZERO) + p.amount
            counts[number] = counts.get(number, 0) + 1
    for y in years:
        annual = contract.annual_value.for_year(y.number) if contract.annual_value else ZERO
        required = Fraction(ob.share) * Fraction(annual)
        actual = totals.get(y.number, ZERO)
        status: ObligationStatus
        if not y.as_period().ended_by(as_of):
            status = "not_due"
        else:
            status = "met" if Fraction(actual) >= required else "breached"
        words = (f"{y.label}: required {percent_of(ob.share)} of annual value {pounds(annual)} "
                 f"= {pounds(shown_money(required))}; paid by {ob.party} to {ob.sector} "
                 f"parties in the year: {pounds(actual)} over {counts.get(y.number, 0)} "
                 f"payment{'s' if counts.get(y.number, 0) != 1 else ''}")
        if status == "not_due":
            words += f"; the year ends {y.end.isoformat()}"
        yield ObligationRow(
            obligation=ob.id, kind="spend_share", party=ob.party, period=y.label,
            status=status, penalty=_penalty(ob, status), due=y.end,
            required=shown_money(required), actual=actual,
            derivation=f"{words} → {status}{_penalty_words(ob, status)}")


def _prompt_status(received: dt.date, paid: dt.date | None, due: dt.date,
                   as_of: dt.date) -> tuple[ObligationStatus, str]:
    if received > as_of:
        return "not_due", "received after the as-of date"
    if paid is not None and paid <= as_of:
        days = (paid - received).days
        if paid <= due:
            return "met", f"paid {paid.isoformat()}, {_days(days)} after receipt"
        return "breached", f"paid {paid.isoformat()}, {_days(days)} after receipt, " \
                           f"{_days((paid - due).days)} late"
    if as_of > due:
        return "breached", f"unpaid at {as_of.isoformat()}, {_days((as_of - due).days)} past due"
    return "not_due", f"unpaid at {as_of.isoformat()}, not yet due"


def _by_receipt(invoices: list[PaymentRow]) -> list[PaymentRow]:
    """Invoices in order of receipt, then reference: two stable sorts, no key tuples."""
    invoices.sort(key=lambda p: p.invoice or "")
    invoices.sort(key=lambda p: p.received_on or dt.date.min)
    return invoices


def prompt_rows(ob: PromptPaymentObligation, contract: Contract,
                payments: Sequence[PaymentRow], as_of: dt.date) -> Iterator[ObligationRow]:
    """One row per invoice the party received from a subcontractor.

    O(n) over the ledger apart from one sort; due dates are shared between invoices received
    on the same day, so a million rows stay small.
    """
    subs = {p.id for p in contract.parties if p.role == "subcontractor"}
    party = ob.party
    invoices = _by_receipt([p for p in payments
                            if p.kind == "invoice" and p.payer == party and p.payee in subs])
    days = dt.timedelta(days=ob.days)
    penalty = ob.penalty if ob.penalty is not None else ZERO
    due_on: dict[dt.date, dt.date] = {}
    for p in invoices:
        name = p.invoice or f"{p.payee} {p.ref}"
        received = p.received_on
        if received is None:
            status: ObligationStatus = "not_due"
            due = None
            why = "no received_on date, so it cannot be assessed"
        else:
            due = due_on.get(received)
            if due is None:
                due = due_on[received] = received + days
            status, why = _prompt_status(received, p.paid_on, due, as_of)
        breached = status == "breached"
        yield ObligationRow(
            obligation=ob.id, kind="prompt_payment", party=party, invoice=name,
            status=status, penalty=penalty if breached else ZERO, due=due,
            payee=p.payee, amount=p.amount, received_on=received, paid_on=p.paid_on,
            # Latin-1 text only (no "→"): a million of these strings then take half the memory
            derivation=(f"{name} from {p.payee}, {pounds(p.amount)}: received "
                        f"{received.isoformat() if received else '?'}, due within {ob.days} "
                        f"days by {due.isoformat() if due else '?'}; {why}: {status}"
                        f"{_penalty_words(ob, status) if breached else ''} ({p.ref})"))


def flow_down_rows(ob: FlowDownObligation, contract: Contract, payments: Sequence[PaymentRow],
                   earned: dict[str, YearPayment], as_of: dt.date) -> Iterator[ObligationRow]:
    """One row per contract year: outcome shares passed on within N days of the year end."""
    subs = {p.id for p in contract.parties if p.role == "subcontractor"}
    shares = [p for p in payments if p.kind == "outcome_share" and p.payer == ob.party
              and p.payee in subs and p.paid_on is not None and p.paid_on <= as_of]
    for y in contract.term.years:
        window = y.end + dt.timedelta(days=ob.days)
        paid = [p for p in shares if p.paid_on is not None and y.end < p.paid_on <= window]
        actual = sum((p.amount for p in paid), ZERO)
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
