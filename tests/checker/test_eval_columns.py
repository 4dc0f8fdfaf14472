"""The columnar evaluation of the ledger agrees with plain row-by-row reckoning.

Spend share and prompt payment work over pyarrow columns with shared text masks, bitmaps
for statuses, masked sums and a partial selection of the first rows to show. Here random
ledgers (any row order, several payers, outcome shares, nulls, repeated references) are
checked against row-wise oracles, and the pieces at their edges.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import threading
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.ledger import Ledger
from obc_check.checker.data.money import ZERO, pounds
from obc_check.checker.data.tables import PaymentRow, RowRef
from obc_check.checker.report.prompt_block import (
    STATUS_OF_WHY,
    STATUSES,
    PromptBlock,
    bits,
    sum_where,
    why_codes,
)
from obc_check.checker.report.rows import ObligationRow, ObligationStatus
from obc_check.checker.rules.evaluate import evaluate
from obc_check.checker.rules.obligations import LedgerMasks, _paid_per_year
from obc_check.checker.rules.prompt_payment import due_dates, prompt_block
from obc_check.model import Contract, PromptPaymentObligation, SpendShareObligation

CONTRACT = """
contract T "Test" {
  version "1"
  currency GBP
  term 2016-04-01 to 2019-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Prime" role prime_contractor sector private
  party S1 "Sub one" role subcontractor sector voluntary
  party S2 "Sub two" role subcontractor sector nhs
  party V "Charity" role commissioner sector voluntary
  annual_value £100,000
  obligation VCS "Voluntary share" {
    P shall pay at least 8% of annual_value to voluntary sector parties each year
  }
  obligation PROMPT "Prompt payment" {
    P shall pay subcontractor invoices within 30 days of receipt
    penalty £100 per breach
  }
}
"""

START = dt.date(2016, 1, 1)


@pytest.fixture
def contract(obc: Callable[[str], Contract]) -> Contract:
    return obc(CONTRACT)


def _ledger(seed: int, n: int) -> list[PaymentRow]:
    """Random payments: any order, several payers and payees, nulls, repeated references."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        received = None if rng.random() < 0.05 else START + dt.timedelta(rng.randrange(1400))
        base = received or START + dt.timedelta(rng.randrange(1400))
        paid = None if rng.random() < 0.15 else base + dt.timedelta(rng.randrange(-3, 60))
        invoice = None if rng.random() < 0.03 else f"INV-{rng.randrange(n // 2 + 1):05d}"
        rows.append(PaymentRow(
            rng.choice(["P", "P", "P", "C", "S1"]), rng.choice(["S1", "S2", "V", "C", "P"]),
            invoice, Decimal(rng.randrange(0, 10**9)) / 100, received, paid,
            rng.choice(["invoice", "invoice", "invoice", "outcome_share"]),  # type: ignore[arg-type]
            RowRef("payments.csv", i + 2)))
    return rows


def _ob(contract: Contract, kind: type) -> object:
    return next(o for o in contract.obligations if isinstance(o, kind))


def _prompt_oracle(ob: PromptPaymentObligation, contract: Contract, payments: list[PaymentRow],
                   as_of: dt.date) -> list[ObligationRow]:
    """Prompt payment row by row (as the checker did before it went columnar)."""
    def days(n: int) -> str:
        return f"{n} day{'s' if n != 1 else ''}"

    subs = {p.id for p in contract.parties if p.role == "subcontractor"}
    invoices = [p for p in payments
                if p.kind == "invoice" and p.payer == ob.party and p.payee in subs]
    # by receipt date, then the reference shown ("payee file:row" without one); stable
    invoices.sort(key=lambda p: p.invoice or f"{p.payee} {p.ref}")
    invoices.sort(key=lambda p: p.received_on or dt.date.min)
    out = []
    for p in invoices:
        name = p.invoice or f"{p.payee} {p.ref}"
        received, paid = p.received_on, p.paid_on
        due = None if received is None else received + dt.timedelta(days=ob.days)
        status: ObligationStatus
        if received is None or due is None:
            status, why = "not_due", "no received_on date, so it cannot be assessed"
        elif received > as_of:
            status, why = "not_due", "received after the as-of date"
        elif paid is not None and paid <= as_of:
            why = f"paid {paid.isoformat()}, {days((paid - received).days)} after receipt"
            if paid <= due:
                status = "met"
            else:
                status, why = "breached", f"{why}, {days((paid - due).days)} late"
        elif as_of > due:
            status = "breached"
            why = f"unpaid at {as_of.isoformat()}, {days((as_of - due).days)} past due"
        else:
            status, why = "not_due", f"unpaid at {as_of.isoformat()}, not yet due"
        breached = status == "breached"
        words = (f"; penalty {pounds(ob.penalty)}" if ob.penalty is not None
                 else "; no penalty set") if breached else ""
        out.append(ObligationRow(
            obligation=ob.id, kind="prompt_payment", party=ob.party, invoice=name,
            status=status, penalty=(ob.penalty or ZERO) if breached else ZERO, due=due,
            payee=p.payee, amount=p.amount, received_on=received, paid_on=paid,
            derivation=(f"{name} from {p.payee}, {pounds(p.amount)}: received "
                        f"{received.isoformat() if received else '?'}, due within {ob.days} "
                        f"days by {due.isoformat() if due else '?'}; {why}: {status}"
                        f"{words} ({p.ref})")))
    return out


