"""Invariants of person-level rate cards (RECORDS.md), with hypothesis over random cards.

Each example draws a rate card (term cap, maybe a person cap and a claim window, prices
with or without `once per person` and `at most N`) and a bundle of claims and participants,
and checks what must hold whatever the data: the caps, once per person, `at most`, that
the report does not depend on the order of the rows, that the columnar rules equal the
plain loop of RECORDS.md, and that CSV, JSON and XLSX give the same report.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import obc_check.checker.data.claims as claims_data
import obc_check.checker.data.load as load
from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import (
    NO_START,
    ClaimTable,
    ParticipantTable,
    _hashed_ranks,
    claim_codes,
    has_repeats,
    person_ranks,
    with_starts,
)
from obc_check.checker.data.convert import write_csv, write_json, write_xlsx
from obc_check.checker.data.load import load_bundle
from obc_check.checker.report import claim_summary
from obc_check.checker.report.claim_summary import REASON_WORDS, by_price_year, tally
from obc_check.checker.report.formats import junit
from obc_check.checker.report.model import Report
from obc_check.checker.rules import claims as claims_rules
from obc_check.checker.rules.claims import PAID, TERM_CAP, decide, decide_in_order, inputs
from obc_check.checker.rules.evaluate import evaluate
from obc_check.dsl import compile_text
from obc_check.model import Contract

pytestmark = pytest.mark.usefixtures("claim_paths")  # kernels and numpy (conftest)

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
START, END, AS_OF = dt.date(2020, 1, 1), dt.date(2021, 12, 31), dt.date(2021, 9, 30)
PEOPLE = [f"P{i}" for i in range(1, 13)]

def card(lines: str, start: dt.date = START, end: dt.date = END) -> str:
    """The text of a contract whose rate card is ``lines`` (its caps, window and prices).

    The one header every claims test contract has: the term (START to END unless given), a
    commissioner and a provider.
    """
    return (f'contract H "Claims" {{\n  version "1"\n  currency GBP\n  term {start} to {end}\n'
            '  party C "Commissioner" role commissioner sector local_authority\n'
            '  party P "Provider" role lead_provider sector voluntary\n'
            f'  rate_card {{\n{lines}  }}\n}}\n')



@st.composite
def cards(draw: st.DrawFn) -> tuple[Contract, bool]:
    rules = [f"cap £{draw(st.integers(1, 60)) * 100:,} over term"]
    if draw(st.booleans()):
        rules.append(f"cap £{draw(st.integers(1, 30)) * 50:,} per person")
    window = draw(st.booleans())
    if window:
        rules.append(f"claims within {draw(st.integers(1, 18))} months of start")
    prices = []
    for i in range(draw(st.integers(1, 4))):
        extras = []
        if draw(st.booleans()):
            extras.append("once per person")
        if draw(st.booleans()):
            extras.append(f"at most {draw(st.integers(1, 6))} over term")
        if draw(st.booleans()):
            extras.reverse()
        amount = draw(st.sampled_from(["£100", "£250", "£600", "£1,500", "£99.99"]))
        prices.append(f'price R{i} "Outcome {i}" {amount} per person'
                      + "".join(f", {e}" for e in extras))
    text = card(f"""\
    {chr(10).join(rules)}
    {chr(10).join(prices)}
