"""TERMS.md's evaluation at its boundaries, and its invariants as hypothesis properties.

Boundaries: a payment on the deadline and the day after, a payer share of half a penny, a
value of exactly x.x5 rounded, a cap reached by one row (funding and penalties). Properties:
payers' parts + unfunded = payable every year, no payer above its cap, parts in proportion
to shares until a cap binds, penalties after caps ≤ cap per year, the report does not
depend on row order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.money import round_places
from obc_check.checker.data.tables import PaymentRow, RowRef
from obc_check.checker.report.model import Report
from obc_check.checker.rules.evaluate import evaluate
from obc_check.checker.rules.funding import split_funding
from obc_check.dsl import compile_text
from obc_check.model import Contract, ContractYear, Funding, FundingShare, contract_years

HEAD = """
contract T "Terms" {
  version "1"
  currency GBP
  term 2018-04-01 to 2020-03-31
  party DFE "Department" role commissioner sector central_government
  party BCC "Council" role commissioner sector local_authority
  party IP "Provider" role lead_provider sector voluntary
  party SUB "Sub" role subcontractor sector voluntary
  rate_card {
    cap £10,000,000 over term
    price M1 "Outcome" £100 per outcome
  }
%s
}
"""
YEARS = contract_years(dt.date(2018, 4, 1), dt.date(2020, 3, 31))
assert YEARS is not None


def _contract(body: str) -> Contract:
    result = compile_text(HEAD % body, "t.obc")
    assert result.contract is not None, [d.message for d in result.diagnostics]
    return result.contract


def _pay(payer: str, amount: str, paid: str, period: str | None = None,
         kind: str = "outcome_payment", row: int = 2, payee: str = "IP",
         received: str | None = None) -> PaymentRow:
    return PaymentRow(payer, payee, f"{payer}-{row}", Decimal(amount),
                      dt.date.fromisoformat(received) if received else None,
                      dt.date.fromisoformat(paid), kind,  # type: ignore[arg-type]
                      RowRef("payments.csv", row), period)


def _report(contract: Contract, bundle: Bundle, as_of: str = "2021-03-31") -> Report:
    return evaluate(contract, bundle, dt.date.fromisoformat(as_of))


def _funding(*payers: tuple[str, str, str | None]) -> Funding:
    return Funding(payers=tuple(FundingShare(party=p, share=Decimal(s),
                                             cap=Decimal(c) if c is not None else None)
                                for p, s, c in payers))


# ---- boundaries ---------------------------------------------------------------------------
PAYOUT = """
  funding {
    DFE pays 50%
    BCC pays 50%
  }
  obligation PAYOUT "Council pays" {
    BCC shall pay its share of earned payments within 30 days of year end
  }
