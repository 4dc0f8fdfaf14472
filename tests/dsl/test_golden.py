"""Catala-style golden tests of the language.

- ``good/*.obc`` and the library's four contracts compile, and their ``compile`` JSON is
  snapshotted (``good/*.json``, ``good/library/*.json``);
- ``bad/*.obc`` fail, and their diagnostics, rendered as ``obc-check validate`` prints them,
  are snapshotted (``bad/*.txt``).

Refresh with ``pytest tests/dsl --update-goldens`` and read every changed golden.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from obc_check.diagnostics import CODES, render_text
from obc_check.dsl import compile_file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GOOD = sorted((HERE / "good").glob("*.obc"))
BAD = sorted((HERE / "bad").glob("*.obc"))
LIBRARY = sorted((ROOT / "contracts").glob("*/contract.obc"))

Golden = Callable[[Path, str], None]


def _display(path: Path) -> str:
    """The path as a user in the repository root would type it (stable across machines)."""
    return path.relative_to(ROOT).as_posix()


def compiled_json(path: Path) -> str:
    result = compile_file(path, _display(path))
    assert result.ok, render_text(result.diagnostics, {result.file: result.source})
    assert result.contract is not None
    return result.contract.model_dump_json(indent=2, by_alias=True) + "\n"


def diagnostics_text(path: Path) -> str:
    result = compile_file(path, _display(path))
    return render_text(result.diagnostics, {result.file: result.source}) + "\n"


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_compiles_to_golden_json(path: Path, golden: Golden) -> None:
    golden(path.with_suffix(".json"), compiled_json(path))


@pytest.mark.parametrize("path", LIBRARY, ids=[p.parent.name for p in LIBRARY])
def test_library_contract_compiles_to_golden_json(path: Path, golden: Golden) -> None:
    golden(HERE / "good" / "library" / f"{path.parent.name}.json", compiled_json(path))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_gives_golden_diagnostics(path: Path, golden: Golden) -> None:
    result = compile_file(path, _display(path))
    assert not result.ok and result.contract is None
    assert result.diagnostics, "a bad file must say what is wrong"
    for d in result.diagnostics:
        assert d.code in CODES and d.code != "E099", d
        assert d.span is not None and d.hint, f"every diagnostic has a position and a hint: {d}"
    golden(path.with_suffix(".txt"), diagnostics_text(path))


def test_bad_file_names_its_codes() -> None:
    """A bad case named ``eNNN_...`` (or ``eNNN_eMMM_...``) shows each code it names."""
    for path in BAD:
        named = {c.upper() for c in re.findall(r"e\d{3}", path.stem)}
        codes = {d.code for d in compile_file(path).diagnostics}
        assert named <= codes, f"{path.name}: names {sorted(named)}, gives {sorted(codes)}"


def test_every_language_code_has_a_bad_case() -> None:
    shown = {d.code for p in BAD for d in compile_file(p).diagnostics}
    language = {c for c in CODES if c.startswith("E")} - {"E090", "E099"}  # file / internal
    # E084 (a cap below zero) guards models built in Python: the grammar has no negative
    # amount, so no .obc file can show it (tests/dsl/test_terms_checks.py does)
    language -= {"E084"}
    assert language - shown == set(), f"codes without a bad case: {sorted(language - shown)}"


def test_bad_cases_are_many_and_some_report_several_errors() -> None:
    assert len(BAD) >= 40
    counts = {p.stem: len(compile_file(p).diagnostics) for p in BAD}
    several = [name for name, n in counts.items() if n >= 3]
    assert len(several) >= 8, several
    # several *syntax* errors in one file are all reported (error recovery)
    syntax = compile_file(HERE / "bad" / "e001_several_syntax_errors.obc").diagnostics
    assert [d.code for d in syntax] == ["E001"] * 4
