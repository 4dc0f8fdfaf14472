"""Bad bundles, one folder each under bundles/, with their exact error text as goldens.

Bundles with datasets of records are also run through the engine, which checks the records
in bulk (as ``check`` does). A case folder is named ``<library contract>-<what is wrong>``
(the contract changed by the folder's own ``contract.obc`` when it has one) and holds the
bundle as ``data/`` (CSV), ``data.json``, ``data.xlsx`` or ``sheets.json`` (a
workbook generated at test time), or nothing at all (a missing bundle). The golden is the
rendered diagnostics, as the CLI shows them, and whether the bundle was still returned.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

import pytest

from obc_check.checker.data.convert import write_sheets
from obc_check.checker.data.load import bundle_sources, load_bundle
from obc_check.checker.engine import measure_datasets
from obc_check.diagnostics import CODES, render_text
from obc_check.dsl import compile_file
from obc_check.model import Contract

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = Path(__file__).resolve().parent / "bundles"
GOLDENS = Path(__file__).resolve().parent / "goldens_load"

CASES = sorted(p.name for p in BUNDLES.iterdir() if p.is_dir() and "-" in p.name)


@cache
def library_contract(name: str) -> Contract:
    contract = compile_file(ROOT / "contracts" / name / "contract.obc").contract
    assert contract is not None
    return contract


def _cell(value: object) -> object:
    if isinstance(value, dict):
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
        return dt.datetime.fromisoformat(value["datetime"])
    return value


def workbook_from_json(spec: Path, out: Path) -> Path:
    """A workbook with a sheet per key of ``spec``: rows of cells, dates as {"date": ...}."""
    sheets = json.loads(spec.read_text(encoding="utf-8"))
    return write_sheets({name: [[_cell(v) for v in row] for row in rows]
                         for name, rows in sheets.items()}, out)


def _bundle_path(case: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(working directory, bundle path relative to it) for a case."""
    if (case / "sheets.json").exists():
        workbook_from_json(case / "sheets.json", tmp_path / "data.xlsx")
        return tmp_path, Path("data.xlsx")
    for name in ("data", "data.json", "data.xlsx", "data.txt"):
        if (case / name).exists():
            return ROOT, (case / name).relative_to(ROOT)
    return ROOT, (case / "data").relative_to(ROOT)


def render_case(case_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    case = BUNDLES / case_name
    cwd, bundle_path = _bundle_path(case, tmp_path)
    monkeypatch.chdir(cwd)
    own = case / "contract.obc"
    contract = library_contract(case_name.split("-", 1)[0]) if not own.exists() \
        else compile_file(own).contract
    assert contract is not None
    bundle, diags = load_bundle(bundle_path, contract)
    if bundle is not None and bundle.datasets:  # records are checked by the engine, in bulk
        counts, found = measure_datasets(contract, bundle.datasets)
        diags = diags + found
        bundle = bundle if counts is not None else None
    text = render_text(diags, bundle_sources(diags))
    verdict = "bundle: loaded" if bundle is not None else "bundle: rejected"
    return f"{text}\n{verdict}\n"


def test_enough_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case_name", CASES)
def test_bad_bundle(case_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    golden: object) -> None:
    actual = render_case(case_name, tmp_path, monkeypatch)
    golden(GOLDENS / f"{case_name}.txt", actual)  # type: ignore[operator]
    assert "Traceback" not in actual


def test_every_data_code_has_a_golden() -> None:
    used: set[str] = set()
    for path in GOLDENS.glob("*.txt"):
        used |= set(re.findall(r"(?:error|warning)\[(D\d{3})\]", path.read_text()))
    declared = {c for c in CODES if c.startswith("D")}
    assert declared == used
