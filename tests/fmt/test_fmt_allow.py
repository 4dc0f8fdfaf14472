"""``# obc: allow W0NN`` survives ``fmt`` on its line, so a formatted contract warns alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from obc_check.dsl import compile_text
from obc_check.dsl.format import format_text

DSL = Path(__file__).resolve().parent.parent / "dsl"
CASES = sorted((DSL / "good").glob("w*.obc")) + sorted((DSL / "warn").glob("w*.obc"))
AMH = (DSL.parent.parent / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")


def _codes(text: str) -> list[str]:
    return [d.code for d in compile_text(text, "a.obc").diagnostics]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_formatting_keeps_the_warnings_and_allowances(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    out = format_text(text, path.name).text
    assert out is not None
    assert _codes(out) == _codes(text)
    allow = [ln.split("#", 1)[1] for ln in text.splitlines() if "obc: allow" in ln]
    assert [ln.split("#", 1)[1] for ln in out.splitlines() if "obc: allow" in ln] == allow


def test_an_allowance_on_a_messy_line_stays_on_that_statement() -> None:
    text = AMH.replace("    requires DQMI at least 95%",
                       "    requires  DQMI at least   0.95%    # obc: allow W005")
    assert _codes(text) == []
    out = format_text(text, "a.obc").text
    assert out is not None and "    requires DQMI at least 0.95%  # obc: allow W005\n" in out
    assert _codes(out) == []


W004 = (DSL / "warn" / "w004_indicator_not_used.obc").read_text(encoding="utf-8")
WAIT = '''  indicator WAIT "Median wait for a first appointment, in days" {
    unit days
    lower is better
  }'''


def test_an_allowance_after_a_one_line_block_stays_on_its_head_line() -> None:
    # The block's head line is also its closing line: the allowance covers the block. fmt
    # used to keep it after `}`, on the new closing line, and the warning came back.
    one_line = ('  indicator WAIT "Median wait for a first appointment, in days" '
                "{ unit days lower is better }  # obc: allow W004")
    text = W004.replace(WAIT, one_line)
    assert _codes(text) == []
    out = format_text(text, "a.obc").text
    assert out is not None
    assert ('  indicator WAIT "Median wait for a first appointment, in days" {  '
            "# obc: allow W004\n") in out
    assert _codes(out) == []
