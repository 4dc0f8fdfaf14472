"""Review of the checker code of #13 (capitation) and #14 (terms) against RECORDS.md/TERMS.md.

Each test is a finding: the spec's sentence, and the input on which the checker computed
something else (or crashed). Each failed before its fix.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
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


DUTIES = """
contract T "Terms" {
  version "1"
  currency GBP
  term %(start)s to %(end)s
  party BCC "Council" role commissioner sector local_authority
  party DFE "Department" role commissioner sector central_government
  party IP "Provider" role lead_provider sector voluntary
  party S "Sub" role subcontractor sector voluntary
  annual_value £1,000
  outcome_payment 10%%
  outcome O "O" weight 100%% {
    indicator X "X" { unit percent higher is better floor 50%% target 60%%
                      value rounded to 1 decimal place }
  }
  capitation { price T1 "Tier" £1,200 per person per year }
  funding {
    BCC pays 60%%
    DFE pays 40%%, at most £%(cap)s over term
  }
  obligation PAY "Pay" {
    BCC shall pay its share of earned payments within %(days)s days of year end
    penalty £10 per breach, at most £%(cap)s per year
  }
  obligation FD "Pass on" {
    IP shall pass on at least 10%% of earned outcome_payment to S within %(days)s days of year end
  }
  obligation PP "Prompt" {
    IP shall pay subcontractor invoices within %(days)s days of receipt
    penalty £5 per breach, at most £%(cap)s per year
  }
  obligation REP "Report" {
    IP shall report within %(working)s working days after each quarter
    penalty £3 per day late, at most £%(cap)s per year
  }
}
"""


@settings(max_examples=30, deadline=None, derandomize=True)
@given(start=st.one_of(st.dates(dt.date(1, 1, 1), dt.date(9998, 12, 31)),
                      st.dates(dt.date(9990, 1, 1), dt.date(9998, 12, 31)),
                      st.dates(dt.date(1, 1, 1), dt.date(10, 12, 31))),
       days=st.sampled_from([1, 30, 60, 365, 3660]),
       working=st.sampled_from([1, 10, 3660]), cap=st.sampled_from([0, 7, 1000]),
       as_of_after=st.integers(-400, 5000), people=st.integers(0, 50))
def test_terms_and_capitation_at_any_date_succeed(start: dt.date, days: int, working: int,
                                                  cap: int, as_of_after: int,
                                                  people: int) -> None:
    """Odd but valid: any term start (the calendar's first and last years included), the
    longest windows, any as-of date. Check and render succeed (never an internal error),
    and each payout row's window is the year end + N days, or 9999-12-31 past it."""
    from obc_check.checker.data.bundle import Bundle
    from obc_check.checker.data.tables import CaseloadRow, PaymentRow, RowRef
    from obc_check.model import add_months
    from obc_check.render import render_markdown

    start = start.replace(day=min(start.day, 28))
    if start.year == 9998 and start.month == 12:
        start = start.replace(month=11)  # a year must end by 9999-12-31 (E009)
    end = add_months(start, 12) - dt.timedelta(days=1)
    c = _contract(DUTIES % {"start": start, "end": end, "days": days, "working": working,
                            "cap": cap})
    [year] = c.term.years
    first = year.months()[0]
    ref = RowRef("t.csv", 2)
    bundle = Bundle("t", caseload=(CaseloadRow("T1", first, people, ref),),
                    payments=(PaymentRow("IP", "S", "I1", Decimal(5), start, None, "invoice",
                                         ref),
                              PaymentRow("BCC", "IP", None, Decimal(1), None, end,
                                         "outcome_payment", RowRef("t.csv", 3), year.label)))
    as_of = dt.date.fromordinal(min(max(start.toordinal() + as_of_after, 1),
                                    dt.date.max.toordinal()))
    report = evaluate(c, bundle, as_of)
    for row in report.obligations:
        if row.obligation == "PAY":
            assert row.due == (end + dt.timedelta(days=days)
                               if (dt.date.max - end).days >= days else dt.date.max)
        if cap == 0:
            assert row.penalty == 0
    render_markdown(c)


ROUNDED = """
contract T "Rounding" {
  version "1"
  currency GBP
  term 2018-04-01 to 2019-03-31
  party BCC "Council" role commissioner sector local_authority
  party IP "Provider" role lead_provider sector voluntary
  annual_value £1,000
  outcome_payment 10%
  outcome O "O" weight 100% {
    indicator X "X" { unit percent higher is better target 60% pays all or nothing
                      value rounded to 1 decimal place }
  }
}
"""


def test_a_rounded_values_derivation_shows_the_value_it_rounded() -> None:
    """TERMS.md rounds the exact value; the derivation showed that value to four places
    first, so 59.94999% read "59.95% rounded half up to 1 decimal place" beside a value of
    59.9%: a halfway figure that, rounded half up, is 60.0. It now shows the exact value
    (or, where it does not end, its digits cut short, never rounded, and …)."""
    from obc_check.checker.data.bundle import Bundle
    from obc_check.checker.data.tables import IndicatorRow, RowRef

    c = _contract(ROUNDED)
    year = c.term.years[0]
    for n, d, shown in ((5994999, 10000000, "59.94999%"),
                        (179849999, 300000000, "59.9499996…%")):
        row = IndicatorRow("X", year.as_period(), None, Decimal(n), Decimal(d), None,
                           RowRef("i.csv", 2))
        [ind] = evaluate(c, Bundle("t", indicators=(row,)),  # type: ignore[arg-type]
                         dt.date(2019, 12, 31)).outcome_payment[0].indicators  # type: ignore[index]
        assert (ind.value, ind.achievement) == ("59.9", Decimal("0.0000"))
        assert f"{shown} rounded half up to 1 decimal place" in ind.derivation, ind.derivation
        assert "59.95%" not in ind.derivation


def test_a_value_rounded_to_six_places_is_shown_at_six_in_its_derivation() -> None:
    """TERMS.md: the report's value is the rounded value with exactly that many places. The
    derivation showed it to four (``value 60%`` … ``misses the target 60%`` for 59.999999%),
    contradicting the figure beside it; gateways' reasons likewise."""
    from obc_check.checker.data.bundle import Bundle
    from obc_check.checker.data.tables import IndicatorRow, RowRef

    c = _contract(ROUNDED.replace("1 decimal place", "6 decimal places").replace(
        "  outcome O", '  gateway G "G" { requires X at least 60% otherwise withhold 50% of '
        'outcome_payment }\n  outcome O'))
    year = c.term.years[0]
    row = IndicatorRow("X", year.as_period(), None, Decimal(599999994), Decimal(1000000000),
                       None, RowRef("i.csv", 2))
    [pay] = evaluate(c, Bundle("t", indicators=(row,)),  # type: ignore[arg-type]
                     dt.date(2019, 12, 31)).outcome_payment or []
    [ind], [gate] = pay.indicators, pay.gateways
    assert (ind.value, ind.achievement, gate.status) == ("59.999999", Decimal(0), "not_met")
    assert "value 59.999999% = 599999994 / 1000000000" in ind.derivation, ind.derivation
    assert "value 60%" not in ind.derivation
    assert "X 59.999999% for 2018/19 does not meet at least 60%" in gate.derivation, \
        gate.derivation