"""


def _outcomes(contract: Contract, count: int) -> list[object]:
    from obc_check.checker.data.tables import OutcomeRow
    from obc_check.model import find_period

    period = find_period("2018/19", contract.term.years)
    assert period is not None
    return [OutcomeRow("M1", period, count, RowRef("outcomes.csv", 2))]


def test_a_payment_on_the_deadline_is_in_time_and_the_day_after_is_late() -> None:
    c = _contract(PAYOUT)
    outcomes = tuple(_outcomes(c, 10))  # £1,000 payable: BCC owes £500 for 2018/19
    on_time = Bundle("t", outcomes=outcomes,  # type: ignore[arg-type]
                     payments=(_pay("BCC", "500.00", "2019-04-30", "2018/19"),))
    row = next(r for r in _report(c, on_time).obligations if r.period == "2018/19")
    assert (row.status, row.required, row.actual, row.balance) == (
        "met", Decimal("500.00"), Decimal("500.00"), Decimal("0.00"))
    late = Bundle("t", outcomes=outcomes,  # type: ignore[arg-type]
                  payments=(_pay("BCC", "500.00", "2019-05-01", "2018/19"),))
    row = next(r for r in _report(c, late).obligations if r.period == "2018/19")
    assert (row.status, row.actual, row.paid, row.balance) == (
        "breached", Decimal("0.00"), Decimal("500.00"), Decimal("0.00"))
    # on the as-of date itself the window has not passed: not yet due
    row = next(r for r in _report(c, late, "2019-04-30").obligations if r.period == "2018/19")
    assert row.status == "not_due"
    # paid after the as-of date: counts in neither
    row = next(r for r in _report(c, late, "2019-04-30").obligations if r.period == "2018/19")
    assert row.paid == Decimal("0.00")


def test_an_overpayment_is_a_positive_balance_and_a_year_without_payable_is_met() -> None:
    c = _contract(PAYOUT)
    bundle = Bundle("t", outcomes=tuple(_outcomes(c, 10)),  # type: ignore[arg-type]
                    payments=(_pay("BCC", "600.00", "2019-01-15", "2018/19"),
                              _pay("DFE", "999.00", "2019-01-15", "2018/19", row=3)))
    rows = {r.period: r for r in _report(c, bundle).obligations}
    assert (rows["2018/19"].status, rows["2018/19"].balance) == ("met", Decimal("100.00"))
    assert (rows["2019/20"].status, rows["2019/20"].required) == ("met", Decimal("0.00"))


def test_a_payer_share_of_half_a_penny_goes_by_the_penny_rule() -> None:
    f = _funding(("DFE", "0.5", None), ("BCC", "0.5", None))
    [year] = split_funding(f, [(YEARS[0], Decimal("0.01"))])
    # each part rounds half up to 1p; the 1p too many is taken from the first listed
    assert year.payers == {"DFE": Decimal("0.00"), "BCC": Decimal("0.01")}
    assert year.unfunded == 0
    f = _funding(("DFE", "0.7", None), ("BCC", "0.3", None))
    [year] = split_funding(f, [(YEARS[0], Decimal("0.05"))])  # 3.5p and 1.5p: 4p + 2p
    assert year.payers == {"DFE": Decimal("0.03"), "BCC": Decimal("0.02")}


def test_a_value_of_exactly_x_x5_rounds_half_up() -> None:
    assert round_places(Fraction("59.95"), 1) == Decimal("60.0")
    assert round_places(Fraction("30.05"), 1) == Decimal("30.1")
    assert round_places(Fraction("30.049999"), 1) == Decimal("30.0")
    assert round_places(Fraction("-2.5"), 0) == Decimal(-3)  # halves away from zero
    assert round_places(Fraction("2.5"), 0) == Decimal(3)
    assert round_places(Fraction(1199, 20), 1) == Decimal("60.0")  # 59.95 as n/d


def test_a_funding_cap_reached_by_one_year_and_the_excess_resplit() -> None:
    f = _funding(("DFE", "0.7", "1000.00"), ("BCC", "0.3", None))
    years = split_funding(f, [(YEARS[0], Decimal("1000.00")), (YEARS[1], Decimal("1000.00"))])
    assert years[0].payers == {"DFE": Decimal("700.00"), "BCC": Decimal("300.00")}
    # 2019/20: DFE's 700 is cut to the 300 left; the 400 excess goes to BCC
    assert years[1].payers == {"DFE": Decimal("300.00"), "BCC": Decimal("700.00")}
    # exactly on the cap: DFE drops out, BCC takes the whole of a third year
    more = split_funding(f, [(YEARS[0], Decimal("1000.00")), (YEARS[1], Decimal("1000.00")),
                             (YEARS[1], Decimal("50.00"))])
    assert more[2].payers == {"DFE": Decimal("0.00"), "BCC": Decimal("50.00")}
    capped_all = _funding(("DFE", "0.5", "10.00"), ("BCC", "0.5", "20.00"))
    [year] = split_funding(capped_all, [(YEARS[0], Decimal("100.00"))])
    assert (year.payers, year.unfunded) == ({"DFE": Decimal("10.00"),
                                             "BCC": Decimal("20.00")}, Decimal("70.00"))


CLAIM = """
  funding {
    DFE pays 50%
    BCC pays 50%
  }
  obligation CLAIM "Claims" {
    IP shall report within 10 working days after each quarter
    penalty £50 per day late, at most £120 per year
  }
