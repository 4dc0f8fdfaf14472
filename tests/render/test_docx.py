"""The Word file as a UK public-sector reader gets it: page, footer, language, properties,
captions, alt text, column widths, nothing left from python-docx's template, same bytes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
from docx.oxml.ns import qn
from docx.shared import Mm

from obc_check.model import Contract
from obc_check.render import render_docx
from obc_check.render.blocks import Block, Figure, Section, Table
from obc_check.render.document import build_document
from obc_check.render.docx import _CHAR, _PADDING, TEXT_WIDTH, column_widths

Named = Callable[[str], Contract]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _walk(blocks: tuple[Block, ...]) -> list[Block]:
    out: list[Block] = []
    for b in blocks:
        out.append(b)
        if isinstance(b, Section):
            out.extend(_walk(b.blocks))
    return out


def test_a4_with_uk_margins_and_a_footer_with_title_version_and_pages(
        contract_named: Named) -> None:
    c = contract_named("amh")
    document = docx.Document(io.BytesIO(render_docx(c)))
    page = document.sections[0]
    assert page.page_width is not None and page.page_height is not None
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    for margin in (page.left_margin, page.right_margin, page.top_margin, page.bottom_margin):
        assert margin == Mm(25.4)
    footer = page.footer.paragraphs[0]
    assert footer.text == f"{c.title}, version {c.version}\tPage 1 of 1"
    fields = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]


def test_the_language_is_english_uk(contract_named: Named) -> None:
    data = render_docx(contract_named("msk"))
    document = docx.Document(io.BytesIO(data))
    lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr")).find(qn("w:lang"))
    assert lang is not None and lang.get(qn("w:val")) == "en-GB"
    assert document.core_properties.language == "en-GB"


def test_properties_come_from_the_contract_and_nothing_from_the_template(
        contract_named: Named) -> None:
    c = contract_named("older_people")
    data = render_docx(c)
    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.title, props.identifier, props.version) == (c.title, c.id, c.version)
    assert props.comments == "" and props.author == "obc-check"
    parts = _parts(data)
    assert "docProps/thumbnail.jpeg" not in parts
    assert not any(name.startswith("customXml/") for name in parts)
    assert b"<Application>obc-check</Application>" in parts["docProps/app.xml"]
    for name, blob in parts.items():
        if name.endswith(".xml") or name.endswith(".rels"):
            assert b"python-docx" not in blob, name
            assert b"Macintosh" not in blob, name
    assert b"w:rsid" not in parts["word/settings.xml"]
    assert b"w:rsid" not in parts["word/document.xml"]


def test_a_title_longer_than_word_allows_is_cut_in_the_property_only(
        from_text: Callable[[str], Contract]) -> None:
    # Was a traceback: python-docx refuses a title property over 255 characters.
    title = "A very long contract title " * 12
    c = from_text(f"""
contract X "{title.strip()}" {{
  version "1"
  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Council" role commissioner sector local_authority
}}
""")
    document = docx.Document(io.BytesIO(render_docx(c)))
    assert len(c.title) > 255
    assert document.core_properties.title == c.title[:255]
    assert document.paragraphs[0].text == c.title  # the full title stays in the text
    assert document.sections[0].footer.paragraphs[0].text.startswith(c.title)


def test_every_chart_has_alt_text_and_every_caption_a_number(contract_named: Named) -> None:
    c = contract_named("msk")
    blocks = _walk(build_document(c).sections)
    figures = [b for b in blocks if isinstance(b, Figure)]
    tables = [b for b in blocks if isinstance(b, Table)]
    assert figures and tables
    document = docx.Document(io.BytesIO(render_docx(c)))
    body = document.element.body
    alts = [e.get("descr") for e in body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert alts == [f.alt for f in figures]
    instructions = [t.text.strip() for t in body.iter(qn("w:instrText"))]
    assert instructions.count("SEQ Table \\* ARABIC") == len(tables)
    assert instructions.count("SEQ Figure \\* ARABIC") == len(figures)
    captions = [p.text for p in document.paragraphs if p.style is not None
                and p.style.name == "Caption"]
    assert captions[0] == f"Table 1: {tables[0].caption}"
    assert f"Figure {len(figures)}: {figures[-1].caption}" in captions


def test_columns_are_at_least_as_wide_as_their_longest_word(
        library_name: str, contract_named: Named) -> None:
    c = contract_named(library_name)
    document = docx.Document(io.BytesIO(render_docx(c)))
    tables = [b for b in _walk(build_document(c).sections) if isinstance(b, Table)]
    assert len(document.tables) == len(tables)
    for grid, table in zip(document.tables, tables, strict=True):
        widths = [int(col.get(qn("w:w"))) * 635 for col in grid._tbl.tblGrid.iter(
            qn("w:gridCol"))]  # twips → EMU
        assert sum(widths) <= TEXT_WIDTH + 635 * len(widths), table.caption
        for i, width in enumerate(widths):
            cells = [table.header[i], *(row[i] for row in table.rows)]
            longest = max(len(w) for cell in cells for w in cell.split())
            assert width >= longest * _CHAR + _PADDING - 635, (table.caption, i)
        fixed = grid._tbl.tblPr.find(qn("w:tblLayout"))
        assert fixed is not None and fixed.get(qn("w:type")) == "fixed"


def test_recovery_is_not_broken_in_the_allocation_table(contract_named: Named) -> None:
    # The review saw "RECOVER/Y": the Outcome column was narrower than its word.
    c = contract_named("amh")
    table = next(b for b in _walk(build_document(c).sections)
                 if isinstance(b, Table) and b.caption == "Allocation of the Outcome Payment")
    widths = column_widths(table)
    assert widths[1] >= len("RECOVERY") * _CHAR + _PADDING
    assert sum(widths) <= TEXT_WIDTH


def test_a_table_too_wide_for_any_page_is_shrunk_to_the_page() -> None:
    words = tuple("W" * 40 for _ in range(8))
    widths = column_widths(Table("Wide", words, (words,)))
    assert sum(widths) <= TEXT_WIDTH and len(set(widths)) == 1


def test_zip_entries_have_fixed_dates_in_a_fixed_order(contract_named: Named) -> None:
    # Two runs a second apart would differ by the zip's own clock; these pin why they don't.
    data = render_docx(contract_named("rough_sleeping"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert infos[0].filename == "[Content_Types].xml"
    assert data == render_docx(contract_named("rough_sleeping"))
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.created is not None and props.created.year == 2000
