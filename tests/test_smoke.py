"""The library's contracts compile: the first thing everything else relies on."""

from __future__ import annotations

from pathlib import Path

from obc_check.dsl import compile_file


def test_library_contracts_compile(library: list[Path]) -> None:
    assert len(library) >= 4
    for folder in library:
        result = compile_file(folder / "contract.obc")
        assert result.ok, result.diagnostics
