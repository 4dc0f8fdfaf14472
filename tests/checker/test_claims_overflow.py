"""Person-level rate cards with amounts far beyond int64 pence (audit of issue #12).

The rules run over int64 columns of pence (:mod:`obc_check.checker.rules.claims`). A price
of £10^17 once stopped ``check`` with exit 3 (int64 overflow in ``inputs``), and prices
whose sum passed 2^63 pence wrapped the running total: claims past the term cap were paid.
``inputs`` now clips every amount to what can matter (a price above the term cap T to T + 1
pence, a person cap above T to T, T to the total asked + 1), exactly, and ``decide`` takes
the plain loop (Python ints) whenever a running sum might not fit. These tests hold the
report to the text of RECORDS.md worked out in Python numbers (test_review_claims).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import ClaimTable
from obc_check.checker.report.formats.markdown import render_markdown
from obc_check.checker.report.formats.text import render_text
from obc_check.checker.rules import claims as claims_rules
from obc_check.checker.rules.claims import (
    PAID,
    TERM_CAP,
    decide,
    decide_in_order,
    inputs,
)
from obc_check.checker.rules.evaluate import evaluate
from obc_check.cli import app
from obc_check.dsl import compile_text
from obc_check.model import Contract, RateCard
from tests.checker.test_claims_properties import card
from tests.checker.test_review_claims import END, START, reference

MAX_TERM_CAP = int(RateCard.MAX_CAP * 100)  # pence (E063)
BIG = 2 ** 63  # pence: one more than int64 holds
DAY = dt.date(2020, 2, 1)


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _contract(lines: str) -> Contract:
    compiled = compile_text(card(lines, START, END))
    assert compiled.contract is not None, compiled.diagnostics
    return compiled.contract


def _decided(c: Contract, claims: list[tuple[str, str, dt.date]], as_of: dt.date = END
             ) -> list[tuple[str, str, dt.date, str | None, Decimal, bool]]:
    result = evaluate(c, Bundle(source="t", claims=ClaimTable.of(claims)), as_of).rate_card
    assert result is not None and result.claims is not None
    return [(r.price, r.person, r.achieved_on, r.reason, r.amount, r.capped)
            for r in result.claims]


def _reference(c: Contract, claims: list[tuple[str, str, dt.date]], as_of: dt.date = END
               ) -> list[tuple[str, str, dt.date, str | None, Decimal, bool]]:
    """The Decimal reference, with precision enough that every sum of it is exact."""
    assert c.rate_card is not None
    with decimal.localcontext() as context:
        context.prec = 400
        return reference(c.rate_card, claims, {}, as_of)


def test_a_price_beyond_int64_pence_is_checked_not_an_internal_error(tmp_path: Path) -> None:
    """£10^17 is 10^19 pence, past int64: `check` stopped with exit 3 (OverflowError)."""
    (tmp_path / "c.obc").write_text(card("""\
    cap £1,000 over term
    price A "A" £100,000,000,000,000,000 per outcome
"""), encoding="utf-8")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "claims.csv").write_text("price,person,achieved_on\nA,P1,2020-02-01\n",
                                               encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(tmp_path / "c.obc"), "--data",
                                      str(tmp_path / "d"), "--as-of", "2021-06-30",
                                      "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    rate_card = json.loads(result.stdout)["rate_card"]
    assert [(c["status"], c["amount"], c["capped"]) for c in rate_card["claims"]] == [
        ("paid", "1000.00", True)]
    assert rate_card["total"] == "1000.00"


def test_prices_whose_sum_passes_2_63_pence_never_pay_past_the_term_cap() -> None:
    """Three claims of £5 x 10^16 (5 x 10^18 pence each, in int64): their running sum
    wrapped below zero and the third claim was paid £5 x 10^16 past a £1,000 cap."""
    c = _contract("""\
    cap £1,000 over term
    price A "A" £50,000,000,000,000,000 per outcome
