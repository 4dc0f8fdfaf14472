"""The columnar path (pyarrow) and the row path give the same bundles, reports and errors.

``columnar_csv.payments`` reads a plainly valid payments.csv in bulk; anything else falls
back to the row validator. Prompt payment is evaluated over columns and kept columnar in
the report. These tests run both ways and compare: library bundles, a generated ledger with
bad rows (same diagnostics), and random ledgers (hypothesis). The row-wise prompt-payment
evaluation the checker used before is kept here as the oracle.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.check import check_bundle
from obc_check.checker.data import columnar_csv
from obc_check.checker.data.load import load_bundle
from obc_check.checker.data.money import ZERO, pounds
from obc_check.checker.data.tables import PaymentRow
from obc_check.checker.report.formats import ReportFormat, render
from obc_check.checker.report.obligation_rows import ObligationRows
from obc_check.checker.report.prompt_block import PromptBlock
from obc_check.checker.report.rows import ObligationRow, ObligationStatus
from obc_check.dsl import compile_file
from obc_check.model import Contract, PromptPaymentObligation

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "contracts"
AS_OF = dt.date(2018, 9, 30)


def _contract(name: str) -> Contract:
    contract = compile_file(LIBRARY / name / "contract.obc").contract
    assert contract is not None
    return contract


def _both(contract: Contract, data: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    fast = check_bundle(contract, data, AS_OF)
    with monkeypatch.context() as m:
        m.setattr(columnar_csv, "payments", lambda raw, ctx: None)
        slow = check_bundle(contract, data, AS_OF)
    return fast, slow


@pytest.mark.parametrize("name", ["amh", "msk", "older_people", "rough_sleeping",
                                  "care_leavers_lcf", "msk_prime_terms"])
def test_library_bundles_same_both_ways(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    contract = _contract(name)
    data = LIBRARY / name / "data"
    fast_bundle, _ = load_bundle(data, contract)
    with monkeypatch.context() as m:
        m.setattr(columnar_csv, "payments", lambda raw, ctx: None)
        slow_bundle, _ = load_bundle(data, contract)
    assert fast_bundle is not None and slow_bundle is not None
    assert fast_bundle.payments == slow_bundle.payments
    assert tuple(fast_bundle.payments) == tuple(slow_bundle.payments)
    (fast, d1), (slow, d2) = _both(contract, data, monkeypatch)
    assert d1 == d2
    assert fast is not None and slow is not None
    for fmt in ReportFormat:
        assert render(fast, fmt) == render(slow, fmt)


def _prompt_status(received: dt.date, paid: dt.date | None, due: dt.date,
                   as_of: dt.date) -> tuple[ObligationStatus, str]:
    def days(n: int) -> str:
        return f"{n} day{'s' if n != 1 else ''}"
    if received > as_of:
        return "not_due", "received after the as-of date"
    if paid is not None and paid <= as_of:
        n = (paid - received).days
        if paid <= due:
            return "met", f"paid {paid.isoformat()}, {days(n)} after receipt"
        return "breached", f"paid {paid.isoformat()}, {days(n)} after receipt, " \
                           f"{days((paid - due).days)} late"
    if as_of > due:
        return "breached", f"unpaid at {as_of.isoformat()}, {days((as_of - due).days)} past due"
    return "not_due", f"unpaid at {as_of.isoformat()}, not yet due"


def _oracle(ob: PromptPaymentObligation, contract: Contract, payments: list[PaymentRow],
            as_of: dt.date) -> list[ObligationRow]:
    """The row-wise prompt-payment evaluation the columnar one replaced."""
    subs = {p.id for p in contract.parties if p.role == "subcontractor"}
    invoices = [p for p in payments
                if p.kind == "invoice" and p.payer == ob.party and p.payee in subs]
    invoices.sort(key=lambda p: p.invoice or "")
    invoices.sort(key=lambda p: p.received_on or dt.date.min)
    out = []
    for p in invoices:
        name = p.invoice or f"{p.payee} {p.ref}"
        received = p.received_on
        due = None if received is None else received + dt.timedelta(days=ob.days)
        if received is None or due is None:
            status: ObligationStatus = "not_due"
            why = "no received_on date, so it cannot be assessed"
        else:
            status, why = _prompt_status(received, p.paid_on, due, as_of)
        breached = status == "breached"
        words = ((f"; penalty {pounds(ob.penalty)}" if ob.penalty is not None
                  else "; no penalty set") if breached else "")
        out.append(ObligationRow(
            obligation=ob.id, kind="prompt_payment", party=ob.party, invoice=name,
            status=status, penalty=(ob.penalty or ZERO) if breached else ZERO, due=due,
            payee=p.payee, amount=p.amount, received_on=received, paid_on=p.paid_on,
            derivation=(f"{name} from {p.payee}, {pounds(p.amount)}: received "
                        f"{received.isoformat() if received else '?'}, due within {ob.days} "
                        f"days by {due.isoformat() if due else '?'}; {why}: {status}"
                        f"{words} ({p.ref})")))
    return out


def _ledger_csv(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "payments.csv").write_text(
        "payer,payee,invoice,amount,received_on,paid_on,kind\n" + "".join(rows))
    return folder


def _generated(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    start = dt.date(2015, 4, 1)
    lines = []
    for i in range(n):
        received = start + dt.timedelta(days=rng.randrange(1300))
        delay = rng.randrange(50)
        paid = "" if delay > 45 else (received + dt.timedelta(days=delay)).isoformat()
        lines.append(f"OH,{rng.choice(['MIND', 'RESP', 'ELM', 'CSL', 'RST', 'OCCG'])},"
                     f"INV-{i:05d},{rng.randrange(0, 10**8) / 100},{received.isoformat()},"
                     f"{paid},{rng.choice(['', 'invoice', 'invoice'])}\n")
    return lines


def test_prompt_block_matches_the_row_wise_oracle(tmp_path: Path) -> None:
    contract = _contract("amh")
    data = _ledger_csv(tmp_path / "b", _generated(3000, 1))
    for name in ("indicators.csv", "submissions.csv"):
        (data / name).write_bytes((LIBRARY / "amh" / "data" / name).read_bytes())
    report, diags = check_bundle(contract, data, AS_OF)
    assert report is not None, diags
    bundle, _ = load_bundle(data, contract)
    assert bundle is not None
    ob = next(o for o in contract.obligations if isinstance(o, PromptPaymentObligation))
    blocks = [p for p in report.obligations.parts if isinstance(p, PromptBlock)]
    assert len(blocks) == 1
    assert list(blocks[0].rows()) == _oracle(ob, contract, list(bundle.payments), AS_OF)
    again = ObligationRows(list(report.obligations))  # the same rows, all as objects
    assert report.obligations == again
    assert [r for r in again if r.status == "breached"] == list(
        report.obligations.where("breached"))


def test_bad_rows_fall_back_to_the_row_diagnostics(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    contract = _contract("amh")
    rows = _generated(500, 2)
    rows[10] = "OH,NOBODY,INV-X1,12.50,2016-01-01,,invoice\n"
    rows[20] = "OH,MIND,INV-X2,12.505,2016-02-30,,invoice\n"
    rows[30] = rows[31]
    rows[40] = "OH,MIND,INV-X3,£12,2016-01-01,,\n"
    data = _ledger_csv(tmp_path / "bad", rows)
    (fast, d1), (slow, d2) = _both(contract, data, monkeypatch)
    assert fast is None and slow is None
    assert d1 == d2 and len(d1) >= 4


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(n=st.integers(0, 60), seed=st.integers(0, 10**6), quoted=st.booleans(),
       crlf=st.booleans())
def test_same_report_whichever_path(tmp_path_factory: pytest.TempPathFactory, n: int,
                                    seed: int, quoted: bool, crlf: bool) -> None:
    contract = _contract("amh")
    rows = _generated(n, seed)
    if quoted and rows:
        rows[0] = rows[0].replace("OH,", '"OH",', 1)
    if crlf:
        rows = [r.replace("\n", "\r\n") for r in rows]
    data = _ledger_csv(tmp_path_factory.mktemp("h"), rows)
    with pytest.MonkeyPatch.context() as mp:
        (fast, d1), (slow, d2) = _both(contract, data, mp)
    assert d1 == d2
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast.to_json() == slow.to_json()
        assert render(fast, ReportFormat.text) == render(slow, ReportFormat.text)


ODD_CELLS = ["2015-6-1", "2015-06-01T00:00", " 2015-06-01", "2015-06-01 ", "+015-06-01",
             "2015/06/01", "20150601", "2015-13-01", "2015-02-30", "0000-01-01",
             "2015-06-1 ", "2015- 6-01", "１２３４-06-01"]


@pytest.mark.parametrize("cell", ODD_CELLS)
def test_odd_dates_get_the_row_diagnostics(cell: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The date check is by length and the date32 cast; an odd date still falls back."""
    contract = _contract("amh")
    rows = _generated(50, 5)
    rows[7] = f"OH,MIND,INV-Y1,12.50,{cell},,invoice\n"
    rows[9] = f"OH,MIND,INV-Y2,12.50,2016-01-01,{cell},invoice\n"
    (fast, d1), (slow, d2) = _both(contract, _ledger_csv(tmp_path / "odd", rows), monkeypatch)
    assert d1 == d2
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast.to_json() == slow.to_json()


