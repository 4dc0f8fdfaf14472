"""Past the cap of shown diagnostics, an error is only counted: its hint is never worked out.

Issue 8: every error past the first 100 of a code in a table is counted, not described. A
"did you mean" hint over the contract's period labels costs milliseconds (difflib), so a
submissions file with every period wrong took over eight minutes for 300,000 rows when each
row's hint was worked out and then thrown away.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from obc_check.checker.data.load import load_bundle
from obc_check.checker.data.problems import SHOWN_PER_CODE
from obc_check.cli import app
from obc_check.dsl import compile_text

ROOT = Path(__file__).resolve().parents[2]
AMH = ROOT / "contracts" / "amh"


def test_hints_past_the_cap_are_not_worked_out(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(AMH / "data", data)
    rows = "".join(f"REPORT,2015/16 Q{i},2015-07-20\n" for i in range(5, 1005))
    (data / "submissions.csv").write_text("obligation,period,submitted_on\n" + rows,
                                          encoding="utf-8")
    calls = 0
    real = difflib.get_close_matches

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    contract = compile_text((AMH / "contract.obc").read_text(encoding="utf-8")).contract
    assert contract is not None
    bundle, diags = load_bundle(data, contract)
    assert bundle is None
    shown = [d for d in diags if d.code == "D010" and d.span is not None]
    assert len(shown) == SHOWN_PER_CODE
    assert all(d.hint for d in shown)
    assert calls == SHOWN_PER_CODE


def _with_unknown_parties(n: int, name: str = "NOBODY") -> str:
    """AMH with ``n`` more reporting duties, each binding an undeclared party (E006)."""
    text = (AMH / "contract.obc").read_text(encoding="utf-8")
    extra = "".join(f'\n  obligation R{i} "Return {i}" {{\n    {name} shall report within '
                    f'15 working days after each quarter\n  }}\n' for i in range(n))
    return text[:text.rindex("}")] + extra + "}\n"


def test_contract_diagnostics_are_capped_per_code(tmp_path: Path) -> None:
    """250 errors of one code: the first 100 by position with carets, then one counted line."""
    (tmp_path / "c.obc").write_text(_with_unknown_parties(250), encoding="utf-8")
    for fmt in ("text", "json"):
        result = CliRunner().invoke(app, ["validate", "--format", fmt, str(tmp_path / "c.obc")])
        assert result.exit_code == 2, result.output
        if fmt == "text":
            out = result.stderr
            assert out.count("error[E006]") == SHOWN_PER_CODE + 1
            assert "150 more E006 errors like those above, not shown" in out
            lines = [int(x) for x in re.findall(r"c\.obc:(\d+):\d+: error", out)]
            assert lines == sorted(lines) and len(lines) == SHOWN_PER_CODE  # the first ones
        else:
            doc = json.loads(result.stdout)
            assert doc["total"] == 250
            assert [d.get("omitted") for d in doc["diagnostics"]][-1] == 150


def test_a_huge_identifier_is_cut_in_the_message(tmp_path: Path) -> None:
    name = "X" * 100_000
    (tmp_path / "c.obc").write_text(_with_unknown_parties(1, name), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "c.obc")])
    assert result.exit_code == 2
    assert len(result.stderr) < 5_000, len(result.stderr)
    assert "characters in all)" in result.stderr
