"""The library's contracts compile, and the spec's examples in it are verbatim copies.

The spec's examples (``../shared/spec/examples``) are copied into ``contracts/`` so the
project tests against its own library; a copy that drifted from the spec would make the
examples' checks meaningless, so the copies are compared file by file when the spec is there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from obc_check.dsl import compile_file

SPEC = Path(__file__).resolve().parent.parent.parent / "shared" / "spec"
SPEC_EXAMPLES = SPEC / "examples"
#: Every folder of the spec's examples that the library copies (TERMS.md's and RECORDS.md's
#: examples too).
SPEC_EXAMPLE_SETS = [SPEC / "examples", SPEC / "examples-terms", SPEC / "examples-records"]
#: Examples whose constructs are not built yet, and the issue that builds them; each moves into
#: contracts/ (and out of this table) when its issue lands.
NOT_YET: dict[str, str] = {}


def test_library_contracts_compile(library: list[Path]) -> None:
    assert len(library) >= 4
    for folder in library:
        result = compile_file(folder / "contract.obc")
        assert result.ok, result.diagnostics


@pytest.mark.skipif(not SPEC_EXAMPLES.is_dir(), reason="../shared/spec/examples is not here")
@pytest.mark.parametrize("examples", SPEC_EXAMPLE_SETS, ids=lambda p: p.name)
def test_library_holds_the_spec_examples_verbatim(library: list[Path], examples: Path) -> None:
    names = {p.name for p in library}
    assert examples.is_dir(), f"{examples} is missing"
    for example in sorted(p for p in examples.iterdir() if p.is_dir()):
        if example.name in NOT_YET:
            continue
        assert example.name in names, f"contracts/{example.name} is missing"
        for spec_file in sorted(f for f in example.rglob("*") if f.is_file()):
            ours = Path("contracts") / example.name / spec_file.relative_to(example)
            ours = Path(__file__).resolve().parent.parent / ours
            assert ours.is_file(), f"{ours} is missing"
            assert ours.read_bytes() == spec_file.read_bytes(), f"{ours} differs from the spec"