@pytest.mark.parametrize("cell", [" 12.50", "1e3", "-0", "+5", ".5", "5.", "12.505",
                                  "1,000.00", "0012.50"])
def test_odd_amounts_get_the_row_diagnostics(cell: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    contract = _contract("amh")
    rows = _generated(50, 6)
    rows[7] = f'OH,MIND,INV-Y1,{cell},2016-01-01,,invoice\n'.replace(",1,000.00,",
                                                                     ',"1,000.00",')
    (fast, d1), (slow, d2) = _both(contract, _ledger_csv(tmp_path / "odd", rows), monkeypatch)
    assert d1 == d2
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast.to_json() == slow.to_json()


def test_date_read_agrees_with_the_row_parser() -> None:
    """A date cell pyarrow's CSV read accepts means the same date to the row validator.

    The columnar path reads dates with pyarrow and relies on this (year 0 aside, which it
    looks for itself): mutated dates, blanks, tabs, quotes, signs and impossible days.
    """
    import random

    import pyarrow as pa
    import pyarrow.compute as pc

    from obc_check.checker.data.cells import CellError, parse_date

    rng = random.Random(11)
    cells = {"2016-02-29", "1900-02-29", "2000-02-29", "2100-02-29", " 2015-04-01",
             "\t2015-04-01 ", '"2015-04-01"', "0000-01-01", "   ", "+2015-04-01"}
    for _ in range(3000):
        chars = list(rng.choice(["2015-06-01", "2016-02-29", "1999-12-31"]))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars) + 1)
            new = rng.choice("0123456789-+ T:/Z.e\t\"")
            if rng.random() < 0.5 and at < len(chars):
                chars[at] = new
            else:
                chars.insert(at, new)
        cells.add("".join(chars))
    accepted = 0
    for cell in sorted(cells):
        table = columnar_csv.read(pa.py_buffer(f"h,x\n{cell},x\n".encode()),
                                  ["received_on", "x"])
        if table is None:
            continue
        column = table.column("received_on")
        year = pc.year(column)[0].as_py()
        if year is not None and year < 1:
            continue  # the columnar path refuses year 0 itself
        day = column[0].as_py()
        accepted += 1
        try:
            assert parse_date(cell, {}) == day, cell
        except CellError:
            raise AssertionError(f"pyarrow takes {cell!r} as {day}; "
                                 "the row path refuses it") from None
    assert accepted > 100  # the mutations do not all fail


