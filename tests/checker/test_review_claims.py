"""Review of person-level rate cards (RECORDS.md) against a reference written from the text.

``test_claims_properties`` holds the columnar rules equal to ``decide_in_order``, but both
start from the same prepared columns (decision order, window ends). The reference here
starts from the rows themselves, with Python dates and Decimals, sentence by sentence:

  Claims are taken in order of `achieved_on`, then the price's order in the rate card, then
  `person` (as text, by code point), and each is decided in this order of rules ...
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import ClaimTable, ParticipantTable
from obc_check.checker.data.load import load_bundle
from obc_check.checker.rules.evaluate import evaluate
from obc_check.dsl import compile_text
from obc_check.model import Contract, RateCard, add_months
from tests.checker.test_claims_properties import card

START, END = dt.date(2020, 1, 31), dt.date(2022, 1, 30)
# persons whose code-point order differs from other orders people might use (numeric,
# case-blind, UTF-16, locale): P10 before P9, Z before a, é after z, 😀 after ﬀ
PEOPLE = ["P9", "P10", "P1", "a", "Z", "é", "z", "ﬀ", "😀", "P01"]
SPECIAL = [dt.date(2020, 1, 31), dt.date(2020, 2, 29), dt.date(2020, 3, 31),
           dt.date(2021, 2, 28), dt.date(2022, 1, 30), dt.date(2022, 1, 31),
           dt.date(2020, 1, 30), dt.date(2020, 8, 31)]


@st.composite
def cards(draw: st.DrawFn) -> Contract:
    rules = [f"cap £{draw(st.integers(1, 40)) * 100:,} over term"]
    if draw(st.booleans()):
        rules.append(f"cap £{draw(st.sampled_from(['250', '600', '1,000', '1,234.56']))} "
                     "per person")
    if draw(st.booleans()):
        rules.append(f"claims within {draw(st.sampled_from([1, 6, 11, 12, 13]))} months of "
                     "start")
    prices = []
    for i in range(draw(st.integers(1, 4))):
        extras = []
        if draw(st.booleans()):
            extras.append("once per person")
        if draw(st.booleans()):
            extras.append(f"at most {draw(st.integers(1, 5))} over term")
        if draw(st.booleans()):
            extras.reverse()
        amount = draw(st.sampled_from(["£100", "£250", "£600", "£99.99", "£1,500"]))
        unit = "per person" if draw(st.booleans()) else "per outcome"
        prices.append(f'price Q{i} "Outcome {i}" {amount} {unit}'
                      + "".join(f", {e}" for e in extras))
    # the rate card's order is not the order of the ids
    prices.reverse()
    text = card(f"""\
    {chr(10).join(rules)}
    {chr(10).join(prices)}