""")
    claims = [("A", p, DAY) for p in ("P1", "P2", "P3")]
    got = _decided(c, claims)
    assert got == _reference(c, claims)
    assert [(r[3], r[4]) for r in got] == [(None, Decimal("1000.00")), ("term_cap", 0),
                                          ("term_cap", 0)]


def test_a_term_cap_at_the_bound_with_many_claims_is_decided_by_the_exact_loop() -> None:
    """At the term cap's bound (£10^16) twelve claims of £10^17 ask more than int64 holds
    even clipped (12 x (10^18 + 1) pence): the loop of Python ints decides them."""
    c = _contract(f"""\
    cap {_pounds(MAX_TERM_CAP)} over term
    cap £10,000,000,000,000,000,000,000,000 per person
    price A "A" £100,000,000,000,000,000 per outcome, at most 20 over term
    price B "B" £0 per outcome
""")
    assert c.rate_card is not None
    claims = [("A", f"P{i}", DAY) for i in range(12)] + [("B", "P0", DAY)]
    x, _, _ = inputs(c.rate_card, ClaimTable.of(claims), None, (START, END), END)
    assert x.exact
    assert decide(x)[0].tolist() == decide_in_order(x)[0].tolist()
    got = _decided(c, claims)
    assert got == _reference(c, claims)
    assert got[0][3:] == (None, Decimal(MAX_TERM_CAP) / 100, True)
    assert {r[3] for r in got[1:]} == {"term_cap"}


def test_the_clipped_amounts_fit_int64_and_a_small_card_keeps_its_own() -> None:
    """Clipping touches only what is beyond the caps: an ordinary card's columns are its
    own amounts; the term cap becomes the total asked + 1 only when that is below it and
    the sums might not fit otherwise."""
    c = _contract("""\
    cap £1,000 over term
    cap £400 per person
    price A "A" £100 per outcome
    price B "B" £1,000,000,000,000,000,000,000,000,000,000 per outcome
""")
    assert c.rate_card is not None
    x, _, _ = inputs(c.rate_card, ClaimTable.of([("A", "P1", DAY), ("B", "P2", DAY)]), None,
                     (START, END), END)
    assert x.amounts.tolist() == [100_00, 1_000_00 + 1]
    assert (x.term_cap, x.person_cap, x.exact) == (1_000_00, 400_00, False)
    at_most = c.rate_card.model_copy(update={"cap": RateCard.MAX_CAP,
                                             "person_cap": RateCard.MAX_CAP * 10})
    five = [("A", f"P{i}", DAY) for i in range(5)]
    only_a, _, _ = inputs(at_most, ClaimTable.of(five), None, (START, END), END)
    # £500 asked in all: a term cap of £500.01 binds exactly as £10^16 does (never), and
    # the person cap is then no more than it; 5 x (10^18 + 1) pence no longer in the sums
    assert (only_a.term_cap, only_a.person_cap, only_a.exact) == (500_01, 500_01, False)
    assert only_a.amounts.tolist() == [100_00, 500_02]
    assert decide(only_a)[0].tolist() == [PAID] * 5


def test_a_term_cap_beyond_int64_pence_is_refused_by_inputs_not_wrapped() -> None:
    """The compiler refuses a term cap above £10^16 (E063); a card built in Python with one
    is refused with a clear error rather than decided wrong."""
    c = _contract("""\
    cap £1,000 over term
    price A "A" £100 per outcome