def _spend_oracle(ob: SpendShareObligation, contract: Contract,
                  payments: list[PaymentRow]) -> tuple[dict[int, Decimal], dict[int, int]]:
    years = contract.term.years
    payees = {p.id for p in contract.parties if p.sector == ob.sector and p.id != ob.party}
    totals: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    after: dt.date | None = None
    for y in years:
        paid = [p for p in payments if p.payer == ob.party and p.payee in payees
                and p.paid_on is not None and years[0].start <= p.paid_on <= years[-1].end
                and (after is None or p.paid_on > after) and p.paid_on <= y.end]
        if paid:
            totals[y.number] = sum((p.amount for p in paid), ZERO)
            counts[y.number] = len(paid)
        after = y.end
    return totals, counts


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("as_of", [dt.date(2017, 6, 30), dt.date(2019, 12, 31)])
def test_prompt_block_and_spend_share_match_row_oracles(contract: Contract, seed: int,
                                                        as_of: dt.date) -> None:
    payments = _ledger(seed, 1500)
    ledger = Ledger.from_rows(payments)
    prompt = _ob(contract, PromptPaymentObligation)
    spend = _ob(contract, SpendShareObligation)
    assert isinstance(prompt, PromptPaymentObligation)
    assert isinstance(spend, SpendShareObligation)
    masks = LedgerMasks(ledger, [p.id for p in contract.parties])
    block = prompt_block(prompt, contract, ledger, as_of, masks)
    expected = _prompt_oracle(prompt, contract, payments, as_of)
    assert list(block.rows()) == expected
    for status in STATUSES:
        assert block.count(status) == sum(1 for r in expected if r.status == status)
        assert list(block.rows(status)) == [r for r in expected if r.status == status]
    # shared masks or not, the sums are the oracle's
    assert _paid_per_year(spend, contract, ledger, masks) == _spend_oracle(spend, contract,
                                                                           payments)
    assert _paid_per_year(spend, contract, ledger) == _spend_oracle(spend, contract, payments)


@pytest.mark.parametrize("seed", range(4))
def test_the_report_does_not_depend_on_ledger_order(contract: Contract, seed: int) -> None:
    payments = _ledger(seed + 10, 800)
    shuffled = list(payments)
    random.Random(seed).shuffle(shuffled)
    as_of = dt.date(2018, 9, 30)
    a = evaluate(contract, Bundle("t", payments=Ledger.from_rows(payments),
                                  present=frozenset({"payments"})), as_of)
    b = evaluate(contract, Bundle("t", payments=Ledger.from_rows(shuffled),
                                  present=frozenset({"payments"})), as_of)
    assert a.to_json() == b.to_json()


def test_statuses_by_bitmaps_agree_with_the_reasons(contract: Contract) -> None:
    """Evaluation derives statuses with bitmaps; derivations their reasons, case by case."""
    prompt = _ob(contract, PromptPaymentObligation)
    assert isinstance(prompt, PromptPaymentObligation)
    for as_of in (dt.date(2016, 1, 1), dt.date(2017, 6, 30), dt.date(2020, 1, 1)):
        block = prompt_block(prompt, contract, Ledger.from_rows(_ledger(3, 2000)), as_of)
        t = block.table
        why = why_codes(t.column("received_on"), t.column("paid_on"), t.column("due"), as_of)
        assert [STATUS_OF_WHY[w] for w in why.to_pylist()] == [
            STATUSES[s] for s in t.column("status").to_pylist()]


