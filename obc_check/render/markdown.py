"""The schedule as Markdown (CommonMark with pipe tables), for review in a pull request.

Charts are not drawn here (Markdown has no self-contained image); each is named by its
caption so the reader knows the HTML and Word versions carry it. Text is escaped only where
a character would otherwise start Markdown markup, so the raw file stays readable.
"""

from __future__ import annotations

import re

from obc_check.render.blocks import Block, Document, Figure, Para, Section, Table, depth

_SPECIAL = re.compile(r"([\\`*<>\[\]~])")
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# `&copy;`, `&amp;`, `&#169;` would be read as the character they name.
_ENTITY = re.compile(r"&(?=#[0-9]+;|#[xX][0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9]*;)")
# A heading's closing sequence: a run of `#` at the end, after a space, is not text.
_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+[ \t]*)$")


def escape(text: str) -> str:
    """Backslash-escape markup characters; an underscore inside a word is left alone.

    `~` is escaped because GitHub reads `~~text~~` as struck out; `&` only where it would
    start a character reference.
    """
    text = _ENTITY.sub(r"\\&", _SPECIAL.sub(r"\\\1", text))
    return _EDGE_UNDERSCORE.sub(r"\\_", text)


def _heading(text: str) -> str:
    """Heading text escaped, with a trailing `#` kept as text."""
    return _CLOSING_HASHES.sub(r"\1\\\2", escape(text))


def _cell(text: str) -> str:
    return escape(text).replace("|", "\\|")


def _table(table: Table) -> list[str]:
    align = ["--:" if table.is_numeric(i) else "---" for i in range(len(table.header))]
    lines = [f"*{table.label}: {escape(table.caption)}*", ""]
    lines.append("| " + " | ".join(_cell(h) for h in table.header) + " |")
    lines.append("|" + "|".join(align) + "|")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows)
    for note in table.notes:
        lines.extend(["", escape(note)])
    return lines


def _para(para: Para) -> str:
    term = f"**“{escape(para.term)}”** means " if para.term else ""
    return f"**{para.number}** {term}{escape(para.text)}"


def _block(block: Block) -> list[str]:
    if isinstance(block, Section):
        return _section(block)
    if isinstance(block, Para):
        return [_para(block)]
    if isinstance(block, Table):
        return _table(block)
    assert isinstance(block, Figure)
    return [f"*{block.label}: {escape(block.caption)} (drawn in the HTML and Word versions).*"]


def _section(section: Section) -> list[str]:
    hashes = "#" * min(depth(section.number) + 1, 6)
    out = [f"{hashes} {section.number} {_heading(section.title)}"]
    for block in section.blocks:
        out.append("")
        out.extend(_block(block))
    return out


def to_markdown(document: Document) -> str:
    """The whole document as Markdown text, ending in one newline."""
    lines = [f"# {_heading(document.title)}", "", escape(document.subtitle)]
    for section in document.sections:
        lines.append("")
        lines.extend(_section(section))
    return "\n".join(lines) + "\n"