""")
    assert c.rate_card is not None
    huge = c.rate_card.model_copy(update={"cap": Decimal(10) ** 30})
    many = [("A", f"P{i}", DAY) for i in range(3)]
    x, _, _ = inputs(huge, ClaimTable.of(many), None, (START, END), END)
    assert x.term_cap == 300_01  # the total asked + 1 fits, so the card is decided
    try:
        inputs(huge.model_copy(update={"prices": (huge.prices[0].model_copy(
            update={"amount": Decimal(10) ** 30}),)}), ClaimTable.of(many), None,
            (START, END), END)
    except ValueError as error:
        assert "£10,000,000,000,000,000" in str(error)
    else:
        raise AssertionError("a term cap past int64 pence was decided")


def test_claims_for_a_plain_card_with_a_term_cap_past_the_bound_are_d062(tmp_path: Path
                                                                          ) -> None:
    """A card without person-level rules compiles with any cap (counts of outcomes are
    Decimals), but claims for it are refused at load (D062), not an internal error: the
    claims' rules count pence in 64-bit integers, and E063 bounds only person-level cards."""
    text = card("""\
    cap £100,000,000,000,000,000 over term
    price A "A" £100,000,000,000,000,000 per outcome
""")
    compiled = compile_text(text)
    assert compiled.contract is not None and not compiled.diagnostics
    once = compile_text(text.replace("per outcome", "per outcome, once per person"))
    assert [d.code for d in once.diagnostics] == ["E063"]
    (tmp_path / "c.obc").write_text(text, encoding="utf-8")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "claims.csv").write_text(
        "price,person,achieved_on\n" + "".join(f"A,P{i},2020-02-01\n" for i in range(60)),
        encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(tmp_path / "c.obc"), "--data",
                                      str(tmp_path / "d"), "--as-of", "2021-06-30"])
    assert result.exit_code == 2, result.output
    assert "claims.csv:1:1: error[D062]: claims for a rate card whose term cap " \
           "£100,000,000,000,000,000.00 is more than £10,000,000,000,000,000.00" in result.stderr
    assert "Traceback" not in result.output


_HUGE = [10 ** 16 + 3, 3 * 10 ** 17, 2 ** 59 + 1, 10 ** 18 - 1, 10 ** 18, 10 ** 18 + 1,
         2 ** 62 - 1, 2 ** 62, 5 * 10 ** 18, BIG - 1, BIG, BIG + 1, 2 ** 64 + 7, 10 ** 30 + 12,
         10 ** 40 + 99, 10 ** 51 + 1]
amounts = st.one_of(st.just(0), st.integers(1, 200_000), st.sampled_from(_HUGE))


