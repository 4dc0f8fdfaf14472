"""Issue 15 §2: diagnostics that echoed, or whose hint pointed at the wrong sentence."""

from __future__ import annotations

from pathlib import Path

from obc_check.dsl import compile_file, compile_text

HERE = Path(__file__).resolve().parent
AMH = (HERE.parent.parent / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")


def _diags(old: str, new: str) -> list[tuple[str, str, str | None]]:
    assert old in AMH
    return [(d.code, d.message, d.hint)
            for d in compile_text(AMH.replace(old, new, 1), "a.obc").diagnostics]


def test_an_unclosed_title_before_its_brace_is_reported_once() -> None:
    # Was: the right error, then three echoes (one "check for an extra `}`").
    [(code, msg, _)] = _diags('"Quarterly performance return" {', '"Quarterly performance return {')
    assert (code, msg) == ("E001", "this string is not closed")


def test_a_term_given_twice_is_one_e007_and_no_schedule_errors() -> None:
    # Was: E007, then an E014 for every schedule entry, computed from one of the two terms.
    for first, second in (("2015-04-01 to 2016-03-31", "2015-04-01 to 2018-03-31"),
                          ("2015-04-01 to 2018-03-31", "2015-04-01 to 2016-03-31")):
        ds = _diags("  term 2015-04-01 to 2018-03-31\n", f"  term {first}\n  term {second}\n")
        assert [d[0] for d in ds] == ["E007"]
    assert [d.code for d in compile_file(HERE / "bad" / "e007_term_twice.obc").diagnostics] == [
        "E007"]


def test_a_dashed_year_label_says_how_to_write_it() -> None:
    [(code, msg, hint)] = _diags("baseline 3.6 in 2014/15", "baseline 3.6 in 2023-24")
    assert (code, msg, hint) == ("E001", "`2023-24` is not a year label",
                                 "write the year label as 2023/24")
    [(_, msg, hint)] = _diags("baseline 3.6 in 2014/15", "baseline 3.6 in 2014-2015")
    assert (msg, hint) == ("`2014-2015` is not a year label", "write the year label as 2014/15")
    [(_, msg, _)] = _diags("baseline 3.6 in 2014/15", "baseline 3.6 in 12014-15")
    assert "year label" not in msg  # five digits: not a year at all


def test_a_double_slash_comment_says_comments_start_with_hash() -> None:
    [(_, msg, hint)] = _diags('  version "1.0"\n', '  version "1.0"\n  // a note\n')
    assert msg == "unexpected `//`" and hint is not None and "comments start with `#`" in hint


def test_a_space_before_percent_names_the_number_only() -> None:
    [(_, msg, hint)] = _diags("floor  80%", "floor  80 %")
    assert msg == "a space between `80` and `%`" and hint == "write 80% (no space before `%`)"


def test_working_days_in_prompt_payment_hints_that_sentence_only() -> None:
    [(_, _, hint)] = _diags("within 30 days of receipt", "within 30 working days of receipt")
    assert hint is not None and "within 30 days of receipt" in hint
    assert "annual_value" not in hint  # not the spend-share sentence


def test_a_long_text_never_closed_is_one_error_at_its_opening_quotes() -> None:
    # Was: "unexpected end of file ... close every block with `}`" on the line before, then
    # "this string is not closed" at the third quote, with the hint for a one-line string.
    text = AMH.replace('  that is payable only to the extent that the Outcomes below are achieved.'
                       '\n  """\n', "  that is payable only to the extent that the Outcomes below"
                       " are achieved.\n", 1)
    assert text != AMH
    [d] = compile_text(text, "a.obc").diagnostics
    assert (d.code, d.message) == ("E001", "this text is not closed")
    assert d.span is not None and (d.span.line, d.span.column) == (22, 8)
    assert d.hint is not None and 'close it with `"""`' in d.hint