""")
    compiled = compile_text(text)
    assert compiled.contract is not None, compiled.diagnostics
    return compiled.contract, window


@st.composite
def bundles(draw: st.DrawFn, c: Contract) -> tuple[list[tuple[str, str, dt.date]],
                                                  list[tuple[str, dt.date]]]:
    assert c.rate_card is not None
    ids = [p.id for p in c.rate_card.prices]
    day = st.integers(-40, (END - START).days + 40).map(lambda n: START + dt.timedelta(n))
    rows = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(PEOPLE), day),
                         max_size=60, unique=True))
    people = [(p, draw(day)) for p in PEOPLE]
    return rows, people


def report_of(c: Contract, claims: list[tuple[str, str, dt.date]],
              people: list[tuple[str, dt.date]]) -> Report:
    return evaluate(c, Bundle(source="t", claims=ClaimTable.of(claims),
                              participants=ParticipantTable.of(people)), AS_OF)


@SETTINGS
@given(data=st.data())
def test_caps_once_per_person_and_at_most_hold(data: st.DataObject) -> None:
    c, _window = data.draw(cards())
    claims, people = data.draw(bundles(c))
    card = report_of(c, claims, people).rate_card
    assert card is not None and card.claims is not None and c.rate_card is not None
    rows = list(card.claims)
    paid = [r for r in rows if r.status == "paid"]
    assert len(rows) == len(claims)
    assert card.total == sum((r.amount for r in paid), Decimal(0)) <= c.rate_card.cap
    by_person = Counter[str]()
    for r in paid:
        by_person[r.person] += int(r.amount * 100)
        assert r.amount > 0 and r.reason is None
    for person in card.people or []:
        assert int(person.paid * 100) == by_person[person.person]
        if c.rate_card.person_cap is not None:
            assert person.paid <= c.rate_card.person_cap
    for price in c.rate_card.prices:
        mine = [r for r in paid if r.price == price.id]
        if price.once_per_person:
            assert len({r.person for r in mine}) == len(mine)
        if price.at_most is not None:
            assert len(mine) <= price.at_most
        for r in mine:
            assert r.amount <= price.amount and r.capped == (r.amount < price.amount)
    for r in rows:
        if r.status == "rejected":
            assert r.amount == 0 and not r.capped and r.reason


@SETTINGS
@given(data=st.data())
def test_the_report_does_not_depend_on_the_order_of_rows(data: st.DataObject) -> None:
    c, _window = data.draw(cards())
    claims, people = data.draw(bundles(c))
    shuffled = list(claims)
    random.Random(data.draw(st.integers(0, 1000))).shuffle(shuffled)
    people_shuffled = list(reversed(people))
    first = report_of(c, claims, people).to_jsonable()["rate_card"]
    again = report_of(c, shuffled, people_shuffled).to_jsonable()["rate_card"]
    assert first == again


@SETTINGS
@given(data=st.data())
def test_the_columnar_rules_equal_the_plain_loop(data: st.DataObject) -> None:
    c, _window = data.draw(cards())
    claims, people = data.draw(bundles(c))
    assert c.rate_card is not None
    x, _order, _unit = inputs(c.rate_card, ClaimTable.of(claims), ParticipantTable.of(people),
                              (START, END), AS_OF)
    fast, slow = decide(x), decide_in_order(x)
    assert fast[0].tolist() == slow[0].tolist()
    assert fast[1].tolist() == slow[1].tolist()


def _rate_card(path: Path, c: Contract) -> Any:
    bundle, diags = load_bundle(path, c)
    assert bundle is not None, diags
    return evaluate(c, bundle, AS_OF).to_jsonable()["rate_card"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_csv_json_and_xlsx_give_the_same_report(data: st.DataObject, tmp_path_factory:
                                                 Any) -> None:
    c, window = data.draw(cards())
    claims, people = data.draw(bundles(c))
    claims = [r for r in claims if r[1] in {p for p, _ in people}]
    bundle = Bundle(source="t", claims=ClaimTable.of(claims),
                    participants=ParticipantTable.of(people) if window else None)
    folder = tmp_path_factory.mktemp("b")
    reports = [_rate_card(write_csv(bundle, folder / "csv"), c),
               _rate_card(write_json(bundle, folder / "data.json"), c),
               _rate_card(write_xlsx(bundle, folder / "data.xlsx", dates=True), c)]
    assert reports[0] == reports[1] == reports[2]


@SETTINGS
@given(data=st.data())
def test_the_summaries_are_those_of_the_rows(data: st.DataObject) -> None:
    """Text, markdown and JUnit's figures (read off the columns) equal counting the rows."""
    c, _window = data.draw(cards())
    claims, people = data.draw(bundles(c))
    card = report_of(c, claims, people).rate_card
    assert card is not None and card.claims is not None and c.rate_card is not None
    rows = list(card.claims)
    years = [y.label for y in c.term.years]
    prices = [p.id for p in c.rate_card.prices]
    block = data.draw(st.sampled_from([1, 3, 7, 1 << 16]))  # the tallies' blocks of rows
    with mock.patch.object(claim_summary, "_BLOCK", block):
        tallies = list(by_price_year(card, prices, years))
    for price, year, t in tallies:
        mine = [r for r in rows if r.price == price and r.year == year]
        paid = [r for r in mine if r.status == "paid"]
        assert (t.claims, t.paid, t.capped) == (len(mine), len(paid),
                                               sum(r.capped for r in paid))
        assert t.amount == sum((r.amount for r in paid), Decimal("0.00"))
        assert t.rejected == {r: n for r in REASON_WORDS
                              if (n := sum(1 for x in mine if x.reason == r))}
    whole = tally(card)
    assert whole.claims == len(rows) and whole.amount == card.total
    assert whole.paid == sum(r.status == "paid" for r in rows)
    assert whole.rejected == {r: n for r in REASON_WORDS
                              if (n := sum(1 for x in rows if x.reason == r))}
    assert junit.contract_prices(card) == list(dict.fromkeys(r.price for r in rows))
    assert junit.claim_years(card) == sorted({r.year for r in rows if r.year is not None})


