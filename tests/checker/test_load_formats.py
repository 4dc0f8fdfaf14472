"""The same data as a CSV folder, a JSON file and a workbook loads to the same Bundle.

Each library bundle is loaded from CSV, written out by ``checker.convert`` in every format
(text cells, and typed cells: JSON numbers, numeric and date cells), and loaded again; the
rows must be equal apart from where they came from (``RowRef``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.convert import content, write_csv, write_json, write_sheets, write_xlsx
from obc_check.checker.data.load import load_bundle
from obc_check.dsl import compile_file
from obc_check.model import Contract

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ("amh", "msk", "older_people", "rough_sleeping", "sib_claims", "year_of_care")


def _library(name: str) -> tuple[Contract, Bundle]:
    contract = compile_file(ROOT / "contracts" / name / "contract.obc").contract
    assert contract is not None
    bundle, diags = load_bundle(ROOT / "contracts" / name / "data", contract)
    assert bundle is not None, diags
    return contract, bundle


def _load(path: Path, contract: Contract) -> Bundle:
    bundle, diags = load_bundle(path, contract)
    assert diags == []
    assert bundle is not None
    return bundle


WRITERS = {
    "csv": lambda b, d: write_csv(b, d / "data"),
    "json": lambda b, d: write_json(b, d / "data.json"),
    "json-numbers": lambda b, d: write_json(b, d / "data.json", numbers=True),
    "xlsx": lambda b, d: write_xlsx(b, d / "data.xlsx"),
    "xlsx-typed": lambda b, d: write_xlsx(b, d / "data.xlsx", numbers=True, dates=True),
}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("name", LIBRARY)
def test_formats_load_equal(name: str, fmt: str, tmp_path: Path) -> None:
    contract, original = _library(name)
    path = WRITERS[fmt](original, tmp_path)
    again = _load(path, contract)
    assert content(again) == content(original)
    assert again.present == original.present


def test_row_refs_name_the_source(tmp_path: Path) -> None:
    contract, original = _library("amh")
    book = _load(write_xlsx(original, tmp_path / "b.xlsx"), contract)
    ref = book.payments[0].ref
    assert (ref.file, ref.sheet, ref.row) == (str(tmp_path / "b.xlsx"), "payments", 2)
    doc = _load(write_json(original, tmp_path / "b.json"), contract)
    assert doc.payments[2].ref.row == 3


def test_excel_numbers_and_dates_are_exact(tmp_path: Path) -> None:
    """Real numeric and date cells read back as the decimals and dates typed."""
    contract, _ = _library("amh")
    header = ["payer", "payee", "invoice", "amount", "received_on", "paid_on"]
    path = write_sheets({"payments": [
        header,
        ["OH", "MIND", "A-1", 1200000.1, dt.datetime(2015, 6, 1), dt.date(2015, 6, 25)],
        ["OH", "MIND", "A-2", 0.29, "2015-06-01", None],
        ["OH", "MIND", "A-3", 45000, dt.date(2015, 6, 1), " 2015-06-02 "],
        ["OH", "MIND", 1504, "12.50", dt.date(2015, 6, 1), None],
    ]}, tmp_path / "n.xlsx")
    bundle = _load(path, contract)
    amounts = [p.amount for p in bundle.payments]
    assert [str(a) for a in amounts] == ["1200000.1", "0.29", "45000", "12.50"]
    assert amounts[0] == Decimal("1200000.10")
    assert bundle.payments[0].received_on == dt.date(2015, 6, 1)
    assert bundle.payments[2].paid_on == dt.date(2015, 6, 2)
    assert bundle.payments[3].invoice == "1504"


def test_json_numbers_are_exact(tmp_path: Path) -> None:
    contract, _ = _library("amh")
    path = tmp_path / "n.json"
    path.write_text('{"indicators": [{"indicator": "CARDIO", "period": "2015/16", '
                    '"value": 15.0, "numerator": 63, "denominator": 420},'
                    '{"indicator": "MORT", "period": "2015/16", "value": 0.1}]}')
    bundle = _load(path, contract)
    cardio, mort = bundle.indicators
    assert cardio.value_text == "15.0"
    assert cardio.value == Decimal(15)
    assert mort.value == Decimal("0.1")
    assert str(mort.value) == "0.1"


def test_indicator_value_is_exact(tmp_path: Path) -> None:
    """A computed value keeps its exact fraction; a written value is used as written."""
    contract, _ = _library("amh")
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "indicators.csv").write_text(
        "indicator,period,value,numerator,denominator\n"
        "HOUSE,2015/16,71.43,15,21\nMORT,2015/16,,1,3\nCARDIO,2015/16,,1,8\n")
    house, mort, cardio = _load(folder, contract).indicators
    assert house.exact == 100 * Fraction(15, 21)
    assert house.value_text == "71.43"
    assert mort.exact is not None and mort.exact * 3 == 1
    assert cardio.value == Decimal("12.5")
