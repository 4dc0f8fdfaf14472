"""Contract text for legal review: Markdown, HTML, Word.

The public entry point is ``render(contract, fmt)``. Each format's writer is imported only
when asked for, so rendering Markdown never loads matplotlib or python-docx.
"""

from __future__ import annotations

from typing import Literal

from obc_check.model import Contract

Format = Literal["markdown", "html", "docx"]


def render_markdown(contract: Contract) -> str:
    """The schedule as Markdown text."""
    from obc_check.render.document import build_document
    from obc_check.render.markdown import to_markdown

    return to_markdown(build_document(contract))


def render_html(contract: Contract) -> str:
    """The schedule as one self-contained HTML page with a print stylesheet."""
    from obc_check.render.document import build_document
    from obc_check.render.html import to_html

    return to_html(build_document(contract))


def render_docx(contract: Contract) -> bytes:
    """The schedule as a Word document (.docx bytes)."""
    from obc_check.render.document import build_document
    from obc_check.render.docx import to_docx

    return to_docx(build_document(contract))


def render(contract: Contract, fmt: Format) -> bytes:
    """The schedule in ``fmt`` as bytes ready to write (text formats in UTF-8)."""
    if fmt == "docx":
        return render_docx(contract)
    text = render_markdown(contract) if fmt == "markdown" else render_html(contract)
    return text.encode("utf-8")


__all__ = ["Format", "render", "render_docx", "render_html", "render_markdown"]
