"""Golden renderings of the library's contracts in Markdown, HTML and Word.

HTML goldens carry the page with each chart's bytes replaced by a marker: the charts are
checked for determinism in test_determinism.py and for presence in the browser test. The
Word golden is the document read back with python-docx: each paragraph with its style, each
table's cells, each picture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
    assert names == ["amh", "msk", "older_people", "rough_sleeping"]