""", START, END)
    compiled = compile_text(text)
    assert compiled.contract is not None, compiled.diagnostics
    return compiled.contract


days = st.one_of(st.integers(-40, (END - START).days + 40).map(
    lambda n: START + dt.timedelta(n)), st.sampled_from(SPECIAL))

Claim = tuple[str, str, dt.date]


def reference(card: RateCard, claims: list[Claim], starts: dict[str, dt.date],
              as_of: dt.date) -> list[tuple[str, str, dt.date, str | None, Decimal, bool]]:
    """RECORDS.md's five rules, one claim at a time, from the rows."""
    place = {p.id: i for i, p in enumerate(card.prices)}
    price = {p.id: p for p in card.prices}
    ordered = sorted(claims, key=lambda c: (c[2], place[c[0]], c[1]))  # str: code points
    paid_pairs: set[tuple[str, str]] = set()
    paid_count: dict[str, int] = {}
    person_paid: dict[str, Decimal] = {}
    term_paid = Decimal(0)
    out = []
    for pid, who, day in ordered:
        p = price[pid]
        reason: str | None = None
        amount = Decimal(0)
        if day < START or day > END:
            reason = "outside_term"
        elif day > as_of:
            reason = "after_as_of"
        elif card.claim_months is not None and day < starts[who]:
            reason = "before_start"
        elif card.claim_months is not None and day > add_months(starts[who],
                                                                card.claim_months):
            reason = "outside_window"
        elif p.once_per_person and (pid, who) in paid_pairs:
            reason = "repeat"
        elif p.at_most is not None and paid_count.get(pid, 0) >= p.at_most:
            reason = "price_limit"
        else:
            left_person = (p.amount if card.person_cap is None
                           else card.person_cap - person_paid.get(who, Decimal(0)))
            left_term = card.cap - term_paid
            amount = min(p.amount, left_person, left_term)
            if amount <= 0:
                reason = "term_cap" if left_term <= 0 else "person_cap"
                amount = Decimal(0)
        if reason is None:
            paid_pairs.add((pid, who))
            paid_count[pid] = paid_count.get(pid, 0) + 1
            person_paid[who] = person_paid.get(who, Decimal(0)) + amount
            term_paid += amount
        out.append((pid, who, day, reason, amount, reason is None and amount < p.amount))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_claim_is_decided_as_the_text_of_records_md_says(data: st.DataObject) -> None:
    c = data.draw(cards())
    card = c.rate_card
    assert card is not None
    ids = [p.id for p in card.prices]
    claims = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(PEOPLE), days),
                                max_size=50, unique=True))
    starts = {p: data.draw(days) for p in PEOPLE}
    as_of = data.draw(days)
    bundle = Bundle(source="t", claims=ClaimTable.of(claims),
                    participants=ParticipantTable.of(sorted(starts.items()))
                    if card.claim_months is not None else None)
    result = evaluate(c, bundle, as_of).rate_card
    assert result is not None and result.claims is not None
    got = [(r.price, r.person, r.achieved_on, r.reason, r.amount, r.capped)
           for r in result.claims]
    want = reference(card, claims, starts, as_of)
    assert got == want
    paid = [w for w in want if w[3] is None]
    assert result.total == sum((w[4] for w in paid), Decimal(0))
    years = {y.year: y.payable for y in result.years}
    for y in c.term.years:
        mine = sum((w[4] for w in paid if y.start <= w[2] <= y.end), Decimal(0))
        assert years.get(y.label, Decimal(0)) == mine


WINDOW_CARD = """
contract W "Window" {
  version "1"
  currency GBP
  term 2020-01-01 to 2021-12-31
  party C "Commissioner" role commissioner sector local_authority
  party P "Provider" role lead_provider sector voluntary
  rate_card {
    cap £10,000 over term
    claims within 12 months of start
    price A "A" £100 per person, once per person
  }
}
"""


def test_a_participant_whose_row_is_bad_is_not_also_said_to_be_missing(tmp_path: Path) -> None:
    """RECORDS.md: D061 is "a person in `claims` who is not in `participants`". A person
    whose participants row has a bad start date *is* in participants: that row's D008 says
    what is wrong, and a second error saying the person is absent would send the analyst
    looking for a row that is there."""
    compiled = compile_text(WINDOW_CARD)
    assert compiled.contract is not None, compiled.diagnostics
    (tmp_path / "claims.csv").write_text(
        "price,person,achieved_on\nA,P1,2020-03-01\nA,P2,2020-03-01\nA,P3,2020-03-01\n",
        encoding="utf-8")
    (tmp_path / "participants.csv").write_text(
        "person,started_on\nP1,2020-13-01\nP2,2020-01-01\n", encoding="utf-8")
    bundle, diags = load_bundle(tmp_path, compiled.contract)
    assert bundle is None
    found = sorted((d.code, d.span.file.rsplit("/", 1)[-1] if d.span else "", d.span.line
                    if d.span else 0) for d in diags if d.severity == "error")
    # P1's row is bad (D008); P3 is really absent (D061); P1 is not said to be absent
    assert found == [("D008", "participants.csv", 2), ("D061", "claims.csv", 4)]
