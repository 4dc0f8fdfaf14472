"""The schedule as a Word document, for lawyers to edit with tracked changes.

Real Word structure throughout: clause headings use the built-in Heading styles (so the
navigation pane and a table of contents work), tables are Word tables with a repeating
header row, and charts are embedded pictures with captions. Clause numbers are written into
the text rather than left to Word's auto-numbering, so that a tracked insertion cannot
silently renumber the clauses other documents cite.

What a UK public-sector reader expects of the file itself (issue 9):
- A4 paper with 2.54 cm margins, English (United Kingdom) as the language for proofing;
- a footer on every page with the contract's title, version and "Page N of M";
- table columns as wide as their longest word at least, so no word breaks inside a cell;
- numbered captions ("Table 3", "Figure 2") written as Word SEQ fields, so a table of
  figures can be built, and alt text on every chart;
- document properties from the contract (title, subject, version, identifier), and none of
  python-docx's template leftovers (its description, thumbnail, bibliography part, the
  "Microsoft Macintosh Word" application name, revision ids);
- the same input gives the same bytes: fixed timestamps in the properties, and the zip
  container rewritten with fixed entry dates in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx as python_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Inches, Mm, Pt
from docx.table import _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from obc_check.render import charts
from obc_check.render.blocks import Block, Document, Figure, Para, Section, Table, depth

# A fixed timestamp for the document properties, so the file does not record when it ran.
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# The zip entries' date (the earliest a zip can hold), for byte-identical files.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LANGUAGE = "en-GB"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(210), Mm(297), Mm(25.4)
TEXT_WIDTH = Emu(PAGE_WIDTH - 2 * MARGIN)
TABLE_FONT = Pt(9)
# Georgia's average advance is about 0.55 em; bold header text is wider, so 0.6 em is used
# for every cell, with the cell's left and right padding (0.19 cm) on top.
_CHAR = Emu(int(TABLE_FONT * 0.6))
_PADDING = Emu(Mm(3.8))
MAX_TITLE_PROPERTY = 255
"""Word's limit for the title property (python-docx refuses more): the text keeps it all."""

_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    'docPropsVTypes"><Application>obc-check</Application><DocSecurity>0</DocSecurity>'
    "<ScaleCrop>false</ScaleCrop><Company>{company}</Company>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


_STYLE_IDS: dict[str, str] = {}
_SECT_PR = qn("w:sectPr")


def _add_paragraph(doc: DocxDocument, text: str = "", style: str | None = None) -> Paragraph:
    """``doc.add_paragraph`` at a constant cost per paragraph.

    python-docx places each new paragraph before the body's closing ``sectPr``, which it
    finds by scanning every element before it, and looks each style up by name through the
    whole style sheet: quadratic, 10 s for a contract of 2,000 obligations. This inserts
    before the last element (the ``sectPr`` of a new document) and looks each style up once
    (every document starts from python-docx's own template, so the ids do not change).
    """
    body = doc.element.body
    p = OxmlElement("w:p")
    try:
        last = body[-1]  # from the end: O(1) in lxml, where len(body) counts every child
    except IndexError:
        last = None
    if last is not None and last.tag == _SECT_PR:
        last.addprevious(p)
    else:
        body.append(p)
    para = Paragraph(p, doc._body)  # the body container, as doc.add_paragraph uses
    if style is not None:
        style_id = _STYLE_IDS.get(style)
        if style_id is None:
            style_id = _STYLE_IDS[style] = doc.styles[style].style_id
        para._p.style = style_id
    if text:
        _add_run(para, text)
    return para


def _add_run(para: Paragraph, text: str) -> Run:
    """``para.add_run(text)`` without python-docx's scan of every character.

    python-docx looks at each character for tabs and line breaks; text without them gets
    the same XML (one ``w:t``) at once.
    """
    if "\t" in text or "\n" in text or "\r" in text:
        return para.add_run(text)
    r = para._p.add_r()
    if text:
        r.add_t(text)
    return Run(r, para)


def _add_heading(doc: DocxDocument, text: str, level: int) -> Paragraph:
    """``doc.add_heading`` through :func:`_add_paragraph`."""
    return _add_paragraph(doc, text, "Title" if level == 0 else f"Heading {level}")


def _repeat_header(row: _Row) -> None:
    """Mark a table row as a header row that repeats on each printed page."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (``SEQ Table``, ``PAGE``) with ``shown`` as its last computed result.

    Written as begin/instruction/separate/result/end runs, so the result is ordinary run
    text (readers that do not update fields still see the right number).
    """
    def fld_char(kind: str) -> None:
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld_char("separate")
    paragraph.add_run(shown)
    fld_char("end")


def _caption(doc: DocxDocument, kind: str, number: int, text: str) -> Paragraph:
    """``Table 3: Parties`` in the Caption style, the number a SEQ field."""
    caption = _add_paragraph(doc, style="Caption")
    caption.add_run(f"{kind} ")
    _field(caption, f"SEQ {kind} \\* ARABIC", str(number))
    caption.add_run(f": {text}")
    return caption