@settings(max_examples=200, deadline=None)
@example(values=["bb", "ab", "ba", "a", "", "b", "bb"], data_fixed=False)  # pieces of 3: a
# first piece of one length (the longest), later ones shorter
@given(values=st.lists(st.one_of(st.text(max_size=9), st.text(alphabet="AB\x00é", max_size=4),
                                 st.from_regex(r"P[0-9]{7}", fullmatch=True),
                                 st.from_regex(r"Q[0-9]{4}", fullmatch=True)),
                       min_size=1, max_size=40), data_fixed=st.booleans())
def test_persons_ranked_by_position_equal_the_hashed_ranks(values: list[str],
                                                           data_fixed: bool) -> None:
    """The byte-by-byte ranking of identifiers agrees with pyarrow's hash and sort."""
    if len(set(map(len, values))) > 1 and data_fixed:
        values = [v for v in values if len(v) == len(values[0])]
    array = pa.array(values, pa.string())
    fast = person_ranks(array)
    slow = _hashed_ranks(array)
    assert fast[0].tolist() == slow[0].tolist()
    assert fast[1].to_pylist() == slow[1].to_pylist() == sorted(set(values), key=str.encode)
    tail = pa.array(["x", *values], pa.string()).slice(1)  # an array that starts at an offset
    assert person_ranks(tail)[0].tolist() == fast[0].tolist()
    # read in pieces of 3 rows (a million rows are read in pieces of 65,536): the symbols
    # of every piece are numbered together, and one piece of one length is not "fixed"
    with mock.patch.object(claims_data, "_PIECE", 3):
        assert person_ranks(array)[0].tolist() == fast[0].tolist()
        assert person_ranks(tail)[1].to_pylist() == fast[1].to_pylist()


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("big_tables", [False, True])
def test_the_columnar_rules_equal_the_plain_loop_at_scale(seed: int, big_tables: bool,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """20,000 claims: the radix sorts and grouped sums take their bulk paths (the properties
    above draw at most 60 claims), and with ``big_tables`` the sort that stands in for the
    pair table when prices × people is large."""
    if big_tables:
        monkeypatch.setattr(claims_rules, "_PAIR_TABLE_LIMIT", 0)
        monkeypatch.setattr(claims_rules, "_PAIR_TABLE_PER_CLAIM", 0)
    rng = np.random.default_rng(seed)
    c = compile_text(card("""\
    cap £1,500,000 over term
    cap £1,000 per person
    claims within 12 months of start
    price A "A" £100 per person, once per person
    price B "B" £250 per person, once per person, at most 900 over term
    price W "W" £40 per outcome
    price D "D" £600 per person, at most 300 over term
""")).contract
    assert c is not None and c.rate_card is not None
    n, people = 20_000, 3_000
    person = rng.integers(0, people, n)
    day = rng.integers(-30, (END - START).days + 30, n)
    price = rng.integers(0, 4, n)
    seen = set()
    claims = []
    for j, p, d in zip(price.tolist(), person.tolist(), day.tolist(), strict=True):
        row = ("ABWD"[j], f"Q{p:05d}", START + dt.timedelta(days=d))
        if row not in seen:
            seen.add(row)
            claims.append(row)
    starts = [(f"Q{p:05d}", START + dt.timedelta(days=int(rng.integers(-60, 300))))
              for p in range(people)]
    x, _order, _unit = inputs(c.rate_card, ClaimTable.of(claims), ParticipantTable.of(starts),
                              (START, END), AS_OF)
    fast, slow = decide(x), decide_in_order(x)
    assert fast[0].tolist() == slow[0].tolist()
    assert fast[1].tolist() == slow[1].tolist()
    assert len(set(fast[0].tolist())) >= 7  # most rules decide some claim


def test_a_repeat_after_the_term_cap_is_used_up_is_term_cap() -> None:
    """A later claim of a once-per-person pair whose first claim met the used-up term cap
    is stopped by the term cap too (the columnar path works it out from what the claims
    before it ask; the loop from what is left)."""
    c = compile_text(card("""\
    cap £150 over term
    cap £1,000 per person
    price A "A" £100 per person, once per person
""")).contract
    assert c is not None and c.rate_card is not None
    day = dt.date(2020, 3, 1)
    claims = [("A", "p1", day), ("A", "p2", day + dt.timedelta(days=1)),
              ("A", "p3", day + dt.timedelta(days=2)), ("A", "p3", day + dt.timedelta(days=3))]
    x, _order, _unit = inputs(c.rate_card, ClaimTable.of(claims), None, (START, END), AS_OF)
    fast, slow = decide(x), decide_in_order(x)
    assert fast[0].tolist() == slow[0].tolist() == [PAID, PAID, TERM_CAP, TERM_CAP]
    assert fast[1].tolist() == slow[1].tolist() == [10000, 5000, 0, 0]


@pytest.mark.parametrize("width", [3, 8, 30])
def test_starts_and_repeated_participants_by_position_and_by_hash(width: int) -> None:
    """Short identifiers are matched by position codes, long ones (over 16 bytes) by hash."""
    name = [f"{i:0{width}d}" for i in range(6)]
    people = ParticipantTable.of([(name[i], dt.date(2020, 1, i + 1)) for i in (4, 0, 2, 5)])
    codes = claim_codes(ClaimTable.of([("R0", name[i], dt.date(2020, 3, 1)) for i in range(5)])
                        .table, ("R0",))
    started = with_starts(codes, people).started
    assert started is not None
    days = [int(d) - (dt.date(2020, 1, 1) - dt.date(1970, 1, 1)).days + 1
            if d != NO_START else None for d in started]
    assert days == [1, None, 3, None, 5]
    assert not has_repeats(people.table.column("person"))
    assert has_repeats(pa.array([name[1], name[3], name[1]]))


@pytest.mark.parametrize("quoted", [False, True])
def test_the_start_days_looked_up_beside_the_sort_are_those_looked_up_after(
        quoted: bool, tmp_path: Path) -> None:
    """The claims' fast path looks the persons' start days up in the participants read
    ahead, on a thread of its own while it sorts; when the participants' fast path does
    not take their file (a quoted cell: the row validator reads it), they are looked up
    afterwards in the validator's table. The same days either way."""
    c = compile_text(card("""\
    cap £100,000 over term
    claims within 6 months of start
    price R0 "Outcome" £100 per person
""")).contract
    assert c is not None
    people = [(f"P{i:03d}", START + dt.timedelta(days=7 * i)) for i in (5, 0, 3, 8, 1)]
    claims = [("R0", p, START + dt.timedelta(days=40 + i)) for i, (p, _d) in
              enumerate(people * 2)]
    folder = write_csv(Bundle(source="t", claims=ClaimTable.of(claims),
                              participants=ParticipantTable.of(people)), tmp_path / "b")
    if quoted:
        text = (folder / "participants.csv").read_text(encoding="utf-8")
        (folder / "participants.csv").write_text(text.replace("P005", '"P005"'),
                                                 encoding="utf-8")
    looked_up_after: list[bool] = []

    def after(codes: claims_data.ClaimCodes, table: ParticipantTable
              ) -> claims_data.ClaimCodes:
        looked_up_after.append(True)
        return with_starts(codes, table)

    with mock.patch.object(load, "with_starts", after):
        loaded, diags = load_bundle(folder, c)
    assert loaded is not None and loaded.claims is not None, diags
    assert loaded.participants is not None and loaded.claims.codes is not None
    assert looked_up_after == ([True] if quoted else [])
    expected = with_starts(claim_codes(loaded.claims.table, ("R0",)), loaded.participants)
    assert expected.started is not None and loaded.claims.codes.started is not None
    assert loaded.claims.codes.started.tolist() == expected.started.tolist()
    assert NO_START not in expected.started.tolist()


_IDS = st.one_of(st.from_regex(r"P[0-9]{3}", fullmatch=True),
                 st.from_regex(r"P[0-2][0-9]{2}", fullmatch=True),
                 st.from_regex(r"[PQ][0-9]{2}", fullmatch=True), st.text("PQé0", max_size=4))


@settings(max_examples=200, deadline=None)
@given(listed=st.lists(_IDS, min_size=1, max_size=30, unique=True),
       claimed=st.lists(_IDS, min_size=1, max_size=30), piece=st.sampled_from([3, 1 << 16]))
def test_starts_by_the_participants_code_book_equal_both_coded_together(
        listed: list[str], claimed: list[str], piece: int) -> None:
    """The claimed persons coded by the participants' own codes (the fast loader keeps
    them) find the same starts, and the same people missing, as the two tables coded
    together: claimed persons of other lengths, or with a symbol no participant has at a
    place, are not participants; a book of mixed lengths is not used."""
    start = dt.date(2020, 1, 1)
    people = ParticipantTable.of([(p, start + dt.timedelta(days=i))
                                  for i, p in enumerate(listed)])
    with mock.patch.object(claims_data, "_PIECE", piece):
        coded = claims_data.person_codes(people.table.column("person"))
        assert coded is not None
        assert not has_repeats(people.table.column("person"), coded)
        codes = claim_codes(ClaimTable.of([("R0", p, start) for p in claimed]).table, ("R0",))
        by_book = with_starts(codes, replace(people, coded=coded)).started
        together = with_starts(codes, people).started
    assert by_book is not None and together is not None
    assert by_book.tolist() == together.tolist()
    expected = {p: i for i, p in enumerate(listed)}
    assert [None if d == NO_START else int(d) - (start - dt.date(1970, 1, 1)).days
            for d in together] == [expected.get(p) for p in codes.persons.to_pylist()]


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10**17)), max_size=30),
       small=st.booleans())