@pytest.mark.parametrize("seed", range(5))
def test_the_first_rows_of_a_status_are_those_of_the_full_sort(contract: Contract,
                                                               seed: int) -> None:
    """The text report takes the first N breached rows by a partial selection."""
    prompt = _ob(contract, PromptPaymentObligation)
    assert isinstance(prompt, PromptPaymentObligation)
    rng = random.Random(seed)
    payments = _ledger(seed + 20, 3000)
    if seed % 2:  # many ties on the receipt date, and undated rows
        payments = [replace(p, received_on=None if rng.random() < 0.2
                            else START + dt.timedelta(rng.randrange(3)))
                    for p in payments]
    block = prompt_block(prompt, contract, Ledger.from_rows(payments), dt.date(2018, 9, 30))
    for status in STATUSES:
        whole = replace(block).indices(status).to_pylist()
        for limit in (0, 1, 2, 7, 100, len(whole) - 1, len(whole), len(whole) + 1):
            if limit < 0:
                continue
            assert replace(block).indices(status, limit).to_pylist() == whole[:limit]
            assert replace(block).label_cells(status, limit)[0] == [
                block.table.column("invoice")[i].as_py() for i in whole[:limit]]


def test_due_dates_clamp_at_the_last_date_and_keep_nulls() -> None:
    received = pa.array([dt.date(2016, 1, 1), None, dt.date(9999, 12, 30)], pa.date32())
    assert due_dates(received, 5).to_pylist() == [
        dt.date(2016, 1, 6), None, dt.date(9999, 12, 31)]
    assert due_dates(received, -1).to_pylist() == [
        dt.date(2015, 12, 31), None, dt.date(9999, 12, 29)]
    assert due_dates(pa.array([None], pa.date32()), 2**40).to_pylist() == [None]
    with pytest.raises(pa.ArrowInvalid):
        due_dates(received, 2**40)


def test_sum_where_with_nulls_offsets_and_nothing_picked() -> None:
    values = pa.array([Decimal("1.10"), None, Decimal("2.50"), Decimal("3.25"),
                       Decimal("4.00")], pa.decimal128(38, 2))
    mask = pa.array([True, True, False, True, None])
    assert sum_where(values, mask) == Decimal("4.35")
    assert sum_where(values.slice(1), mask.slice(1)) == Decimal("3.25")
    assert sum_where(values.slice(2), pa.array([True, True, True])) == Decimal("9.75")
    assert sum_where(values, pa.array([False] * 5)) == ZERO


def test_bits_reads_null_as_false_and_drops_the_validity_bitmap() -> None:
    mask = pc.and_(pa.array([True, None, True, False]), pa.array([True, True, None, True]))
    clean = bits(mask)
    assert clean.to_pylist() == [True, False, False, False]
    assert clean.buffers()[0] is None
    sliced = bits(pc.fill_null(pa.array([None, True, False, True]), False).slice(1))
    assert sliced.to_pylist() == [True, False, True]


def test_ledger_masks_are_shared_and_answer_any_set(contract: Contract) -> None:
    payments = _ledger(1, 300)
    masks = LedgerMasks(Ledger.from_rows(payments), [p.id for p in contract.parties])
    got: list[pa.Array] = []
    threads = [threading.Thread(target=lambda: got.append(masks.payer_is("P")))
               for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(m is got[0] for m in got)  # computed once, by the first to ask
    assert got[0].to_pylist() == [p.payer == "P" for p in payments]
    for wanted in ([], ["S1"], ["S1", "S2"], ["S1", "NOBODY"], ["C", "P", "S1", "S2", "V"],
                   ["C", "S1"], ["V", "P"]):  # a range of the parties, or not
        assert masks.payee_in(wanted).to_pylist() == [p.payee in wanted for p in payments]
    assert masks.kind_is("outcome_share").to_pylist() == [
        p.kind == "outcome_share" for p in payments]


def test_an_error_on_a_worker_reaches_the_caller(contract: Contract,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # the module, not the function that rules/__init__ exports under the same name
    evaluate_module = importlib.import_module("obc_check.checker.rules.evaluate")

    def fail(*args: object) -> PromptBlock:
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluate_module, "prompt_block", fail)
    bundle = Bundle("t", payments=Ledger.from_rows(_ledger(2, 50)),
                    present=frozenset({"payments"}))
    with pytest.raises(RuntimeError, match="boom"):
        evaluate(contract, bundle, dt.date(2018, 9, 30))
