"""Invariants of the loader, by Hypothesis.

- Whatever text the cells hold, loading returns diagnostics and never raises; a rejected
  bundle always comes with at least one error, and every diagnostic renders.
- Row order does not change what is loaded (compared as multisets, ignoring RowRef).
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from obc_check.checker.data.columns import TABLES
from obc_check.checker.data.convert import content, write_sheets
from obc_check.checker.data.load import bundle_sources, load_bundle
from obc_check.diagnostics import CODES, has_errors, render_text
from obc_check.dsl import compile_file
from obc_check.model import Contract

ROOT = Path(__file__).resolve().parents[2]
_CONTRACTS: dict[str, Contract] = {}


def contract(name: str) -> Contract:
    if name not in _CONTRACTS:
        compiled = compile_file(ROOT / "contracts" / name / "contract.obc").contract
        assert compiled is not None
        _CONTRACTS[name] = compiled
    return _CONTRACTS[name]


TOKENS = ["", " ", "OH", "MIND", "MORT", "EIP14", "REPORT", "VCS", "2015/16", "2015/16 Q1",
          "2016/17 M3", "2019/20", "12", "0", "-1", "1.005", "87.50", "100", "101",
          "2015-06-01", "2015-02-30", "invoice", "outcome_share", "1e5", "NaN", "£1",
          "\u00a0", "٣", "\ufeff", "a,b", '"', "\n", "\r\n"]
cell = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12))
FAST = settings(max_examples=60, deadline=None)


def _check(diags: list, bundle: object) -> None:
    assert bundle is not None or has_errors(diags)
    for d in diags:
        assert d.code in CODES
    render_text(diags, bundle_sources(diags))


@FAST
@given(table=st.sampled_from(sorted(TABLES)),
       rows=st.lists(st.lists(cell, min_size=0, max_size=8), max_size=6),
       drop=st.integers(0, 7), extra=st.booleans())
def test_any_csv_cells_give_diagnostics_not_exceptions(table: str, rows: list[list[str]],
                                                        drop: int, extra: bool) -> None:
    spec = TABLES[table]
    header = list(spec.columns)
    if drop < len(header) and drop % 3 == 0:
        del header[drop]
    if extra:
        header.append("extra")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        bundle, diags = load_bundle(folder, contract("amh"))
        _check(diags, bundle)


@FAST
@given(text=st.text(max_size=200))
def test_any_csv_text_gives_diagnostics_not_exceptions(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "payments.csv").write_text(
            "payer,payee,invoice,amount,received_on,paid_on\n" + text, encoding="utf-8")
        bundle, diags = load_bundle(folder, contract("amh"))
        _check(diags, bundle)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(Decimal),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8)


def _dump(value: object) -> str:
    return json.dumps(value, default=str)


@FAST
@given(doc=st.dictionaries(
    st.sampled_from([*TABLES, "indicator", "x"]),
    st.one_of(json_value, st.lists(st.dictionaries(
        st.sampled_from([*TABLES["payments"].columns, *TABLES["indicators"].columns, "z"]),
        st.one_of(st.sampled_from(TOKENS), json_value), max_size=7), max_size=4)),
    max_size=4))
def test_any_json_gives_diagnostics_not_exceptions(doc: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.json"
        path.write_text(_dump(doc), encoding="utf-8")
        bundle, diags = load_bundle(path, contract("amh"))
        _check(diags, bundle)


def _lines(name: str, table: str) -> tuple[str, list[str]]:
    text = (ROOT / "contracts" / name / "data" / f"{table}.csv").read_text()
    header, *rows = text.splitlines()
    return header, rows


def _multiset(bundle: object) -> dict[str, Counter[tuple[object, ...]]]:
    return {t: Counter(rows) for t, rows in content(bundle).items()}  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(data=st.data(), name=st.sampled_from(["amh", "msk", "older_people", "rough_sleeping"]))
def test_row_order_does_not_matter(data: st.DataObject, name: str) -> None:
    folder = ROOT / "contracts" / name / "data"
    original, diags = load_bundle(folder, contract(name))
    assert original is not None, diags
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for path in folder.glob("*.csv"):
            header, rows = _lines(name, path.stem)
            shuffled = data.draw(st.permutations(rows))
            (out / path.name).write_text("\n".join([header, *shuffled]) + "\n")
        again, diags = load_bundle(out, contract(name))
        assert again is not None, diags
        assert _multiset(again) == _multiset(original)


xlsx_cell = st.one_of(
    cell.filter(lambda t: all(ch >= " " or ch in "\t\n\r" for ch in t)),
    st.none(), st.integers(-10**6, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(), st.datetimes(), st.booleans())


@settings(max_examples=15, deadline=None)
@given(rows=st.lists(st.lists(xlsx_cell, max_size=8), max_size=4))
def test_any_workbook_cells_give_diagnostics_not_exceptions(rows: list[list[object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_sheets({"payments": [list(TABLES["payments"].columns), *rows]},
                            Path(tmp) / "b.xlsx")
        bundle, diags = load_bundle(path, contract("amh"))
        _check(diags, bundle)