def test_repeated_invoice_found_in_any_order(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Rising references skip the hash; a repeat anywhere still goes to the row path."""
    contract = _contract("amh")
    rows = _generated(300, 8)
    rows[250] = rows[3]
    (fast, d1), (slow, d2) = _both(contract, _ledger_csv(tmp_path / "dup", rows), monkeypatch)
    assert fast is None and slow is None and d1 == d2


def _fast_ledger(data: Path, contract: Contract) -> object:
    """What the columnar path makes of ``data``'s payments.csv (None: it fell back)."""
    from obc_check.checker.data.columns import TABLES
    from obc_check.checker.data.context import ContractIndex
    from obc_check.checker.data.problems import Problems
    from obc_check.checker.data.source_csv import read_csv

    raw = read_csv(data / "payments.csv", "payments.csv", TABLES["payments"], Problems())
    assert raw is not None
    return columnar_csv.payments(raw, ContractIndex.of(contract))


@pytest.mark.parametrize("shape", ["plain", "crlf", "bom", "lone-cr", "no-final-newline",
                                   "spaces-inside", "no-kind-column"])
def test_clean_ledgers_take_the_columnar_path(shape: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is not silently skipped: clean files of every line shape take it."""
    contract = _contract("amh")
    rows = _generated(200, 3)
    header = "payer,payee,invoice,amount,received_on,paid_on,kind\n"
    if shape == "spaces-inside":
        rows[5] = rows[5].replace("INV-", "INV -", 1)
    if shape == "no-kind-column":
        header = header.replace(",kind", "")
        rows = [r.rsplit(",", 1)[0] + "\n" for r in rows]
    text = header + "".join(rows)
    if shape == "crlf":
        text = text.replace("\n", "\r\n")
    if shape == "lone-cr":
        text = text.replace("\n", "\r")
    if shape == "no-final-newline":
        text = text.rstrip("\n")
    data = tmp_path / "b"
    data.mkdir()
    (data / "payments.csv").write_bytes((b"\xef\xbb\xbf" if shape == "bom" else b"")
                                        + text.encode())
    assert _fast_ledger(data, contract) is not None
    (fast, d1), (slow, d2) = _both(contract, data, monkeypatch)
    assert d1 == d2 and fast is not None and slow is not None
    assert fast.to_json() == slow.to_json()


@pytest.mark.parametrize("line", [
    '"OH",MIND,INV-Q1,12.50,2016-01-01,,invoice',
    'OH,MIND,"INV-Q1",12.50,2016-01-01,,invoice',
    'OH,MIND,"INV,Q1",12.50,2016-01-01,,invoice',
    'OH,MIND,INV-Q1,"12.50",2016-01-01,,invoice',
    'OH,MIND,INV-Q1,12.50,"2016-01-01",,invoice',
    'OH,MIND,INV-Q1,12.50,2016-01-01,,"invoice"',
    "",
    " OH,MIND,INV-Q1,12.50,2016-01-01,,invoice",
    "OH,MIND,INV-Q1 ,12.50,2016-01-01,,invoice",
    "OH,MIND,\tINV-Q1,12.50,2016-01-01,,invoice",
    "OH,MIND,INV-Q1,12.50,0000-01-01,,invoice",
    "OH,MIND,INV-Q1,12.50,2016-01-01,,invoice,extra",
    "OH,MIND,INV-Q1,12.50,2016-01-01,",
    "OH,MIND,INV-Q1,12.50,2016-01-05,2016-01-01,invoice",  # paid before received: D026
])
def test_odd_lines_leave_the_columnar_path(line: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Quotes, blank lines, padding and ragged rows go to the row validator, same result."""
    contract = _contract("amh")
    rows = _generated(40, 4)
    rows[20] = line + "\n"
    data = _ledger_csv(tmp_path / "odd", rows)
    assert _fast_ledger(data, contract) is None
    (fast, d1), (slow, d2) = _both(contract, data, monkeypatch)
    assert d1 == d2
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast.to_json() == slow.to_json()


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.text(alphabet="0123456789.+-eE ,£٣x", max_size=19), min_size=1,
                      max_size=5))
