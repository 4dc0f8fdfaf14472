"""Person-level rate cards (RECORDS.md): each boundary the issue names, one test each.

Claims are built as tables and evaluated directly; every test states the decision the spec's
five rules give, so that a change to the order of rules or to the date rule fails here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import ClaimTable, ParticipantTable
from obc_check.checker.report.claim_rows import ClaimRow
from obc_check.checker.report.model import RateCardResult
from obc_check.checker.rules.claims import add_months_days
from obc_check.checker.rules.evaluate import evaluate
from obc_check.dsl import compile_text
from obc_check.model import Contract

D = dt.date
LATE = D(2023, 6, 30)


def contract(rules: str, prices: str) -> Contract:
    text = f"""
contract T "Claims" {{
  version "1"
  currency GBP
  term 2020-01-01 to 2022-12-31
  party C "Commissioner" role commissioner sector local_authority
  party P "Provider" role lead_provider sector voluntary
  rate_card {{
    {rules}
    {prices}
  }}
}}
"""
    compiled = compile_text(text)
    assert compiled.contract is not None, compiled.diagnostics
    return compiled.contract


def card_of(c: Contract, claims: list[tuple[str, str, dt.date]],
            people: list[tuple[str, dt.date]] | None = None,
            as_of: dt.date = LATE) -> RateCardResult:
    bundle = Bundle(source="t", claims=ClaimTable.of(claims),
                    participants=ParticipantTable.of(people) if people is not None else None)
    card = evaluate(c, bundle, as_of).rate_card
    assert card is not None and card.claims is not None
    return card


def decided(card: RateCardResult) -> list[tuple[str, str, str, str | None, Decimal]]:
    assert card.claims is not None
    return [(r.price, r.person, r.achieved_on.isoformat(), r.reason, r.amount)
            for r in card.claims]


WINDOW = contract("cap £100,000 over term\n    claims within 1 months of start",
                  'price A "A" £100 per outcome')


def test_claim_on_the_last_day_of_the_window_is_paid_and_the_day_after_is_not() -> None:
    # 2020-01-31 + 1 month = 2020-02-29 (the date rule of conditions): that day is inside
    card = card_of(WINDOW, [("A", "P1", D(2020, 2, 29)), ("A", "P1", D(2020, 3, 1))],
                   [("P1", D(2020, 1, 31))])
    assert decided(card) == [("A", "P1", "2020-02-29", None, Decimal("100.00")),
                             ("A", "P1", "2020-03-01", "outside_window", Decimal("0.00"))]


def test_31_january_plus_one_month_is_the_last_day_of_february() -> None:
    days = np.array([(D(2020, 1, 31) - D(1970, 1, 1)).days, (D(2021, 1, 31) - D(1970, 1, 1)).days,
                     (D(2020, 3, 31) - D(1970, 1, 1)).days, (D(2020, 1, 15) - D(1970, 1, 1)).days])
    got = [D(1970, 1, 1) + dt.timedelta(days=int(d)) for d in add_months_days(days, 1)]
    assert got == [D(2020, 2, 29), D(2021, 2, 28), D(2020, 4, 30), D(2020, 2, 15)]
    card = card_of(WINDOW, [("A", "P2", D(2021, 2, 28)), ("A", "P2", D(2021, 3, 1))],
                   [("P2", D(2021, 1, 31))])
    assert [r[3] for r in decided(card)] == [None, "outside_window"]


def test_a_claim_before_the_start_is_rejected_and_the_start_day_is_paid() -> None:
    card = card_of(WINDOW, [("A", "P1", D(2020, 5, 31)), ("A", "P1", D(2020, 6, 1))],
                   [("P1", D(2020, 6, 1))])
    assert [r[3] for r in decided(card)] == ["before_start", None]


def test_two_claims_on_one_day_are_ordered_by_price_then_person_by_code_point() -> None:
    c = contract("cap £250 over term", 'price A "A" £100 per outcome\n    '
                 'price B "B" £100 per outcome')
    day = D(2020, 6, 1)
    card = card_of(c, [("B", "P1", day), ("A", "P9", day), ("A", "P10", day)])
    # A before B (the card's order); P10 before P9 (code points: "1" < "9")
    assert decided(card) == [("A", "P10", "2020-06-01", None, Decimal("100.00")),
                             ("A", "P9", "2020-06-01", None, Decimal("100.00")),
                             ("B", "P1", "2020-06-01", None, Decimal("50.00"))]
    assert card.claims is not None and card.claims[2].capped


def test_person_cap_and_term_cap_exhausted_by_the_same_claim() -> None:
    c = contract("cap £1,000 over term\n    cap £1,000 per person",
                 'price A "A" £600 per person\n    price B "B" £600 per person\n    '
                 'price W "W" £100 per outcome')
    card = card_of(c, [("A", "P1", D(2020, 2, 1)), ("B", "P1", D(2020, 3, 1)),
                       ("W", "P1", D(2020, 4, 1)), ("W", "P2", D(2020, 4, 2))])
    # the second claim leaves nothing of either cap: £400, capped; then the term cap is
    # used up, which rule 5 names first, for P1 as for P2
    assert decided(card) == [("A", "P1", "2020-02-01", None, Decimal("600.00")),
                             ("B", "P1", "2020-03-01", None, Decimal("400.00")),
                             ("W", "P1", "2020-04-01", "term_cap", Decimal("0.00")),
                             ("W", "P2", "2020-04-02", "term_cap", Decimal("0.00"))]
    assert card.total == Decimal("1000.00")
    assert [(p.person, p.paid) for p in card.people or []] == [("P1", Decimal("1000.00")),
                                                               ("P2", Decimal("0.00"))]


def test_person_cap_alone_names_person_cap() -> None:
    c = contract("cap £10,000 over term\n    cap £700 per person", 'price A "A" £600 per outcome')
    card = card_of(c, [("A", "P1", D(2020, 2, 1)), ("A", "P1", D(2020, 3, 1)),
                       ("A", "P1", D(2020, 4, 1)), ("A", "P2", D(2020, 4, 1))])
    assert [(r[3], r[4]) for r in decided(card)] == [
        (None, Decimal("600.00")), (None, Decimal("100.00")), ("person_cap", Decimal("0.00")),
        (None, Decimal("600.00"))]


def test_once_per_person_a_capped_claim_counts_and_a_rejected_one_does_not() -> None:
    c = contract("cap £10,000 over term\n    cap £500 per person\n"
                 "    claims within 12 months of start",
                 'price A "A" £600 per person, once per person')
    card = card_of(c, [("A", "P1", D(2020, 1, 5)), ("A", "P1", D(2020, 2, 5)),
                       ("A", "P1", D(2020, 3, 5)), ("A", "P2", D(2020, 3, 5))],
                   [("P1", D(2020, 2, 1)), ("P2", D(2020, 2, 1))])
    # P1's first claim is before their start: rejected, so it does not count; the second is
    # paid £500 (capped by the person cap) and counts, so the third is a repeat
    assert [(r[3], r[4]) for r in decided(card)] == [
        ("before_start", Decimal("0.00")), (None, Decimal("500.00")),
        ("repeat", Decimal("0.00")), (None, Decimal("500.00"))]


def test_at_most_counts_capped_claims_and_is_checked_before_the_caps() -> None:
    c = contract("cap £1,500 over term", 'price A "A" £600 per outcome, at most 3 over term, '
                 'once per person')
    card = card_of(c, [("A", "P1", D(2020, 1, 5)), ("A", "P2", D(2020, 1, 6)),
                       ("A", "P3", D(2020, 1, 7)), ("A", "P4", D(2020, 1, 8)),
                       ("A", "P1", D(2020, 1, 9))])
    # the third is capped at £300 and counts towards `at most 3`, so the fourth is
    # price_limit (rule 4 comes before the caps of rule 5); P1's second is a repeat (rule 3)
    assert [(r[3], r[4]) for r in decided(card)] == [
        (None, Decimal("600.00")), (None, Decimal("600.00")), (None, Decimal("300.00")),
        ("price_limit", Decimal("0.00")), ("repeat", Decimal("0.00"))]


def test_outside_the_term_comes_before_after_the_as_of_date() -> None:
    c = contract("cap £10,000 over term", 'price A "A" £100 per outcome')
    card = card_of(c, [("A", "P1", D(2019, 12, 31)), ("A", "P1", D(2020, 1, 1)),
                       ("A", "P1", D(2021, 7, 1)), ("A", "P1", D(2023, 1, 1))],
                   as_of=D(2021, 6, 30))
    assert [r[3] for r in decided(card)] == ["outside_term", None, "after_as_of",
                                              "outside_term"]
    assert [(y.year, y.payable) for y in card.years] == [("2020", Decimal("100.00"))]


def test_a_plain_rate_card_is_paid_from_claims_when_the_bundle_has_them() -> None:
    c = contract("cap £10,000 over term", 'price A "A" £100 per outcome, at most 1 over term')
    card = card_of(c, [("A", "P1", D(2020, 1, 5)), ("A", "P1", D(2021, 1, 5))])
    assert [r[3] for r in decided(card)] == [None, "price_limit"]
    assert card.lines == []


def test_claim_rows_carry_their_year() -> None:
    c = contract("cap £10,000 over term", 'price A "A" £100 per outcome')
    card = card_of(c, [("A", "P1", D(2021, 1, 5)), ("A", "P1", D(2019, 1, 5))])
    assert card.claims is not None
    rows: list[ClaimRow] = list(card.claims)
    assert [(r.achieved_on, r.year) for r in rows] == [(D(2019, 1, 5), None),
                                                       (D(2021, 1, 5), "2021")]