"""


def test_per_day_penalties_one_day_late_is_one_day_and_a_cap_reached_by_one_row() -> None:
    from obc_check.checker.data.tables import SubmissionRow
    from obc_check.model import find_period

    c = _contract(CLAIM)
    q1 = find_period("2018/19 Q1", c.term.years)
    q2 = find_period("2018/19 Q2", c.term.years)
    assert q1 is not None and q2 is not None
    # Q1 ends 2018-06-30; the 10th working day after it is 2018-07-13
    subs = (SubmissionRow("CLAIM", q1, dt.date(2018, 7, 14), RowRef("s.csv", 2)),
            SubmissionRow("CLAIM", q2, dt.date(2018, 12, 31), RowRef("s.csv", 3)))
    rows = {r.period: r for r in _report(c, Bundle("t", submissions=subs)).obligations}
    assert (rows["2018/19 Q1"].penalty, rows["2018/19 Q1"].days_late) == (Decimal("50.00"), 1)
    # Q2's many days late would cost more than the £70 the cap leaves: cut to it
    assert rows["2018/19 Q2"].penalty == Decimal("70.00")
    # Q3 and Q4 are never submitted: breached, but the year's cap is used up
    assert rows["2018/19 Q3"].penalty == rows["2018/19 Q4"].penalty == Decimal("0.00")
    assert rows["2019/20 Q1"].penalty == Decimal("120.00")  # a new year, a new cap


PROMPT = """
  obligation PROMPT "Prompt payment" {
    IP shall pay subcontractor invoices within 30 days of receipt
    penalty £100 per breach, at most £250 per year
  }
