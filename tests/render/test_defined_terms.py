"""Every capitalised term the schedule uses is a Defined Term (or a heading, or a name).

A capitalised word in a legal schedule promises a definition; one without it (a "Gateway" in
a contract that has none, a "Penalty" nobody defined) is a defect a lawyer would send back.
The test walks the rendered Document and, in every paragraph, table and caption the renderer
wrote, finds the runs of capitalised words that do not start a sentence. Each must be a
Defined Term (singular, plural or possessive), a clause heading, or one of a short list of
proper names (months, days, England). What the author wrote (titles, legal names, ``text``
blocks) and identifiers (``PROMS_HIP``, ``NHS``) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from obc_check.model import Contract
from obc_check.render.blocks import Block, Document, Figure, Para, Section, Table
from obc_check.render.document import build_document
from obc_check.render.records import field_name, records_name

PROPER = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Saturday", "Sunday", "England",
    "Figure", "Table",  # numbered captions: "Figure 3", "Table 2"
}
_QUOTED = re.compile(r"“[^”]*”")
_ALSO = re.compile(r"“([^”]*)” means")
_IDENT = re.compile(r"\b[A-Z][A-Z0-9_]*\b(?![a-z])")
_WORD = r"[A-Z][a-z][A-Za-z]*(?:-[A-Z][a-z]+)*(?:'s|s')?"
_RUN = re.compile(rf"{_WORD}(?:[ ]{_WORD})*")
_SENTENCE_START = re.compile(r"(^|[.;:!?]\s+|\(\s*|—\s*)$")


def _author_texts(c: Contract) -> set[str]:
    """Everything the author wrote that the schedule prints as it is."""
    texts = {c.title, c.version, *c.text}
    texts.update(p.name for p in c.parties)
    for o in c.outcomes:
        texts.update((o.title, *o.text))
    for ind in c.all_indicators():
        texts.update((ind.title, *ind.text))
    for g in c.gateways:
        texts.update((g.title, *g.text))
    for ob in c.obligations:
        texts.update((ob.title, *ob.text))
    if c.rate_card is not None:
        texts.update(p.title for p in c.rate_card.prices)
        texts.update(c.rate_card.text)
    if c.risk_share is not None:
        texts.update(c.risk_share.text)
    if c.capitation is not None:
        texts.update(t.title for t in c.capitation.tiers)
        texts.update(c.capitation.text)
    for ds in c.datasets:  # RECORDS.md: a field and the records are named as the author did
        texts.update((ds.title, *ds.text, records_name(ds.id)))
        texts.update(field_name(f.name) for f in ds.fields)
    # a long text is printed with its line breaks as spaces
    texts.update(" ".join(t.split()) for t in list(texts))
    agreement = getattr(c, "agreement", None)
    if agreement:
        texts.add(agreement)
    if c.funding is not None:
        texts.update(c.funding.text)
    # a long text is printed one paragraph at a time, its lines joined by single spaces
    return {" ".join(t.split()) for t in texts if t} | {
        " ".join(chunk.split()) for t in texts for chunk in t.split("\n\n") if chunk.strip()}


def _pieces(blocks: tuple[Block, ...]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Section):
            yield from _pieces(block.blocks)
        elif isinstance(block, Para):
            yield block.text
        elif isinstance(block, Table):
            yield block.caption
            yield from block.header
            for row in block.rows:
                yield from row
            yield from block.notes
        elif isinstance(block, Figure):
            yield block.caption
            yield block.alt


def _headings(doc: Document) -> set[str]:
    found: set[str] = set()

    def walk(blocks: tuple[Block, ...]) -> None:
        for b in blocks:
            if isinstance(b, Section):
                found.add(b.title)
                walk(b.blocks)

    walk(doc.sections)
    return found


def _terms(doc: Document) -> set[str]:
    found: set[str] = set()

    def walk(blocks: tuple[Block, ...]) -> None:
        for b in blocks:
            if isinstance(b, Section):
                walk(b.blocks)
            elif isinstance(b, Para) and b.term:
                found.add(b.term)
                # "“Subcontractor” means any one of them", inside a plural's definition
                found.update(m.group(1) for m in _ALSO.finditer(b.text))

    walk(doc.sections)
    return found


def _known(phrase: str, terms: set[str], headings: set[str]) -> bool:
    base = phrase.removesuffix("'s").removesuffix("'")
    if base in terms or base in headings or base in PROPER:
        return True
    return base.endswith("s") and base[:-1] in terms


def undefined_terms(c: Contract) -> set[str]:
    """The capitalised phrases the rendering of ``c`` uses without defining them."""
    doc = build_document(c)
    terms, headings = _terms(doc), _headings(doc)
    author = sorted(_author_texts(c), key=len, reverse=True)
    bad: set[str] = set()
    for piece in _pieces(doc.sections):
        text = piece
        for written in author:
            text = re.sub(rf"(?<!\w){re.escape(written)}(?!\w)", " ", text)
        text = _IDENT.sub(" ", _QUOTED.sub(" ", text))
        for m in _RUN.finditer(text):
            words = m.group(0).split(" ")
            if _SENTENCE_START.search(text[:m.start()]):
                if _known(" ".join(words), terms, headings):
                    continue
                words = words[1:]
            # a run may be two terms side by side ("Contract Year Floor"): split greedily
            while words:
                for n in range(len(words), 0, -1):
                    if _known(" ".join(words[:n]), terms, headings):
                        words = words[n:]
                        break
                else:
                    bad.add(words[0])
                    words = words[1:]
    return bad


def test_every_capitalised_term_of_the_library_is_defined(
        library_name: str, contract_named: Callable[[str], Contract]) -> None:
    assert undefined_terms(contract_named(library_name)) == set()


EDGE = {
    "rate card only": """
  party L "Acme Housing Ltd" role lead_provider sector private
  rate_card {
    cap £10,000 over term
    price P "Housed" £1,000 per person
  }
  obligation R "Report" {
    L shall report within 5 working days after each quarter
    penalty £100 per breach
  }
