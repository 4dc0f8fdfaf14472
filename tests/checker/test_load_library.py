"""The four library bundles load, with every row, and no diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from obc_check.checker.data.load import load_bundle
from obc_check.dsl import compile_file

ROOT = Path(__file__).resolve().parents[2]
COUNTS = {
    "amh": {"indicators": 38, "submissions": 11, "payments": 16, "spend": 0, "outcomes": 0},
    "msk": {"indicators": 24, "submissions": 59, "payments": 20, "spend": 0, "outcomes": 0},
    "older_people": {"indicators": 7, "submissions": 8, "payments": 0, "spend": 2,
                     "outcomes": 0},
    "rough_sleeping": {"indicators": 0, "submissions": 9, "payments": 0, "spend": 0,
                       "outcomes": 31},
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_library_bundle_loads(name: str) -> None:
    folder = ROOT / "contracts" / name
    contract = compile_file(folder / "contract.obc").contract
    assert contract is not None
    bundle, diags = load_bundle(folder / "data", contract)
    assert diags == []
    assert bundle is not None
    counts = {t: len(getattr(bundle, t)) for t in COUNTS[name]}
    assert counts == COUNTS[name]
    assert bundle.present == {t for t, n in COUNTS[name].items() if n}
    # every row of every CSV file is accounted for (header excluded)
    for table, n in COUNTS[name].items():
        csv_path = folder / "data" / f"{table}.csv"
        if csv_path.exists():
            lines = [ln for ln in csv_path.read_text().splitlines() if ln.strip()]
            assert len(lines) - 1 == n


def test_amh_rows_are_typed_exactly() -> None:
    folder = ROOT / "contracts" / "amh"
    contract = compile_file(folder / "contract.obc").contract
    assert contract is not None
    bundle, _ = load_bundle(folder / "data", contract)
    assert bundle is not None
    eip = bundle.indicators[1]
    assert (eip.indicator, eip.period.label, str(eip.value)) == ("EIP14", "2015/16 Q1", "60")
    assert eip.ref.row == 3
    last = bundle.payments[-1]
    assert (last.invoice, str(last.amount), last.paid_on, last.kind) == (
        "RST-1702", "45000.00", None, "invoice")