"""


def test_a_cap_per_year_on_prompt_payment_counts_by_due_date() -> None:
    c = _contract(PROMPT.replace("funding", ""))
    late = [_pay("IP", "10.00", "2018-12-31", None, "invoice", row=i, payee="SUB",
                 received=f"2018-0{i}-01") for i in range(4, 8)]
    report = _report(c, Bundle("t", payments=tuple(late)))
    penalties = [r.penalty for r in report.obligations]
    assert penalties == [Decimal("100.00"), Decimal("100.00"), Decimal("50.00"),
                         Decimal("0.00")]
    assert report.penalties == Decimal("250.00")


# ---- properties ---------------------------------------------------------------------------
pennies = st.integers(min_value=0, max_value=10**9).map(lambda p: Decimal(p) / 100)


@st.composite
def fundings(draw: st.DrawFn) -> Funding:
    n = draw(st.integers(min_value=1, max_value=4))
    cuts = sorted(draw(st.lists(st.integers(min_value=1, max_value=99), min_size=n - 1,
                                max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 100]
    shares = [Decimal(b - a) / 100 for a, b in itertools.pairwise(bounds)]
    caps = [draw(st.one_of(st.none(), pennies)) for _ in range(n)]
    return Funding(payers=tuple(FundingShare(party=f"P{i}", share=s, cap=c)
                                for i, (s, c) in enumerate(zip(shares, caps, strict=True))))


def _years(n: int) -> list[ContractYear]:
    years = contract_years(dt.date(2000, 4, 1), dt.date(2000 + n, 3, 31))
    assert years is not None
    return list(years)


@settings(max_examples=200, deadline=None)
@given(fundings(), st.lists(pennies, min_size=1, max_size=6))
def test_parts_and_unfunded_add_up_to_the_payable_and_no_payer_passes_its_cap(
        f: Funding, payables: list[Decimal]) -> None:
    years = split_funding(f, list(zip(_years(len(payables)), payables, strict=True)))
    totals = dict.fromkeys((p.party for p in f.payers), Decimal(0))
    for row, payable in zip(years, payables, strict=True):
        assert sum(row.payers.values(), Decimal(0)) + row.unfunded == payable
        assert row.unfunded >= 0
        for party, part in row.payers.items():
            totals[party] += part
    for p in f.payers:
        if p.cap is not None:
            assert totals[p.party] <= p.cap
    if any(p.cap is None and p.share > 0 for p in f.payers):
        assert all(row.unfunded == 0 for row in years)


@settings(max_examples=200, deadline=None)
@given(fundings(), st.lists(pennies, min_size=1, max_size=6))
def test_parts_follow_the_shares_until_a_cap_binds(f: Funding,
                                                   payables: list[Decimal]) -> None:
    uncapped = Funding(payers=tuple(p.model_copy(update={"cap": None}) for p in f.payers))
    capped = split_funding(f, list(zip(_years(len(payables)), payables, strict=True)))
    free = split_funding(uncapped, list(zip(_years(len(payables)), payables, strict=True)))
    n = len(f.payers)
    running = dict.fromkeys((p.party for p in f.payers), Decimal(0))
    binding = False
    for a, b, payable in zip(capped, free, payables, strict=True):
        for p in f.payers:  # without caps: the share to the penny, give or take the rule
            assert abs(b.payers[p.party] - payable * p.share) <= Decimal("0.01") * n
            running[p.party] += b.payers[p.party]
        # A payer that reaches its cap exactly drops out of later splits (TERMS.md rule 2), and
        # a cap of nought is reached before the first penny: both bind, as passing it does.
        binding = binding or any(p.cap is not None and running[p.party] >= p.cap
                                 for p in f.payers)
        if not binding:  # no cap has bound yet: the capped split is the plain one
            assert a.payers == b.payers and a.unfunded == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=8),
       st.integers(min_value=0, max_value=400))
def test_penalties_after_caps_never_pass_the_cap_per_year(days: list[int], cap: int) -> None:
    from obc_check.checker.data.tables import SubmissionRow

    c = _contract(CLAIM.replace("£120", f"£{cap}"))
    periods = [p for y in c.term.years for p in y.quarters()]
    subs = tuple(SubmissionRow("CLAIM", p, p.end + dt.timedelta(days=14 + d),
                               RowRef("s.csv", i + 2))
                 for i, (p, d) in enumerate(zip(periods, days, strict=False)))
    report = _report(c, Bundle("t", submissions=subs))
    for y in c.term.years:
        year_total = sum((r.penalty for r in report.obligations
                          if r.period and r.period.startswith(y.label)), Decimal(0))
        assert year_total <= cap


def _without_refs(report: Report) -> dict[str, object]:
    data = report.to_jsonable()
    data.pop("data", None)
    return data


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_report_does_not_depend_on_row_order(rnd: random.Random) -> None:
    from pathlib import Path

    from obc_check.checker.check import check_bundle
    from obc_check.dsl import compile_file

    root = Path(__file__).resolve().parents[2] / "contracts" / "care_leavers_lcf"
    contract = compile_file(root / "contract.obc").contract
    assert contract is not None
    report, _ = check_bundle(contract, root / "data", dt.date(2022, 12, 31))
    assert report is not None
    from obc_check.checker.data.load import load_bundle

    bundle, _ = load_bundle(root / "data", contract)
    assert bundle is not None
    payments = list(bundle.payments)
    outcomes = list(bundle.outcomes)
    subs = list(bundle.submissions)
    rnd.shuffle(payments)
    rnd.shuffle(outcomes)
    rnd.shuffle(subs)
    shuffled = dataclasses.replace(bundle, payments=tuple(payments), outcomes=tuple(outcomes),
                                   submissions=tuple(subs))
    again = evaluate(contract, shuffled, dt.date(2022, 12, 31))
    a, b = _without_refs(report), _without_refs(again)
    # derivations cite rows by file:row, which do not move; figures must be the same
    assert a == b


def test_a_measures_value_is_rounded_too() -> None:
    """TERMS.md: the value 'however obtained (... a measure)' is rounded before it is judged."""
    from pathlib import Path

    from obc_check.checker.check import check_bundle

    root = Path(__file__).resolve().parents[2] / "contracts" / "eip_records"
    text = (root / "contract.obc").read_text(encoding="utf-8")
    text = text.replace("      minimum denominator 30\n",
                        "      minimum denominator 30\n      value rounded to 0 decimal places\n",
                        1)
    result = compile_text(text, "eip.obc")
    assert result.contract is not None, [d.message for d in result.diagnostics]
    report, _ = check_bundle(result.contract, root / "data", dt.date(2019, 9, 30))
    plain, _ = check_bundle(compile_text((root / "contract.obc").read_text(encoding="utf-8"),
                                         "eip.obc").contract,  # type: ignore[arg-type]
                            root / "data", dt.date(2019, 9, 30))
    assert report is not None and plain is not None
    assert report.outcome_payment is not None and plain.outcome_payment is not None
    got = next(i for i in report.outcome_payment[0].indicators if i.indicator == "EIP14")
    was = next(i for i in plain.outcome_payment[0].indicators if i.indicator == "EIP14")
    assert got.value is not None and was.value is not None
    assert "." not in got.value  # exactly 0 places
    assert abs(Decimal(got.value) - Decimal(was.value)) <= Decimal("0.5")
    assert got.value != was.value  # the unrounded value has decimals: rounding happened


def test_a_forty_digit_cap_cut_and_resplit_exactly() -> None:
    """The payer cap's cut and the excess re-split in whole pence past 28 digits: the two
    parts add up to the payable (Decimal arithmetic at 28 digits made BCC's part 10^39)."""
    cap = Decimal("1" + "0" * 39 + ".01")
    f = _funding(("DFE", "0.7", str(cap)), ("BCC", "0.3", None))
    [year] = split_funding(f, [(YEARS[0], Decimal("2" + "0" * 39 + ".00"))])
    assert year.payers == {"DFE": cap, "BCC": Decimal("9" * 39 + ".99")}
    assert year.unfunded == Decimal("0.00")