def column_widths(table: Table) -> list[int]:
    """Widths (EMU) that fit the page and never break a word, where the page allows it.

    Each column needs at least its longest word; beyond that, the width left is shared in
    proportion to how much more each column's longest cell would like. A table whose words
    alone are wider than the page is shrunk in proportion (it cannot be helped).
    """
    columns = list(zip(table.header, *table.rows, strict=True))

    def width(chars: int) -> int:
        return int(chars * _CHAR + _PADDING)

    least = [width(max((len(w) for cell in col for w in cell.split()), default=1))
             for col in columns]
    wanted = [max(width(max((len(cell) for cell in col), default=1)), lo)
              for col, lo in zip(columns, least, strict=True)]
    if sum(wanted) <= TEXT_WIDTH:
        return wanted
    if sum(least) >= TEXT_WIDTH:
        return [lo * TEXT_WIDTH // sum(least) for lo in least]
    spare = TEXT_WIDTH - sum(least)
    extra = [w - lo for w, lo in zip(wanted, least, strict=True)]
    return [lo + spare * e // sum(extra) for lo, e in zip(least, extra, strict=True)]


def _fix_widths(grid: python_docx.table.Table, widths: list[int]) -> None:
    """A fixed layout with the given column widths (grid and every cell)."""
    grid.autofit = False
    tbl_pr = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for col, w in zip(grid._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = Emu(w)
    for row in grid.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Emu(w)


def _cell_text(cell: python_docx.table._Cell, text: str, bold: bool, right: bool) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = TABLE_FONT
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc: DocxDocument, table: Table) -> None:
    caption = _caption(doc, "Table", table.number, table.caption)
    caption.paragraph_format.keep_with_next = True
    grid = doc.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    _repeat_header(grid.rows[0])
    for i, text in enumerate(table.header):
        _cell_text(grid.rows[0].cells[i], text, True, table.is_numeric(i))
    for row in table.rows:
        cells = grid.add_row().cells
        for i, text in enumerate(row):
            _cell_text(cells[i], text, False, table.is_numeric(i))
    _fix_widths(grid, column_widths(table))
    for note in table.notes:
        _add_paragraph(doc, note)


def _para(doc: DocxDocument, para: Para) -> None:
    p = _add_paragraph(doc)
    _add_run(p, para.number).bold = True
    p.add_run("\t")
    if para.term:
        _add_run(p, f"“{para.term}”").bold = True
        _add_run(p, " means ")
    _add_run(p, para.text)
    fmt = p.paragraph_format
    fmt.left_indent = Inches(0.75)
    fmt.first_line_indent = Inches(-0.75)
    fmt.tab_stops.add_tab_stop(Inches(0.75))


def _figure(doc: DocxDocument, figure: Figure) -> None:
    shape = doc.add_picture(io.BytesIO(charts.png(figure.chart)), width=Mm(150))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", figure.alt)
    doc_pr.set("title", f"{figure.label}: {figure.caption}")
    picture = doc.paragraphs[-1]
    picture.paragraph_format.keep_with_next = True
    _caption(doc, "Figure", figure.number, figure.caption)


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
    _add_heading(doc, f"{section.number}\t{section.title}", level)
    for block in section.blocks:
        _block(doc, block)


def _page(doc: DocxDocument, document: Document) -> None:
    """A4, UK margins, and the footer: title, version, page N of M."""
    page = doc.sections[0]
    page.page_width, page.page_height = PAGE_WIDTH, PAGE_HEIGHT
    page.left_margin = page.right_margin = MARGIN
    page.top_margin = page.bottom_margin = MARGIN
    footer = page.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.add_run(f"{document.title}, version {document.version}\tPage ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")
    for run in footer.runs:
        run.font.size = Pt(8)
    stops = footer.paragraph_format.tab_stops
    stops.clear_all()
    stops.add_tab_stop(Emu(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT)


def _language(doc: DocxDocument) -> None:
    """English (United Kingdom) for every run: the default run properties carry it."""
    r_pr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr"))
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANGUAGE)


def _properties(doc: DocxDocument, document: Document) -> None:
    """Core properties from the contract; fixed times; nothing left from the template."""
    props = doc.core_properties
    props.title = document.title[:MAX_TITLE_PROPERTY]
    props.subject = document.subtitle[:MAX_TITLE_PROPERTY]
    props.identifier = document.contract_id[:MAX_TITLE_PROPERTY]
    props.version = document.version[:MAX_TITLE_PROPERTY]
    props.language = LANGUAGE
    props.keywords = "outcomes-based contract; schedule"
    props.category = "Contract schedule"
    props.comments = ""
    props.author = "obc-check"
    props.last_modified_by = "obc-check"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1


def _strip_template(doc: DocxDocument) -> None:
    """Drop python-docx's thumbnail and bibliography part, its app.xml and revision ids."""
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML.format(company="").encode("utf-8")
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype == RT.CUSTOM_XML:
            doc.part.rels.pop(rid)
    settings = doc.settings.element
    for rsids in settings.findall(qn("w:rsids")):
        settings.remove(rsids)
    sect_pr = doc.sections[0]._sectPr
    for attr in [a for a in sect_pr.attrib if a.startswith(qn("w:rsid"))]:
        del sect_pr.attrib[attr]


def _stable_zip(data: bytes) -> bytes:
    """The same entries, in the same order, each dated ``ZIP_TIME``: byte-identical files."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def to_docx(document: Document) -> bytes:
    """The whole document as .docx bytes (the same bytes for the same document)."""
    doc = python_docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(10.5)
    _language(doc)
    _page(doc, document)
    _properties(doc, document)
    _strip_template(doc)
    _add_heading(doc, document.title, 0)
    _add_paragraph(doc, document.subtitle, style="Subtitle")
    for section in document.sections:
        _section(doc, section)
    out = io.BytesIO()
    doc.save(out)
    return _stable_zip(out.getvalue())

