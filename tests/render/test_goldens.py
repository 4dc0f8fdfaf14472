"""Golden renderings of the library's contracts in Markdown, HTML and Word.

HTML goldens carry the page with each chart's bytes replaced by a marker: the charts are
checked for determinism in test_determinism.py and for presence in the browser test. The
Word golden is the document read back with python-docx: each paragraph with its style, each
table's cells, each picture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from obc_check.dsl import compile_file
from obc_check.model import Contract
from obc_check.render import render_docx, render_html, render_markdown

Golden = Callable[[Path, str], None]
Named = Callable[[str], Contract]


def test_markdown_golden(library_name: str, contract_named: Named, golden: Golden,
                         goldens_dir: Path) -> None:
    golden(goldens_dir / f"{library_name}.md", render_markdown(contract_named(library_name)))


def test_html_golden(library_name: str, contract_named: Named, golden: Golden,
                     goldens_dir: Path, strip_charts: Callable[[str], str]) -> None:
    html = render_html(contract_named(library_name))
    golden(goldens_dir / f"{library_name}.html", strip_charts(html))


def test_docx_golden(library_name: str, contract_named: Named, golden: Golden,
                     goldens_dir: Path, outline: Callable[[bytes], str]) -> None:
    data = render_docx(contract_named(library_name))
    golden(goldens_dir / f"{library_name}.docx.txt", outline(data))


def test_the_library_is_rendered(goldens_dir: Path) -> None:
    names = sorted(p.name.removesuffix(".md") for p in goldens_dir.glob("*.md"))
    assert names == ["amh", "care_leavers_lcf", "eip_records", "msk", "msk_prime_terms",
                     "older_people", "rough_sleeping", "sib_claims", "year_of_care"]


EDGE = Path(__file__).resolve().parent / "edge"
EDGE_NAMES = sorted(p.stem for p in EDGE.glob("*.obc"))


@pytest.mark.parametrize("name", EDGE_NAMES)
def test_edge_contract_golden(name: str, golden: Golden, goldens_dir: Path,
                              outline: Callable[[bytes], str]) -> None:
    """Contracts that exercise the wording points of issue 9 (dated years, gateways, rate
    cards with one and three limits, an alliance without a loss cap): Markdown and Word."""
    result = compile_file(EDGE / f"{name}.obc")
    assert result.contract is not None, result.diagnostics
    golden(goldens_dir / "edge" / f"{name}.md", render_markdown(result.contract))
    golden(goldens_dir / "edge" / f"{name}.docx.txt", outline(render_docx(result.contract)))


def test_the_edge_contracts_are_rendered() -> None:
    assert EDGE_NAMES == ["alliance_no_cap", "october_years", "rate_card_one_limit",
                          "rate_card_three_limits"]
