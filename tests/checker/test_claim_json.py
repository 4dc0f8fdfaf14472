"""The JSON report streams claim and person rows: the same JSON as the rows' own serialiser.

``Report.write_json`` writes ``rate_card.claims`` and ``rate_card.people`` one compact line a
row, built with pyarrow string functions (``ClaimRows.json_chunks``). These tests hold the
stream to ``json.dumps`` of the rows (``json_rows``), for identifiers that need escaping too.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import ClaimTable, ParticipantTable
from obc_check.checker.report import claim_rows
from obc_check.checker.report.claim_rows import ClaimRow, ClaimRows, PeopleRows, PersonPaid
from obc_check.checker.rules.evaluate import evaluate
from tests.checker.test_claims import contract

D = dt.date
HARD = ['plain', 'quote"d', "back\\slash", "new\nline", "tab\there", "\x00nul", "£ non-ASCII",
        "\u2028separator", "émoji 🎉", ""]
CARD = contract("cap £1,400 over term\n    cap £150 per person\n    claims within 12 months "
                "of start", 'price A "A" £100 per person, once per person\n'
                '    price B "B" £70.55 per outcome')


def lines(text: str) -> list[str]:
    return [line.strip().rstrip(",") for line in text.split("\n")]


def test_streamed_claims_are_the_json_of_each_row() -> None:
    claims = [("A", p, D(2020, 3, 1)) for p in HARD] + [("B", p, D(2020, 3, 2)) for p in HARD] \
        + [("A", HARD[1], D(2020, 4, 1)), ("B", "late", D(2023, 1, 1))]
    people = [(p, D(2020, 1, 1)) for p in [*HARD, "late"]]
    report = evaluate(CARD, Bundle(source="t", claims=ClaimTable.of(claims),
                                   participants=ParticipantTable.of(people)), D(2023, 6, 30))
    card = report.rate_card
    assert card is not None and card.claims is not None and card.people is not None
    doc = json.loads(report.to_json())
    assert doc["rate_card"]["claims"] == card.claims.json_rows()
    assert doc["rate_card"]["people"] == card.people.json_rows()
    assert doc == report.model_dump(mode="json", by_alias=True, exclude_none=True)
    # each row one compact line, as json.dumps writes the row
    text = "\n".join(card.claims.json_chunks(""))
    assert lines(text) == [json.dumps(r, ensure_ascii=False, separators=(",", ":"))
                           for r in card.claims.json_rows()]
    reasons = {r["reason"] for r in doc["rate_card"]["claims"] if "reason" in r}
    assert {"repeat", "outside_term", "term_cap"} <= reasons
    assert any(r["capped"] for r in doc["rate_card"]["claims"])
    assert any("year" not in r for r in doc["rate_card"]["claims"])  # outside the term


def test_no_claims_is_an_empty_list() -> None:
    report = evaluate(CARD, Bundle(source="t", claims=ClaimTable.of([]),
                                   participants=ParticipantTable.of([])), D(2023, 6, 30))
    doc = json.loads(report.to_json())
    assert doc["rate_card"]["claims"] == [] and doc["rate_card"]["people"] == []


def test_rows_are_streamed_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claim_rows, "CHUNK", 3)
    rows = ClaimRows.of([ClaimRow(price="A", person=f"p{i}", achieved_on=D(2020, 1, i + 1),
                                  status="paid", amount=Decimal(i), capped=False)
                         for i in range(8)])
    chunks = list(rows.json_chunks("  "))
    assert len(chunks) == 3
    assert [json.loads(line) for line in lines("\n".join(chunks))] == rows.json_rows()
    people = PeopleRows.of([PersonPaid(person=f"p{i}", paid=Decimal("0.05"), claims=1)
                            for i in range(7)])
    assert [json.loads(line) for line in lines("\n".join(people.json_chunks("")))] \
        == people.json_rows() == [{"person": f"p{i}", "paid": "0.05", "claims": 1}
                                  for i in range(7)]


@settings(max_examples=60, deadline=None)
@given(persons=st.lists(st.text(max_size=6), min_size=1, max_size=12),
       pence=st.lists(st.integers(0, 10**15), min_size=1, max_size=12))
def test_any_person_and_amount_stream_as_json_dumps_writes_them(persons: list[str],
                                                                pence: list[int]) -> None:
    rows = ClaimRows.of([ClaimRow(price="A", person=p, achieved_on=D(2021, 5, 9),
                                  year=None if i % 2 else "2021/22",
                                  status="paid" if i % 3 else "rejected",
                                  reason=None if i % 3 else "repeat",
                                  amount=Decimal(pence[i % len(pence)]).scaleb(-2),
                                  capped=bool(i % 2)) for i, p in enumerate(persons)])
    text = "\n".join(rows.json_chunks(""))
    assert lines(text) == [json.dumps(r, ensure_ascii=False, separators=(",", ":"))
                           for r in rows.json_rows()]