@st.composite
def huge_cards(draw: st.DrawFn) -> Contract:
    """Cards whose amounts reach past int64, whose caps are met exactly, with £0 prices."""
    prices = draw(st.lists(amounts, min_size=1, max_size=3))

    def reached() -> st.SearchStrategy[int]:
        # a sum of some prices, so that a run of claims uses a cap up exactly
        return st.lists(st.sampled_from(prices), min_size=1, max_size=4).map(sum)

    term = draw(st.one_of(st.integers(0, 3_000_000), reached(),
                          st.sampled_from([MAX_TERM_CAP, MAX_TERM_CAP - 1, 2 ** 62 // 7])))
    term = min(term, MAX_TERM_CAP)
    rules = [f"cap {_pounds(term)} over term"]
    person = draw(st.one_of(st.none(), st.integers(0, 300_000), reached(), amounts,
                            st.sampled_from([term, term + 1, max(term - 1, 0)])))
    if person is not None:
        rules.append(f"cap {_pounds(person)} per person")
    lines = []
    for i, amount in enumerate(prices):
        extras = []
        if draw(st.booleans()):
            extras.append("once per person")
        if draw(st.booleans()):
            extras.append(f"at most {draw(st.integers(1, 4))} over term")
        lines.append(f'price Q{i} "Outcome {i}" {_pounds(amount)} per outcome'
                     + "".join(f", {e}" for e in extras))
    return _contract("".join(f"    {line}\n" for line in rules + lines))


days = st.integers(-2, 40).map(lambda n: START + dt.timedelta(n))
HUGE_SETTINGS = settings(max_examples=300, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow])


@HUGE_SETTINGS
@given(data=st.data())
def test_huge_amounts_are_decided_as_the_text_of_records_md_says(data: st.DataObject) -> None:
    """Both ways: as ``check`` clips and decides, and with every sum taken as at risk
    (``_FITS`` of 1), so that the term cap is always clipped to the total asked + 1 and
    the loop decides: each equivalence of ``_clipped`` is then held to the text."""
    c = data.draw(huge_cards())
    assert c.rate_card is not None
    ids = [p.id for p in c.rate_card.prices]
    claims = data.draw(st.lists(st.tuples(st.sampled_from(ids),
                                          st.sampled_from(["P1", "P2", "P10", "a"]), days),
                                min_size=1, max_size=25, unique=True))
    as_of = data.draw(st.sampled_from([END, END, START + dt.timedelta(20)]))
    want = _reference(c, claims, as_of)
    paid = [r for r in want if r[3] is None]
    assert sum((r[4] for r in paid), Decimal(0)) <= c.rate_card.cap
    for fits in (claims_rules._FITS, 1):
        with mock.patch.object(claims_rules, "_FITS", fits):
            assert _decided(c, claims, as_of) == want
            x, _, _ = inputs(c.rate_card, ClaimTable.of(claims), None, (START, END), as_of)
        slow = decide_in_order(x)
        assert (TERM_CAP in slow[0].tolist()) == any(r[3] == "term_cap" for r in want)
        # the columns too, where their sums truly fit
        if sum(int(a) for a in x.amounts[x.price]) < 1 << 62:
            fast = decide(replace(x, exact=False))
            assert fast[0].tolist() == slow[0].tolist()
            assert fast[1].tolist() == slow[1].tolist()


def test_the_text_and_markdown_reports_show_a_50_digit_person_cap_to_the_penny() -> None:
    """A person cap of 50 digits (E085's bound) and what it leaves each person, exactly:
    ``pounds`` took ``abs`` (Decimal arithmetic, 28 digits) and showed £10^50, and the
    "Left" column subtracted at 28 digits too."""
    cap = "99,999,999,999,999,999,999,999,999,999,999,999,999,999,999,999,999.99"
    c = _contract(f"""\
    cap £1,000 over term
    cap £{cap} per person
    price A "A" £250.01 per outcome
""")
    report = evaluate(c, Bundle(source="t", claims=ClaimTable.of([("A", "P1", DAY)])), END)
    left = "99,999,999,999,999,999,999,999,999,999,999,999,999,999,999,999,749.98"
    for out in (render_text(report, width=400), render_markdown(report)):
        assert f"£{cap}" in out and f"£{left}" in out
        assert "£100,000,000,000,000,000,000" not in out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prices=st.lists(st.sampled_from(_HUGE), min_size=1, max_size=3),
       people=st.integers(10, 30), person_cap=st.one_of(st.none(), st.sampled_from(_HUGE)),
       data=st.data())
def test_many_claims_at_the_greatest_term_cap_are_decided_as_the_text_says(
        prices: list[int], people: int, person_cap: int | None, data: st.DataObject) -> None:
    """The term cap at its bound and a claim for each of many people: running sums of the
    clipped amounts pass 2^63 pence, where only the loop of Python ints is right."""
    rules = [f"cap {_pounds(MAX_TERM_CAP)} over term"]
    if person_cap is not None:
        rules.append(f"cap {_pounds(person_cap)} per person")
    rules += [f'price Q{i} "Outcome {i}" {_pounds(a)} per outcome' for i, a in enumerate(prices)]
    c = _contract("".join(f"    {line}\n" for line in rules))
    claims = [(data.draw(st.sampled_from([f"Q{i}" for i in range(len(prices))])), f"P{k}",
               DAY + dt.timedelta(data.draw(st.integers(0, 3)))) for k in range(people)]
    assert _decided(c, claims) == _reference(c, claims)
