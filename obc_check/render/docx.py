"""The schedule as a Word document, for lawyers to edit with tracked changes.

Real Word structure throughout: clause headings use the built-in Heading styles (so the
navigation pane and a table of contents work), tables are Word tables with a repeating
header row, and charts are embedded pictures with captions. Clause numbers are written into
the text rather than left to Word's auto-numbering, so that a tracked insertion cannot
silently renumber the clauses other documents cite.
"""

from __future__ import annotations

import datetime as dt
import io

import docx as python_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from docx.table import _Row

from obc_check.render import charts
from obc_check.render.blocks import Block, Document, Figure, Para, Section, Table, depth

# A fixed timestamp for the document properties, so the file does not record when it ran.
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _repeat_header(row: _Row) -> None:
    """Mark a table row as a header row that repeats on each printed page."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _table(doc: DocxDocument, table: Table) -> None:
    caption = doc.add_paragraph(table.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    grid = doc.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    _repeat_header(grid.rows[0])
    for i, text in enumerate(table.header):
        cell = grid.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        if table.is_numeric(i):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        cells = grid.add_row().cells
        for i, text in enumerate(row):
            cells[i].text = text
            if table.is_numeric(i):
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in table.notes:
        doc.add_paragraph(note)


def _para(doc: DocxDocument, para: Para) -> None:
    p = doc.add_paragraph()
    p.add_run(para.number).bold = True
    p.add_run("\t")
    if para.term:
        p.add_run(f"“{para.term}”").bold = True
        p.add_run(" means ")
    p.add_run(para.text)
    fmt = p.paragraph_format
    fmt.left_indent = Inches(0.75)
    fmt.first_line_indent = Inches(-0.75)
    fmt.tab_stops.add_tab_stop(Inches(0.75))


def _figure(doc: DocxDocument, figure: Figure) -> None:
    doc.add_picture(io.BytesIO(charts.png(figure.chart)), width=Inches(6.0))
    picture = doc.paragraphs[-1]
    picture.paragraph_format.keep_with_next = True
    doc.add_paragraph(figure.caption, style="Caption")


def _block(doc: DocxDocument, block: Block) -> None:
    if isinstance(block, Section):
        _section(doc, block)
    elif isinstance(block, Para):
        _para(doc, block)
    elif isinstance(block, Table):
        _table(doc, block)
    else:
        _figure(doc, block)


def _section(doc: DocxDocument, section: Section) -> None:
    level = min(depth(section.number), 9)
    doc.add_heading(f"{section.number}\t{section.title}", level=level)
    for block in section.blocks:
        _block(doc, block)


def to_docx(document: Document) -> bytes:
    """The whole document as .docx bytes."""
    doc = python_docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(10.5)
    props = doc.core_properties
    props.title = document.title
    props.subject = document.subtitle
    props.author = "obc-check"
    props.last_modified_by = "obc-check"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    doc.add_heading(document.title, level=0)
    doc.add_paragraph(document.subtitle, style="Subtitle")
    for section in document.sections:
        _section(doc, section)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