def test_group_sums_are_exact_below_and_above_two_to_the_53(values: list[tuple[int, int]],
                                                            small: bool) -> None:
    """Sums of pence by person or year are exact integers, also beyond a float's 2**53."""
    rows = [(g, v % 10**6 if small else v) for g, v in values]
    groups = np.array([g for g, _ in rows], np.int64)
    amounts = np.array([v for _, v in rows], np.int64)
    expected = [sum(v for g, v in rows if g == k) for k in range(5)]
    assert claims_rules.group_sums(groups, amounts, 5).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(codes=st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=40),
       cut=st.integers(0, 9), width=st.sampled_from(["int8", "int16"]))
def test_reason_counts_off_the_buffers_equal_counting_the_rows(
        codes: list[int | None], cut: int, width: str) -> None:
    """The tally's count of reason codes by validity bits, in a slice too (an offset)."""
    words = ["repeat", "person_cap", "term_cap", "outside_term"]
    array = pa.DictionaryArray.from_arrays(pa.array(codes, getattr(pa, width)()),
                                           pa.array(words))
    part = array.slice(min(cut, len(codes)))
    counted = claim_summary._reason_counts(part)
    if width != "int8":
        assert counted is None  # the caller codes the column itself
        return
    rest = codes[min(cut, len(codes)):]
    assert counted == (sum(c is None for c in rest),
                       {w: sum(c == i for c in rest) for i, w in enumerate(words)})
