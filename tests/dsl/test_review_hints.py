"""Review findings: hints and messages that were unhelpful or ungrammatical."""

from __future__ import annotations

from pathlib import Path

from obc_check.dsl import compile_text

ROOT = Path(__file__).resolve().parent.parent.parent
AMH = (ROOT / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")
THIRDS = """contract X "x" {
  version "1"
  currency GBP
  term 2015-04-01 to 2016-03-31
  party C "C" role commissioner sector nhs
  annual_value £1m
  outcome_payment 5%
  outcome O "o" weight 100% {
    indicator A "a" weight 33% { unit count higher is better floor 1 target 2 }
    indicator B "b" weight 33% { unit count higher is better floor 1 target 2 }
    indicator D "d" weight 33% { unit count higher is better floor 1 target £2 }
  }
}
"""


def test_equal_indicator_weights_that_miss_100_suggest_leaving_them_out() -> None:
    ds = compile_text(THIRDS, "t.obc").diagnostics
    [d] = [d for d in ds if d.code == "E013"]
    assert d.hint == ("the weights are A 33%, B 33%, D 33%; to share the outcome equally, "
                      "leave out every weight (each indicator then carries exactly 1/3)")


def test_money_where_a_plain_threshold_is_due_says_what_to_write() -> None:
    # Was the hint "check the unit".
    ds = compile_text(THIRDS, "t.obc").diagnostics
    [d] = [d for d in ds if d.code == "E015"]
    assert d.message == "the target of D takes a plain number like 3.6, not `£2`"
    assert d.hint == "a threshold is not money: write 2"


def test_money_where_a_percentage_threshold_is_due_says_what_to_write() -> None:
    [d] = compile_text(AMH.replace("floor  80%", "floor  £80"), "a.obc").diagnostics
    assert d.code == "E015" and d.hint == "a threshold is not money: write 80%"


def test_an_unexpected_invisible_character_reads_well() -> None:
    # Was "unexpected the character U+FEFF".
    [d, *_] = compile_text(AMH.replace('  version "1.0"', '  \ufeffversion "1.0"'),
                           "a.obc").diagnostics
    assert d.code == "E001" and d.message.startswith("unexpected character U+FEFF")
