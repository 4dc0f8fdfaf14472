"""Review findings on the data side: inputs that crashed, hung or were silently misread.

Each test states the answer LANGUAGE.md / CLI.md require: bad data is an error reported
with a D-code (exit 2), never a traceback or a silently dropped value, and arithmetic on
money is exact however large the figures.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obc_check.checker.data.load import load_bundle
from obc_check.checker.rules.evaluate import evaluate
from obc_check.cli import app
from obc_check.dsl import compile_text
from obc_check.model import Contract

CONTRACT = """
contract R "Review" {
  version "1"
  currency GBP
  term 2017-01-01 to 2017-12-31
  party C "Commissioner" role commissioner sector local_authority
  party P "Provider" role lead_provider sector private
  party S "Sub" role subcontractor sector voluntary
  annual_value £1,000,000
  outcome_payment 10%
  outcome O "O" weight 100% {
    indicator X "X" { unit percent higher is better floor 50% target 60% }
  }
  obligation VS "Vol" {
    P shall pay at least 10% of annual_value to voluntary sector parties each year
  }
  obligation PP "Prompt" {
    P shall pay subcontractor invoices within 30 days of receipt
    penalty £5 per breach
  }
}
"""


def _contract(text: str = CONTRACT) -> Contract:
    result = compile_text(text, "r.obc")
    assert result.contract is not None, [d.message for d in result.diagnostics]
    return result.contract


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "r.obc").write_text(CONTRACT)
    (tmp_path / "data").mkdir()
    return tmp_path


PAYMENTS = "payer,payee,invoice,amount,received_on,paid_on\n"


@pytest.mark.parametrize("amount", [
    "99999999999999999999999999999999999999.99",  # too wide for the ledger: crashed
    "1000000000000000",  # a quadrillion pounds: above the supported range
])
def test_huge_amount_is_a_data_error_not_a_crash(folder: Path, amount: str) -> None:
    (folder / "data" / "payments.csv").write_text(
        PAYMENTS + f"P,S,A1,{amount},2017-01-01,2017-01-02\n")
    code, _, err = run(str(folder / "r.obc"), "--data", str(folder / "data"),
                       "--as-of", "2018-01-31")
    assert code == 2
    assert "D007" in err and "amount" in err and "too large" in err


def test_huge_actual_cost_and_json_amount_are_data_errors(tmp_path: Path) -> None:
    bundle = tmp_path / "b.json"
    bundle.write_text('{"payments": [{"payer": "P", "payee": "S", "invoice": "A1", '
                      '"amount": 1e40, "received_on": "2017-01-01"}]}')
    loaded, diags = load_bundle(bundle, _contract())
    assert loaded is None
    assert [d.code for d in diags] == ["D007"]


def test_largest_amounts_add_up_exactly_in_spend_share(folder: Path) -> None:
    """Two amounts at the top of the range: the spend-share sum must not overflow.

    pyarrow's decimal128 sum wrapped around to a negative figure for two 36-digit amounts
    (then a breach); within the supported range the sum is exact.
    """
    top = "999999999999999.99"
    (folder / "data" / "payments.csv").write_text(
        PAYMENTS + f"P,S,A1,{top},2017-01-01,2017-01-02\nP,S,A2,{top},2017-01-01,2017-01-02\n")
    contract = _contract()
    bundle, diags = load_bundle(folder / "data", contract)
    assert bundle is not None, diags
    report = evaluate(contract, bundle, dt.date(2018, 1, 31))
    vs = [r for r in report.obligations if r.obligation == "VS"]
    assert vs[0].actual == Decimal("1999999999999999.98")
    assert vs[0].status == "met"


def test_risk_share_variance_is_exact_with_a_large_budget(tmp_path: Path) -> None:
    """variance = budget − actual cost, exactly (Decimal's 28 digits rounded it)."""
    contract = _contract("""
contract RS "Risk" {
  version "1"
  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Commissioner" role commissioner sector nhs
  party M1 "M1" role alliance_member sector nhs
  party M2 "M2" role alliance_member sector voluntary
  risk_share {
    budget £123,456,789,012,345,678,901,234,567,890 per year
    commissioner share 50%
    members M1 50%, M2 50%
  }
}
""")
    (tmp_path / "spend.csv").write_text("period,actual_cost\n2016/17,1.01\n")
    bundle, diags = load_bundle(tmp_path, contract)
    assert bundle is not None, diags
    report = evaluate(contract, bundle, dt.date(2017, 3, 31))
    assert report.risk_share is not None
    year = report.risk_share[0]
    assert year.variance == Decimal("123456789012345678901234567888.99")
    # members' part: half of it, split 50/50: a quarter each, rounded half up
    assert year.members["M1"] == Decimal("30864197253086419725308641972.25")


def test_rate_card_line_is_exact_with_a_huge_count(tmp_path: Path) -> None:
    """The largest count a bundle may give (2^53 - 1, D081 above it) times a price, exactly."""
    contract = _contract("""
contract RC "Rate" {
  version "1"
  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Commissioner" role commissioner sector central_government
  party P "Provider" role lead_provider sector private
  rate_card {
    cap £999,999,999,999,999,999,999,999,999,999,999,999 over term
    price A "A" £1,500.01 per person
  }
}
""")
    (tmp_path / "outcomes.csv").write_text(
        "price,period,count\nA,2016/17,9007199254740991\n")
    bundle, diags = load_bundle(tmp_path, contract)
    assert bundle is not None, diags
    report = evaluate(contract, bundle, dt.date(2017, 3, 31))
    assert report.rate_card is not None
    assert report.rate_card.total == Decimal("13510888954104033909.91")


def test_json_repeated_table_is_an_error(tmp_path: Path) -> None:
    """A second "payments" key silently replaced the first table (an unpaid invoice lost)."""
    bundle = tmp_path / "b.json"
    bundle.write_text(
        '{"payments": [{"payer": "P", "payee": "S", "invoice": "A1", "amount": "5", '
        '"received_on": "2017-01-01"}],\n'
        ' "payments": [{"payer": "P", "payee": "S", "invoice": "A2", "amount": "5", '
        '"received_on": "2017-01-01", "paid_on": "2017-01-02"}]}')
    loaded, diags = load_bundle(bundle, _contract())
    assert loaded is None
    assert [d.code for d in diags] == ["D006"]
    assert "`payments`" in diags[0].message and "more than once" in diags[0].message


def test_json_repeated_key_in_a_row_is_an_error(tmp_path: Path) -> None:
    """``{"value": 65, "value": 20}`` silently used 20."""
    bundle = tmp_path / "b.json"
    bundle.write_text('{"indicators": [{"indicator": "X", "period": "2017", "value": 65,\n'
                      '  "value": 20}]}')
    loaded, diags = load_bundle(bundle, _contract())
    assert loaded is None
    assert [d.code for d in diags] == ["D005"]
    assert "`value`" in diags[0].message and "twice" in diags[0].message


def test_json_number_with_a_huge_exponent_is_refused_quickly(tmp_path: Path) -> None:
    """A 70-byte file with ``1e-100000000`` ran for minutes writing the number out."""
    bundle = tmp_path / "b.json"
    bundle.write_text('{"indicators": [{"indicator": "X", "period": "2017", '
                      '"value": 1e-100000000}]}')
    start = time.monotonic()
    loaded, diags = load_bundle(bundle, _contract())
    assert time.monotonic() - start < 5
    assert loaded is None
    assert [d.code for d in diags] == ["D007"]


def test_json_number_with_a_modest_exponent_still_reads(tmp_path: Path) -> None:
    bundle = tmp_path / "b.json"
    bundle.write_text('{"indicators": [{"indicator": "X", "period": "2017", '
                      '"value": 5.5e1}]}')
    contract = _contract()
    loaded, diags = load_bundle(bundle, contract)
    assert loaded is not None, diags
    assert loaded.indicators[0].value == Decimal("55")


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "markdown"])
def test_invoice_due_after_year_9999_does_not_crash(folder: Path, fmt: str) -> None:
    (folder / "data" / "payments.csv").write_text(
        PAYMENTS + "P,S,A1,1,9999-12-31,\n")
    code, out, _ = run(str(folder / "r.obc"), "--data", str(folder / "data"),
                       "--as-of", "9999-12-31", "--format", fmt)
    assert code == 1  # the 2017 spend share is breached; the invoice is not yet due
    assert "A1" in out


