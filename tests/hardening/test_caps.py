"""Past the cap of shown diagnostics, an error is only counted: its hint is never worked out.

Issue 8: every error past the first 100 of a code in a table is counted, not described. A
"did you mean" hint over the contract's period labels costs milliseconds (difflib), so a
submissions file with every period wrong took over eight minutes for 300,000 rows when each
row's hint was worked out and then thrown away.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path
from typing import Any

import pytest

from obc_check.checker.data.load import load_bundle
from obc_check.checker.data.problems import SHOWN_PER_CODE
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
