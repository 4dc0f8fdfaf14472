"""The checks across the claims, participants and outcomes tables (D060, D061, D025).

Found in the audit of issue #12 against RECORDS.md: each test here failed before its fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obc_check.checker.data.convert import write_sheets
from obc_check.checker.data.load import load_bundle
from obc_check.diagnostics import Diagnostic, Omitted
from obc_check.dsl import compile_text
from obc_check.model import Contract
from tests.checker.test_review_claims import WINDOW_CARD

NO_RATE_CARD = """
contract N "No rate card" {
  version "1"
  currency GBP
  term 2020-01-01 to 2021-12-31
  party C "Commissioner" role commissioner sector local_authority
  party P "Provider" role lead_provider sector voluntary
}
"""


def _contract(text: str) -> Contract:
    compiled = compile_text(text)
    assert compiled.contract is not None, compiled.diagnostics
    return compiled.contract


def _errors(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags if d.severity == "error"]


def test_more_than_100_people_not_in_participants_are_all_counted(tmp_path: Path) -> None:
    """150 claims whose person is missing: 100 shown, the other 50 counted in one line.

    The rest were one more D061 that the cap of 100 per code then hid, so the run said
    "1 more D061 errors" and "101 errors in the data" for 150 bad claims."""
    rows = "".join(f"A,X{i},2020-03-01\n" for i in range(150))
    (tmp_path / "claims.csv").write_text("price,person,achieved_on\n" + rows, encoding="utf-8")
    (tmp_path / "participants.csv").write_text("person,started_on\nP1,2020-01-01\n",
                                               encoding="utf-8")
    bundle, diags = load_bundle(tmp_path, _contract(WINDOW_CARD))
    assert bundle is None
    shown = [d for d in diags if d.code == "D061" and not isinstance(d, Omitted)]
    omitted = [d for d in diags if isinstance(d, Omitted)]
    assert len(shown) == 100
    assert [(d.code, d.count) for d in omitted] == [("D061", 50)]
    assert "50 more D061 errors" in omitted[0].message
    assert sum(d.count if isinstance(d, Omitted) else 1 for d in diags
               if d.severity == "error") == 150


def _bad_participants_csv(folder: Path) -> Path:
    (folder / "participants.csv").write_text("person,start\nP1,2020-01-01\n", encoding="utf-8")
    return folder


def _empty_participants_csv(folder: Path) -> Path:
    (folder / "participants.csv").write_text("", encoding="utf-8")
    return folder


def _bad_participants_json(folder: Path) -> Path:
    path = folder / "data.json"
    path.write_text(json.dumps({
        "claims": [{"price": "A", "person": "P1", "achieved_on": "2020-03-01"}],
        "participants": {"person": "P1"}}), encoding="utf-8")
    return path


def _bad_participants_xlsx(folder: Path) -> Path:
    return write_sheets({"claims": [["price", "person", "achieved_on"],
                                    ["A", "P1", "2020-03-01"]],
                         "participants": [["person"], ["P1"]]}, folder / "data.xlsx")


@pytest.mark.parametrize("make", [_bad_participants_csv, _empty_participants_csv,
                                  _bad_participants_json, _bad_participants_xlsx])
def test_a_participants_table_given_but_unreadable_is_not_said_to_be_absent(
        tmp_path: Path, make: object) -> None:
    """D061 said "the bundle has no participants table" beside the participants table's
    own error (a missing column, an empty file, not a list): the table is there."""
    (tmp_path / "claims.csv").write_text("price,person,achieved_on\nA,P1,2020-03-01\n",
                                         encoding="utf-8")
    assert callable(make)
    bundle, diags = load_bundle(make(tmp_path), _contract(WINDOW_CARD))
    assert bundle is None
    assert _errors(diags) and "D061" not in _errors(diags), diags


def test_no_participants_table_at_all_is_still_d061(tmp_path: Path) -> None:
    (tmp_path / "claims.csv").write_text("price,person,achieved_on\nA,P1,2020-03-01\n",
                                         encoding="utf-8")
    (tmp_path / "participant.csv").write_text("person,started_on\nP1,2020-01-01\n",
                                              encoding="utf-8")  # misnamed: D003
    bundle, diags = load_bundle(tmp_path, _contract(WINDOW_CARD))
    assert bundle is None
    assert sorted(_errors(diags)) == ["D003", "D061"]
    d061 = next(d for d in diags if d.code == "D061")
    assert "the bundle has no participants table" in d061.message


def test_participants_for_a_contract_without_a_rate_card_says_so(tmp_path: Path) -> None:
    """D025 said "the rate card has no `claims within …`" of a contract with no rate card."""
    (tmp_path / "participants.csv").write_text("person,started_on\nP1,2020-01-01\n",
                                               encoding="utf-8")
    bundle, diags = load_bundle(tmp_path, _contract(NO_RATE_CARD))
    assert bundle is not None
    assert [(d.code, d.message) for d in diags] == [
        ("D025", "the contract has no rate_card, so participants is not used")]
