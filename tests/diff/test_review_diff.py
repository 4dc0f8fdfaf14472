"""Review findings in ``diff``: values shown without their unit, and author text that the
Markdown form let through as markup."""

from __future__ import annotations

from pathlib import Path

from obc_check.diff import diff_contracts, to_markdown, to_text
from obc_check.dsl import compile_text
from obc_check.model import Contract

ROOT = Path(__file__).resolve().parent.parent.parent
AMH = (ROOT / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")


def _compile(src: str) -> Contract:
    result = compile_text(src)
    assert result.contract is not None, result.diagnostics
    return result.contract


def test_a_removed_gateway_shows_its_level_in_the_indicators_unit() -> None:
    # Was "requires DQMI at least 95, otherwise withhold 50%": DQMI is a percent indicator.
    start = AMH.index('  gateway DQ "Data quality gateway"')
    end = AMH.index("  obligation REPORT")
    old, new = _compile(AMH), _compile(AMH[:start] + AMH[end:])
    text = to_text(diff_contracts(old, new))
    assert "gateway DQ removed (was requires DQMI at least 95%, otherwise withhold 50%)" in text
    assert "gateway DQ added: requires DQMI at least 95%, otherwise withhold 50%" in to_text(
        diff_contracts(new, old))


def test_markdown_escapes_the_authors_text() -> None:
    old = _compile(AMH)
    new = _compile(AMH.replace('"Adult Mental Health Outcomes Based Contract"',
                               '"AMH <b>bold</b> *new* ~~old~~ &copy;"')
                   .replace("is paid a single annual budget.",
                            "is paid a ``single`` <i>annual</i> budget | one."))
    md = to_markdown(diff_contracts(old, new))
    assert "<b>" not in md  # (inside a code span, `<i>` is shown as written)
    assert "\\<b\\>bold\\</b\\> \\*new\\* \\~\\~old\\~\\~ \\&copy;" in md
    # a changed text line stays one code span however many backticks it holds
    assert "```+is paid a ``single`` <i>annual</i> budget \\| one. The Outcome Payment is the " \
           "share of that budget```" in md