def test_money_check_is_the_money_shape(cells: list[str]) -> None:
    """The columnar money check takes exactly the cells ``_MONEY`` (the row fast path) takes."""
    import re

    import pyarrow as pa

    shape = re.compile(columnar_csv._MONEY)
    taken = columnar_csv._money(pa.array(cells, pa.string()))
    assert (taken is not None) == all(shape.match(c) for c in cells)
    if taken is not None:
        from decimal import Decimal
        assert taken.to_pylist() == [Decimal(c) for c in cells]


@pytest.mark.parametrize("cell", ["1", "12.5", "12.50", "000000000000001.99",
                                  "999999999999999.99", "1234567890123456", "1.", ".5",
                                  "1.234", "1..2", "1.2.3", "+1", "-1", "1e3", " 1", "1 ", ""])
def test_money_check_examples(cell: str) -> None:
    import re

    import pyarrow as pa

    taken = columnar_csv._money(pa.array([cell], pa.string()))
    assert (taken is not None) == bool(re.match(columnar_csv._MONEY, cell))


@pytest.mark.parametrize("name", ["care_leavers_lcf", "msk_prime_terms"])
def test_the_columnar_path_takes_outcome_payments_with_their_period(name: str) -> None:
    """TERMS.md's ledgers (outcome_payment rows, a period column) stay on the fast path."""
    from obc_check.checker.data.columns import TABLES
    from obc_check.checker.data.context import ContractIndex
    from obc_check.checker.data.problems import Problems
    from obc_check.checker.data.source_csv import read_csv

    contract = _contract(name)
    path = LIBRARY / name / "data" / "payments.csv"
    raw = read_csv(path, str(path), TABLES["payments"], Problems())
    assert raw is not None
    ledger = columnar_csv.payments(raw, ContractIndex.of(contract))
    assert ledger is not None  # not None: the fast path took the whole table
    periods = [p.period for p in ledger if p.kind == "outcome_payment"]
    assert periods and all(periods)
    assert all(p.period is None for p in ledger if p.kind != "outcome_payment")