@pytest.mark.parametrize("text, expected", [
    (" 12.50", Decimal("12.50")), ("12.5 ", Decimal("12.5")), (" 1", Decimal("1")),
    ("0000000000000000001.00", Decimal("1.00")),
])
def test_money_with_surrounding_blanks_is_read(text: str, expected: Decimal) -> None:
    """docs/data.md: surrounding whitespace is ignored. ``" 12.50"`` was refused as having
    "more than two decimal places" (D022)."""
    from obc_check.checker.data.cells import parse_money

    assert parse_money(text) == expected


@pytest.mark.parametrize("text, code", [
    (" 12.505", "D022"), ("-1", "D014"), ("1000000000000000.00", "D007"), ("£5", "D007"),
])
def test_money_errors_keep_their_codes(text: str, code: str) -> None:
    from obc_check.checker.data.cells import CellError, parse_money

    with pytest.raises(CellError) as err:
        parse_money(text)
    assert err.value.code == code


def test_payment_amount_with_blanks_around_it(tmp_path: Path) -> None:
    (tmp_path / "payments.csv").write_text(PAYMENTS + "P,S,A1, 200000.00 ,2017-01-01,"
                                                      "2017-01-02\n")
    contract = _contract()
    bundle, diags = load_bundle(tmp_path, contract)
    assert bundle is not None, [d.message for d in diags]
    assert bundle.payments[0].amount == Decimal("200000.00")
