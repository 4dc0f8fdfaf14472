"""Fixtures of the render tests: library contracts, a .docx read back as text.

With pytest's importlib import mode a test module cannot import a sibling helper module, so
the helpers are handed out as fixtures, and ``library_name`` is parametrised over the library
by ``pytest_generate_tests``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import docx
import pytest

from obc_check.dsl import compile_file, compile_text
from obc_check.model import Contract

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
GOLDENS = Path(__file__).resolve().parent / "goldens"
NAMES = sorted(p.name for p in CONTRACTS.iterdir() if (p / "contract.obc").exists())

_PNG = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


@cache
def library_contract(name: str) -> Contract:
    result = compile_file(CONTRACTS / name / "contract.obc")
    assert result.contract is not None, result.diagnostics
    return result.contract


def contract_from_text(text: str) -> Contract:
    result = compile_text(text)
    assert result.contract is not None, result.diagnostics
    return result.contract


def without_chart_bytes(html: str) -> str:
    """HTML with each embedded PNG replaced by a marker (chart bytes are tested apart)."""
    return _PNG.sub("data:image/png;base64,CHART", html)


def docx_outline(data: bytes) -> str:
    """A .docx's body as text: each paragraph with its style, each table's cells, pictures."""
    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    lines: list[str] = []
    paragraphs = {p._p: p for p in document.paragraphs}
    tables = {t._tbl: t for t in document.tables}
    for child in body.iterchildren():
        if child in paragraphs:
            p = paragraphs[child]
            pictures = len(p._p.xpath(".//pic:pic"))
            text = p.text + (" [picture]" * pictures)
            lines.append(f"[{p.style.name}] {text}")
        elif child in tables:
            lines.append("[table]")
            for row in tables[child].rows:
                lines.append("  | " + " | ".join(c.text for c in row.cells) + " |")
    page = document.sections[0]
    size = (page.page_width, page.page_height, page.left_margin, page.right_margin,
            page.top_margin, page.bottom_margin)
    lines.append("[page] " + " × ".join(f"{x.mm:.1f} mm" for x in size if x is not None))
    lines.extend(f"[footer] {p.text}" for p in page.footer.paragraphs)
    props = document.core_properties
    lines.append(f"[properties] title={props.title!r} subject={props.subject!r} "
                 f"identifier={props.identifier!r} version={props.version!r} "
                 f"language={props.language!r} author={props.author!r} "
                 f"comments={props.comments!r}")
    return "\n".join(lines) + "\n"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "library_name" in metafunc.fixturenames:
        metafunc.parametrize("library_name", NAMES)


@pytest.fixture
def contract_named() -> Callable[[str], Contract]:
    return library_contract


@pytest.fixture
def from_text() -> Callable[[str], Contract]:
    return contract_from_text


@pytest.fixture
def outline() -> Callable[[bytes], str]:
    return docx_outline


@pytest.fixture
def strip_charts() -> Callable[[str], str]:
    return without_chart_bytes


@pytest.fixture
def goldens_dir() -> Path:
    return GOLDENS
