"""The rendered schedule as plain values: numbered sections, paragraphs, tables, charts.

``document.build_document`` turns a Contract into these; the Markdown, HTML and Word writers
only lay them out. Keeping the wording and the numbering here, in one structure, is what makes
the three formats say the same thing with the same clause numbers.

A chart is kept as data (exact points on each year's payment curve), not as an image, so the
Markdown writer never loads matplotlib and the picture is drawn from the same numbers the
text prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction


@dataclass(frozen=True)
class Para:
    """A paragraph; ``term`` is the Defined Term it defines (shown in bold quotes first)."""

    text: str
    number: str = ""
    term: str = ""


@dataclass(frozen=True)
class Table:
    """A table of text cells; ``numeric`` marks columns to align right."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    notes: tuple[str, ...] = ()
    number: int = 0
    """Its place among the schedule's tables, set by :func:`numbered` (``Table 3``)."""

    @property
    def label(self) -> str:
        """``Table 3``: what the caption starts with in every format."""
        return f"Table {self.number}"

    def is_numeric(self, column: int) -> bool:
        """True when ``column`` holds figures (right-aligned)."""
        return column < len(self.numeric) and self.numeric[column]


@dataclass(frozen=True)
class Series:
    """One contract year's payment curve: (value, £ earned) corners, in order of value."""

    label: str
    points: tuple[tuple[Fraction, Fraction], ...]


@dataclass(frozen=True)
class Chart:
    """A payment-curve chart: £ earned against the indicator's value, one line per year."""

    key: str
    title: str
    x_label: str
    percent_axis: bool
    series: tuple[Series, ...]
    marks: tuple[tuple[str, Fraction], ...] = ()


@dataclass(frozen=True)
class Figure:
    """A captioned chart with a text alternative for readers who cannot see it."""

    caption: str
    alt: str
    chart: Chart
    number: int = 0
    """Its place among the schedule's figures, set by :func:`numbered` (``Figure 2``)."""

    @property
    def label(self) -> str:
        """``Figure 2``: what the caption starts with in every format."""
        return f"Figure {self.number}"


@dataclass(frozen=True)
class Section:
    """A numbered clause with a heading; it may hold paragraphs, tables and sub-clauses."""

    title: str
    blocks: tuple[Block, ...] = field(default=())
    number: str = ""


Block = Para | Table | Figure | Section


@dataclass(frozen=True)
class Document:
    """The whole schedule: a title, a line saying what it is, and its clauses."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    contract_id: str = ""
    version: str = ""


class _Counter:
    """Running counts of tables and figures, in reading order across the whole schedule."""

    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0


def _number_blocks(blocks: tuple[Block, ...], prefix: str, count: _Counter) -> tuple[Block, ...]:
    """Number paragraphs and sub-clauses in one sequence under ``prefix`` (6.2 → 6.2.1 …).

    Tables and figures take the next numbers of their own sequences over the whole schedule.
    """
    out: list[Block] = []
    n = 0
    for block in blocks:
        if isinstance(block, Para):
            n += 1
            out.append(replace(block, number=f"{prefix}.{n}"))
        elif isinstance(block, Section):
            n += 1
            number = f"{prefix}.{n}"
            out.append(replace(block, number=number,
                               blocks=_number_blocks(block.blocks, number, count)))
        elif isinstance(block, Table):
            count.tables += 1
            out.append(replace(block, number=count.tables))
        else:
            count.figures += 1
            out.append(replace(block, number=count.figures))
    return tuple(out)


def numbered(document: Document) -> Document:
    """``document`` with clause numbers assigned: 1, 1.1, 1.2, 6.2.3 …, in reading order.

    Tables and figures are numbered 1, 2, 3 … in their own sequences.
    """
    count = _Counter()
    sections = tuple(
        replace(s, number=str(i), blocks=_number_blocks(s.blocks, str(i), count))
        for i, s in enumerate(document.sections, start=1)
    )
    return replace(document, sections=sections)


def depth(number: str) -> int:
    """How deep a clause number is: ``6`` is 1, ``6.2`` is 2."""
    return number.count(".") + 1
