"""Review of the checker code of #13 (capitation) and #14 (terms) against RECORDS.md/TERMS.md.

Each test is a finding: the spec's sentence, and the input on which the checker computed
something else (or crashed). Each failed before its fix.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from obc_check.checker.data.load import load_bundle
from obc_check.checker.rules.evaluate import evaluate
from obc_check.cli import app
from obc_check.dsl import compile_text
from obc_check.model import Contract

PAYOUT = """
contract T "Terms" {
  version "1"
  currency GBP
  term %s
  party BCC "Council" role commissioner sector local_authority
  party IP "Provider" role lead_provider sector voluntary
  rate_card {
    cap £10,000,000 over term
    price M1 "Outcome" £100 per outcome
  }
  obligation PAY "Pay" {
    BCC shall pay its share of earned payments within 60 days of year end
  }
}
"""


def _contract(text: str) -> Contract:
    result = compile_text(text, "t.obc")
    assert result.contract is not None, [d.message for d in result.diagnostics]
    return result.contract


def _bundle_dir(tmp_path: Path, tables: dict[str, str]) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name, text in tables.items():
        (data / f"{name}.csv").write_text(text)
    return data


def test_outcome_payments_for_two_years_alike_but_their_period_are_two_payments(
        tmp_path: Path) -> None:
    """TERMS.md: ``period`` is the year an ``outcome_payment`` row pays for.

    Two unreferenced payments of the same sum on the same day, one for each year (a
    balancing payment for last year and one on account for this year), are two payments,
    not a repeated row (D013 named the second and nothing was checked).
    """
    c = _contract(PAYOUT % "2018-04-01 to 2020-03-31")
    data = _bundle_dir(tmp_path, {
        "outcomes": "price,period,count\nM1,2018/19,100\nM1,2019/20,100\n",
        "payments": "payer,payee,invoice,amount,received_on,paid_on,kind,period\n"
                    "BCC,IP,,10000.00,,2019-05-01,outcome_payment,2018/19\n"
                    "BCC,IP,,10000.00,,2019-05-01,outcome_payment,2019/20\n"})
    bundle, diags = load_bundle(data, c)
    assert bundle is not None, [d.message for d in diags]
    rows = {r.period: r for r in evaluate(c, bundle, dt.date(2021, 1, 1)).obligations}
    assert rows["2018/19"].status == rows["2019/20"].status == "met"
    assert rows["2018/19"].paid == rows["2019/20"].paid == Decimal("10000.00")
    # the same payment twice for one year is still a repeated row
    twice = tmp_path / "twice"
    twice.mkdir()
    (twice / "payments.csv").write_text(
        "payer,payee,invoice,amount,received_on,paid_on,kind,period\n"
        "BCC,IP,,10000.00,,2019-05-01,outcome_payment,2018/19\n"
        "BCC,IP,,10000.00,,2019-05-01,outcome_payment,2018/19\n")
    bundle, diags = load_bundle(twice, c)
    assert bundle is None and [d.code for d in diags] == ["D013"]


def test_a_payment_duty_whose_window_runs_past_9999_is_not_a_crash(tmp_path: Path) -> None:
    """CLI.md: never a traceback. The year end + N days past 9999-12-31 is 9999-12-31 (no
    as-of date passes it), as for flow-down and prompt payment; it was an OverflowError."""
    text = PAYOUT % "9998-12-01 to 9999-11-30"
    (tmp_path / "c.obc").write_text(text)
    data = _bundle_dir(tmp_path, {"outcomes": "price,period,count\nM1,9998/99,1\n"})
    result = CliRunner().invoke(app, ["check", str(tmp_path / "c.obc"), "--data", str(data),
                                      "--as-of", "9999-12-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["obligations"]
    assert (row["due"], row["status"], row["required"]) == ("9999-12-31", "not_due", "100.00")


def test_render_of_a_prompt_payment_duty_near_9999_is_not_a_crash() -> None:
    """CLI.md: never a traceback. The prompt-payment clause's example (an invoice received
    on the first day of the term) fell past 9999-12-31 with a long window: OverflowError."""
    from obc_check.render import render_markdown

    c = _contract((PAYOUT % "9998-12-01 to 9999-11-30").replace(
        'party IP "Provider" role lead_provider sector voluntary',
        'party IP "Provider" role lead_provider sector voluntary\n'
        '  party S "Sub" role subcontractor sector voluntary\n'
        '  obligation PP "Prompt" {\n'
        '    IP shall pay subcontractor invoices within 3660 days of receipt\n  }'))
    text = render_markdown(c)
    # the example still says what check does: received + 3660 days, that day in time
    assert "is paid in time if it is paid on or before 31 December 9999" in text
