"""Small behaviours that golden files do not show well: line endings, tabs, a BOM, exactness."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from obc_check.diagnostics import render_text
from obc_check.dsl import compile_file, compile_text

ROOT = Path(__file__).resolve().parent.parent.parent
AMH = (ROOT / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")


def test_windows_line_endings_compile_and_positions_agree() -> None:
    assert compile_text(AMH.replace("\n", "\r\n")).ok
    bad = AMH.replace("floor  80%", "floor  80").replace("\n", "\r\n")
    result = compile_text(bad, "amh.obc")
    [d] = result.diagnostics
    line = bad.split("\n")[d.span.line - 1] if d.span else ""
    assert line.strip() == "floor  80"
    text = render_text(result.diagnostics, {"amh.obc": bad})
    assert "\r" not in text
    assert text.splitlines()[1].endswith("|       floor  80")


def test_tabs_count_as_one_column_and_the_caret_lines_up() -> None:
    src = AMH.replace("  annual_value £45,000,000", "\tannual_value\t£45,000,000%")
    result = compile_text(src, "t.obc")
    d = result.diagnostics[0]
    assert d.span is not None and d.span.column == 1 + 12 + 1 + 11 + 1  # tabs count as one
    assert d.hint is not None and "amount of money takes no `%`" in d.hint
    shown = render_text([d], {"t.obc": src}).splitlines()
    source_line, caret_line = shown[1], shown[2]
    assert source_line.index("%") == caret_line.index("^")


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.obc"
    path.write_bytes(b"\xef\xbb\xbf" + AMH.encode())
    assert compile_file(path).ok


def test_keywords_are_whole_words() -> None:
    result = compile_text(AMH.replace("unit ratio", "unit ratios"))
    [d] = result.diagnostics
    assert d.code == "E001" and "found `ratios`" in d.message and d.hint == "did you mean `ratio`?"


def test_short_money_forms_are_exact() -> None:
    src = AMH.replace("annual_value £45,000,000", "annual_value £1.5m")
    contract = compile_text(src).contract
    assert contract is not None and contract.annual_value is not None
    assert contract.annual_value.values[0] == Decimal("1500000")
    assert str(contract.annual_value.values[0]) == "1500000"
    assert contract.outcome_payment is not None
    assert [str(p) for p in contract.outcome_payment.pot] == ["75000.00", "150000.00",
                                                                "225000.00"]


def test_pot_keeps_fractions_of_a_penny_exactly() -> None:
    src = AMH.replace("annual_value £45,000,000", "annual_value £1,000.33")
    contract = compile_text(src).contract
    assert contract is not None and contract.outcome_payment is not None
    assert contract.outcome_payment.pot[0] == Decimal("1000.33") * Decimal("0.05")
    assert str(contract.outcome_payment.pot[0]) == "50.0165"


def test_long_numbers_are_not_rounded() -> None:
    big = "9" * 40
    src = AMH.replace("annual_value £45,000,000", f"annual_value £{big}")
    contract = compile_text(src).contract
    assert contract is not None and contract.outcome_payment is not None
    exact = Fraction(int(big)) * Fraction(5, 100)  # Decimal * Decimal would round to 28 digits
    assert Fraction(contract.outcome_payment.pot[0]) == exact


def test_equal_indicator_weights_are_exact_thirds() -> None:
    contract = compile_file(ROOT / "tests" / "dsl" / "good" / "equal_thirds.obc").contract
    assert contract is not None
    weights = [i.weight for i in contract.outcomes[0].indicators]
    assert weights == [Fraction(1, 3)] * 3 and sum(weights) == 1  # type: ignore[arg-type]


def test_syntax_recovery_never_reports_more_than_ten() -> None:
    lines = AMH.split("\n")
    broken = "\n".join(line.replace("unit percent", "unit percents")
                       .replace("higher is better", "higher iz better") for line in lines)
    diags = compile_text(broken).diagnostics
    assert len(diags) == 10 and {d.code for d in diags} == {"E001"}
    assert [d.span.line for d in diags if d.span] == sorted(d.span.line for d in diags
                                                           if d.span)


def test_long_text_means_the_same_with_crlf_line_endings() -> None:
    body = ('contract A "T" {\n  version "1"\n  currency GBP\n  term 2015-04-01 to 2016-03-31\n'
            '  party C "C" role commissioner sector nhs\n'
            '  text """\n      Indented a lot.\n\n        More, further in.\n  """\n}\n')
    lf = compile_text(body, "lf.obc")
    crlf = compile_text(body.replace("\n", "\r\n"), "crlf.obc")
    assert lf.contract is not None and crlf.contract is not None
    assert lf.contract.text == ("Indented a lot.\n\n  More, further in.",)
    assert crlf.contract.text == lf.contract.text
