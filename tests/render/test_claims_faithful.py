"""The rendered claim clauses (issue 12) say what ``check`` decides, tied by running it.

``render`` words the month rule's example with ``model.add_months``; ``check`` decides
claims with ``rules.claims.add_months_days`` over numpy day numbers. The two are held
together here for every day of several years, and each sentence with a figure or an order
in it is checked against the decisions the checker makes on data built to test it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import ClaimTable, ParticipantTable
from obc_check.checker.rules.claims import add_months_days, window_ends
from obc_check.checker.rules.evaluate import evaluate
from obc_check.dsl import compile_text
from obc_check.model import Contract, add_months
from obc_check.render import render_markdown

EPOCH = dt.date(1970, 1, 1)


def card(window: int) -> Contract:
    result = compile_text(f"""
contract T "Claims" {{
  version "1"
  currency GBP
  term 2016-01-01 to 2099-12-31
  party C "Commissioner" role commissioner sector local_authority
  party P "Provider" role lead_provider sector voluntary
  rate_card {{
    cap £1,000,000 over term
    cap £1,000 per person
    claims within {window} months of start
    price A "A" £600 per person, once per person, at most 1 over term
    price B "B" £500 per outcome
  }}
}}
""")
    assert result.contract is not None, result.diagnostics
    return result.contract


@settings(max_examples=200, deadline=None)
@given(start=st.dates(dt.date(1970, 1, 1), dt.date(2200, 12, 31)), months=st.integers(0, 240))
def test_the_checker_and_the_text_move_a_date_by_months_alike(start: dt.date,
                                                               months: int) -> None:
    day = np.array([(start - EPOCH).days], np.int64)
    expected = (add_months(start, months) - EPOCH).days
    assert int(add_months_days(day, months)[0]) == expected
    assert int(window_ends(day, months)[0]) == expected


def test_window_ends_of_every_day_of_a_span_are_the_model_dates() -> None:
    days = np.arange((dt.date(2019, 1, 1) - EPOCH).days, (dt.date(2025, 1, 1) - EPOCH).days)
    for months in (1, 12, 36):
        ends = window_ends(days, months)
        assert [int(e) for e in ends] == [
            (add_months(EPOCH + dt.timedelta(int(d)), months) - EPOCH).days for d in days]


@pytest.mark.parametrize("window", [1, 13, 36])
def test_the_example_day_of_the_window_is_the_last_day_check_pays(window: int) -> None:
    c = card(window)
    text = render_markdown(c)
    found = re.search(r"for a Start Date of (\d+ \w+ \d{4}) it is (\d+ \w+ \d{4})", text)
    assert found is not None
    start, end = (dt.datetime.strptime(s, "%d %B %Y").date() for s in found.groups())
    assert f"after the day {window} month" in text
    claims = [("B", "X", end), ("B", "X", end + dt.timedelta(days=1)),
              ("B", "Y", start - dt.timedelta(days=1)), ("B", "Y", start)]
    report = evaluate(c, Bundle(source="t", claims=ClaimTable.of(claims),
                                participants=ParticipantTable.of([("X", start),
                                                                  ("Y", start)])),
                      dt.date(2099, 12, 31))
    assert report.rate_card is not None and report.rate_card.claims is not None
    decided = {(r.person, r.achieved_on): r.reason or r.status for r in report.rate_card.claims}
    assert decided == {("X", end): "paid", ("X", end + dt.timedelta(days=1)): "outside_window",
                       ("Y", start - dt.timedelta(days=1)): "before_start", ("Y", start): "paid"}


def test_p10_comes_before_p9_as_the_text_says() -> None:
    c = card(36)
    assert "(so that “P10” comes before “P9”)" in render_markdown(c)
    day = dt.date(2020, 6, 1)
    report = evaluate(c, Bundle(source="t", claims=ClaimTable.of([("A", "P9", day),
                                                                  ("A", "P10", day)]),
                                participants=ParticipantTable.of([("P9", dt.date(2020, 1, 1)),
                                                                  ("P10", dt.date(2020, 1, 1))])),
                      dt.date(2099, 12, 31))
    assert report.rate_card is not None and report.rate_card.claims is not None
    # `at most 1`: the first decided is paid, the other finds the limit reached
    assert [(r.person, r.status, r.reason) for r in report.rate_card.claims] == [
        ("P10", "paid", None), ("P9", "rejected", "price_limit")]


def test_the_caps_and_the_order_of_the_least_are_the_checkers() -> None:
    c = card(36)
    text = render_markdown(c)
    assert "The Rate Card Cap is £1,000,000" in text
    assert "shall not exceed £1,000 (the Person Cap)" in text
    assert ("paid the least of the price of its Outcome, what the Person Cap leaves for the "
            "Participant and what the Rate Card Cap leaves") in text
    start = dt.date(2020, 1, 1)
    claims = [("A", "X", dt.date(2020, 2, 1)), ("B", "X", dt.date(2020, 3, 1)),
              ("B", "X", dt.date(2020, 4, 1))]
    report = evaluate(c, Bundle(source="t", claims=ClaimTable.of(claims),
                                participants=ParticipantTable.of([("X", start)])),
                      dt.date(2099, 12, 31))
    assert report.rate_card is not None and report.rate_card.claims is not None
    rows = [(r.price, r.amount, r.capped, r.reason) for r in report.rate_card.claims]
    # £600, then the Person Cap leaves £400 of £500 ("paid in part"), then nothing
    assert rows == [("A", Decimal("600.00"), False, None), ("B", Decimal("400.00"), True, None),
                    ("B", Decimal("0.00"), False, "person_cap")]


PLAIN = """
contract T "Plain" {
  version "1"
  currency GBP
  term 2020-01-01 to 2021-12-31
  party C "Commissioner" role commissioner sector local_authority
  party P "Provider" role lead_provider sector voluntary
  rate_card {
    cap £1,000 over term
    price A "A" £300 per person, at most 2 over term
    price B "B" £500 per outcome
  }
}
"""


def test_a_plain_rate_card_says_how_claims_are_paid_as_check_pays_them() -> None:
    """RECORDS.md: a rate card without person-level rules is paid from claims when the data
    gives them. Its clause said only how reported counts of ended periods are paid, while
    check pays claims of a year in progress and takes them day by day, not period by period.
    """
    compiled = compile_text(PLAIN)
    assert compiled.contract is not None, compiled.diagnostics
    c = compiled.contract
    text = render_markdown(c)
    assert ("Where the outcomes are claimed one at a time instead of reported as numbers for "
            "periods, the Rate Card is paid on those claims alone.") in text
    assert ("claims achieved on the same day in the order of their prices in the table; and "
            "claims under the same price on the same day in the order of the persons' "
            "identifiers") in text
    assert ("a claim under a price with a limit in the table is rejected once that number "
            "of claims under that price has been paid, in full or in part") in text
    assert ("otherwise the claim is paid the least of its price and what the Rate Card Cap "
            "leaves, and a claim for which that is nothing is rejected") in text
    assert "whether or not that Contract Year has ended" in text
    day = dt.date(2021, 3, 1)
    claims = [("B", "P1", day), ("A", "P9", day), ("A", "P10", day),
              ("A", "P2", dt.date(2021, 3, 2)), ("B", "P3", dt.date(2021, 3, 3)),
              ("B", "P4", dt.date(2021, 3, 4)), ("A", "P5", dt.date(2021, 6, 2)),
              ("A", "P6", dt.date(2019, 12, 31))]
    report = evaluate(c, Bundle(source="t", claims=ClaimTable.of(claims)),
                      dt.date(2021, 6, 1))  # 2021 has not ended
    card = report.rate_card
    assert card is not None and card.claims is not None
    assert [(r.price, r.person, r.amount, r.reason) for r in card.claims] == [
        ("A", "P6", Decimal("0.00"), "outside_term"),
        ("A", "P10", Decimal("300.00"), None),  # the prices' order, then code points
        ("A", "P9", Decimal("300.00"), None),
        ("B", "P1", Decimal("400.00"), None),  # what the Rate Card Cap leaves
        ("A", "P2", Decimal("0.00"), "price_limit"),  # the limit comes before the cap
        ("B", "P3", Decimal("0.00"), "term_cap"),
        ("B", "P4", Decimal("0.00"), "term_cap"),
        ("A", "P5", Decimal("0.00"), "after_as_of")]
    assert [(y.year, y.payable) for y in card.years] == [("2021", Decimal("1000.00"))]
    no_limit = compile_text(PLAIN.replace(", at most 2 over term", "")).contract
    assert no_limit is not None
    assert "a claim under a price with a limit" not in render_markdown(no_limit)


def test_the_longest_claim_window_renders_its_example() -> None:
    """12,000 months (E086's bound) is the longest window that compiles; its example of the
    month rule is still a date (99,999 months once passed the year 9999: exit 3)."""
    text = render_markdown(card(12_000))
    assert "after the day 12,000 months after it" in text
    assert "for a Start Date of 31 January 2020 it is 31 January 3020" in text
