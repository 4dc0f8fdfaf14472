"""The same contract gives the same bytes: Markdown, HTML and Word (charts included) on rerun.

Two separate processes render the contract, so no in-process cache can hide a difference
(a timestamp, a random id, a dict order); the charts are also drawn twice in-process past
the cache.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from obc_check.model import Contract
from obc_check.render import charts
from obc_check.render.blocks import Figure, Section
from obc_check.render.document import build_document

ROOT = Path(__file__).resolve().parents[2]


def _render_in_new_process(contract: Path, fmt: str, out: Path) -> bytes:
    subprocess.run(
        [sys.executable, "-m", "obc_check.cli", "render", str(contract), "--format", fmt,
         "-o", str(out)],
        check=True, capture_output=True, cwd=ROOT, timeout=120,
    )
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["markdown", "html", "docx"])
def test_reruns_are_byte_identical(fmt: str, tmp_path: Path) -> None:
    contract = ROOT / "contracts" / "amh" / "contract.obc"
    first = _render_in_new_process(contract, fmt, tmp_path / "first")
    second = _render_in_new_process(contract, fmt, tmp_path / "second")
    assert first and first == second


def test_charts_are_deterministic_png(contract_named: Callable[[str], Contract]) -> None:
    doc = build_document(contract_named("msk"))
    stack: list[object] = list(doc.sections)
    figures: list[Figure] = []
    while stack:
        block = stack.pop()
        if isinstance(block, Section):
            stack.extend(block.blocks)
        elif isinstance(block, Figure):
            figures.append(block)
    assert figures
    for figure in figures:
        a = charts.png.__wrapped__(figure.chart)
        b = charts.png.__wrapped__(figure.chart)
        assert a == b
        assert a.startswith(b"\x89PNG\r\n\x1a\n")
        assert b"Software" not in a and b"tIME" not in a
