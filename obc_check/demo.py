"""``make demo``: check every contract of the library against its data, one summary each.

A library entry is a folder with ``contract.obc`` and, optionally, a ``data/`` bundle and an
``expected.json`` whose ``as_of`` fixes the assessment date. Each contract is compiled; with
data it is checked at that date and its report compared with ``expected.json`` field by field
(the same rule as the spec's acceptance check). Breaches in the data are expected — the
library shows them on purpose — so the demo fails (exit 1) only when a report differs from
its ``expected.json``, and exits 2 when a contract or its data is invalid.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from obc_check.checker.check import check_bundle
from obc_check.checker.data.money import pounds
from obc_check.checker.report import Report
from obc_check.diagnostics import render_text
from obc_check.dsl import compile_file

# The identifying keys of the spec's compare_report.py (a capitation tier row by its price).
IDENT_KEYS = ("year", "indicator", "obligation", "period", "invoice", "dataset", "price",
              "person", "achieved_on")


def _ident(row: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple((k, row.get(k)) for k in IDENT_KEYS if k in row)


def _same_number(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return False


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where ``actual`` does not show what ``expected`` shows (extra fields are allowed)."""
    out: list[str] = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object"]
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out += differences(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected and all(isinstance(r, dict) for r in expected):
        if not isinstance(actual, list):
            return [f"{path}: expected a list"]
        # each expected row is matched on the identifying keys it shows: an actual row may
        # carry more (a claim row its year)
        indexes: dict[tuple[str, ...], dict[tuple[tuple[str, Any], ...], Any]] = {}
        matched: set[int] = set()
        for row in expected:
            names = tuple(k for k in IDENT_KEYS if k in row)
            if names not in indexes:
                indexes[names] = {}
                for i, r in enumerate(actual):
                    if isinstance(r, dict) and all(k in r for k in names):
                        indexes[names].setdefault(tuple((k, r[k]) for k in names), i)
            key = tuple((k, row[k]) for k in names)
            label = ",".join(f"{k}={v}" for k, v in key)
            found = indexes[names].get(key)
            if found is None:
                out.append(f"{path}[{label}]: missing row")
            else:
                matched.add(found)
                out += differences(row, actual[found], f"{path}[{label}]")
        out += [f"{path}: unexpected breach {_ident(r)}" for i, r in enumerate(actual)
                if isinstance(r, dict) and i not in matched and r.get("status") == "breached"]
    elif expected != actual and not _same_number(expected, actual):
        out.append(f"{path}: expected {expected!r}, got {actual!r}")
    return out


def summary(report: Report) -> str:
    """One line: status, earned, rate card, risk share, breaches, penalties."""
    t = report.totals
    parts: list[str] = [report.status]
    if t.earned is not None and t.at_risk is not None:
        parts.append(f"earned {pounds(t.earned)} of {pounds(t.at_risk)} at risk")
    if t.rate_card_payable is not None:
        parts.append(f"rate card {pounds(t.rate_card_payable)}")
    if t.capitation_payable is not None:
        parts.append(f"capitation {pounds(t.capitation_payable)}"
                     + (f" ({t.capitation_missing_months} tier-month"
                        f"{'s' if t.capitation_missing_months != 1 else ''} missing)"
                        if t.capitation_missing_months else ""))
    if t.risk_share_members is not None:
        parts.append(f"members' risk share {pounds(t.risk_share_members)}")
    parts.append(f"{t.breaches} breach{'es' if t.breaches != 1 else ''}")
    parts.append(f"penalties {pounds(t.penalties)}")
    return ", ".join(parts)


def run_one(folder: Path) -> int:
    """Check one library contract; print its summary; 0 as expected, 1 differs, 2 invalid."""
    compiled = compile_file(folder / "contract.obc")
    if compiled.contract is None or not compiled.ok:
        print(render_text(compiled.diagnostics, {compiled.file: compiled.source}))
        return 2
    data, expected_path = folder / "data", folder / "expected.json"
    if not data.exists():
        print(f"{folder.name}: compiles (no data to check)")
        return 0
    expected = json.loads(expected_path.read_text()) if expected_path.exists() else None
    as_of = dt.date.fromisoformat(expected["as_of"]) if expected else dt.date.today()
    report, diags = check_bundle(compiled.contract, data, as_of)
    if report is None:
        print(render_text(diags, {}))
        return 2
    verdict = ""
    code = 0
    if expected is not None:
        diffs = differences(expected, report.to_jsonable())
        verdict = "; matches expected.json" if not diffs else f"; {len(diffs)} differences " \
            f"from expected.json, first: {diffs[0]}"
        code = 1 if diffs else 0
    print(f"{folder.name} as of {as_of.isoformat()}: {summary(report)}{verdict}")
    return code


def main(argv: list[str]) -> int:
    """Check every ``*/contract.obc`` under the folder named in ``argv`` (default contracts)."""
    root = Path(argv[0] if argv else "contracts")
    worst = 0
    for folder in sorted(p for p in root.iterdir() if (p / "contract.obc").exists()):
        worst = max(worst, run_one(folder))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