""",
    "outcome payment without gateways": """
  party L "Acme Health Ltd" role lead_provider sector private
  annual_value £1,000,000
  outcome_payment 10%
  outcome O "People recover" weight 100% {
    indicator I "People in work" { unit percent higher is better floor 10% target 20% }
  }
""",
    "alliance with spend share": """
  party A "Alpha Trust" role alliance_member sector nhs
  party B "Beta Charity" role alliance_member sector voluntary
  annual_value £1m
  risk_share {
    budget £1m per year
    commissioner share 50%
    members A 60%, B 40%
  }
  obligation S "Spend" {
    A shall pay at least 5% of annual_value to voluntary sector parties each year
  }
""",
}


@pytest.mark.parametrize("name", sorted(EDGE))
def test_every_capitalised_term_of_an_edge_contract_is_defined(
        name: str, from_text: Callable[[str], Contract]) -> None:
    c = from_text(f"""
contract X "Edge" {{
  version "1"
  currency GBP
  term 2016-10-01 to 2018-09-30
  party C "Council" role commissioner sector local_authority
{EDGE[name]}
}}
""")
    assert undefined_terms(c) == set()


def test_the_check_finds_an_undefined_term(from_text: Callable[[str], Contract],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # The test itself must be able to fail: a sentence with an undefined term is caught.
    from obc_check.render import document

    real = document._parties

    def with_stray(c: Contract) -> list[Block]:
        return [*real(c), Para("The Widget Officer shall keep the list.")]

    monkeypatch.setattr(document, "_parties", with_stray)
    c = from_text(EDGE_HEAD)
    assert undefined_terms(c) == {"Widget", "Officer"}


EDGE_HEAD = """
contract X "Edge" {
  version "1"
  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Council" role commissioner sector local_authority
}
"""


def _documented_terms() -> set[str]:
    """The first column of docs/render.md's table of rendered terms."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "render.md").read_text("utf-8")
    section = text.split("## Rendered terms and where they come from", 1)[1].split("\n## ")[0]
    found: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| Term |"):
            continue
        for name in line.split("|")[1].split(","):
            name = name.strip()
            if name.endswith("(s)"):
                found.update((name[:-3], name[:-3] + "s"))
            else:
                found.add(name.split(" (")[0])
    return found


def test_docs_list_every_rendered_term(library_name: str,
                                      contract_named: Callable[[str], Contract]) -> None:
    from pathlib import Path

    from obc_check.dsl import compile_file

    edge = Path(__file__).resolve().parent / "edge"
    contracts = [contract_named(library_name)]
    contracts += [c for c in (compile_file(p).contract for p in sorted(edge.glob("*.obc")))
                  if c is not None]
    documented = _documented_terms()
    assert "Financial Consequence" in documented and "Subcontractors" in documented
    for c in contracts:
        assert _terms(build_document(c)) - documented == set(), c.id
