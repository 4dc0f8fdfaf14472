"""Issue 15: a renamed party breaks the data (not "neutral"); a curve change says where."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from obc_check.diff import diff_contracts, to_json, to_markdown, to_text
from obc_check.diff.changes import Changes
from obc_check.diff.rules import Payout, pays_where
from obc_check.dsl import compile_text

ROOT = Path(__file__).resolve().parents[2]
AMH = (ROOT / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")


def _changes(old: str, new: str) -> Changes:
    a, b = compile_text(old, "a.obc").contract, compile_text(new, "b.obc").contract
    assert a is not None and b is not None
    return diff_contracts(a, b)


def test_a_renamed_party_is_one_data_breaking_change() -> None:
    renamed = AMH.replace(" RST ", " RSTR ")
    ch = _changes(AMH, renamed)
    [c] = ch.changes
    assert (c.path, c.field, c.old, c.new, c.breaks_data) == ("party.RST", "id", "RST", "RSTR",
                                                              True)
    assert ch.summary.breaks_data == 1
    text = to_text(ch)
    assert "data-breaking  party RST renamed RSTR" in text
    assert "every data row naming RST" in text and "1 breaks existing data" in text
    assert "**data-breaking**" in to_markdown(ch)
    assert json.loads(to_json(ch))["changes"][0]["breaks_data"] is True


def test_a_renamed_party_that_also_changes_sector_shows_the_sector_change() -> None:
    # The sector decides spend-share duties; a rename used to hide the change of sector.
    old = ('  party RST  "Restore"                                   role subcontractor '
           "sector voluntary")
    assert old in AMH
    moved = AMH.replace(old, '  party RSTR "Restore" role subcontractor sector private')
    ch = _changes(AMH, moved)
    assert [(c.field, c.old, c.new) for c in ch.changes] == [
        ("id", "RST", "RSTR"), ("sector", "voluntary", "private")]
    assert "sector: voluntary → private" in to_text(ch)


def test_a_removed_indicator_breaks_the_data_that_names_it() -> None:
    head = '  indicator DQMI "Mental health services data set: data quality maturity index" {'
    gone = AMH.replace(head + "\n    unit percent\n    higher is better\n  }\n", "").replace(
        "requires DQMI", "requires RECOV")
    assert "indicator DQMI" not in gone
    ch = _changes(AMH, gone)
    [c] = [c for c in ch.changes if c.path == "indicator.DQMI"]
    assert c.kind == "removed" and c.breaks_data and "indicators.csv" in c.why
    assert not any(c.breaks_data for c in ch.changes if c.path != "indicator.DQMI")


def test_steps_to_linear_says_where_it_pays_more_and_less() -> None:
    linear = AMH.replace("pays in steps 25% at 62%, 50% at 65%, 100% at 70%",
                         "floor 62%\n      target 70%")
    ch = _changes(AMH, linear)
    [c] = [c for c in ch.changes if c.field == "pays"]
    assert c.effect == "neutral"
    # linear (v − 62) / 8 against steps 25% from 62%, 50% from 65%, 100% at 70%
    assert c.why == ("pays more between 64% and 65% and between 66% and 70%, less between 62% "
                     "and 64% and between 65% and 66%; the same elsewhere")
    assert c.why in to_text(ch)  # shown although neutral


def test_pays_where_finds_a_crossing_between_bend_points() -> None:
    # Two linear curves: 50→70 and 55→65 cross at 60, which is no bend point of either.
    old = Payout("linear", True, Fraction(50), Fraction(70), ())
    new = Payout("linear", True, Fraction(55), Fraction(65), ())
    assert pays_where(old, new) == ([(Fraction(60), Fraction(70))],
                                    [(Fraction(50), Fraction(60))])
    assert pays_where(old, old) == ([], [])
    more, less = pays_where(new, old)
    assert (more, less) == ([(Fraction(50), Fraction(60))], [(Fraction(60), Fraction(70))])
