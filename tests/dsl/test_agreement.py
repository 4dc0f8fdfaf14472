"""The `agreement "…"` statement (an extension, docs/language.md): which main agreement the
schedule belongs to, through compile, fmt, diff and render."""

from __future__ import annotations

from obc_check.diff import diff_contracts
from obc_check.dsl import compile_text
from obc_check.dsl.format import format_text
from obc_check.render import render_markdown

BASE = """contract X "Housing outcomes" {{
  version "2"
{agreement}  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Council" role commissioner sector local_authority
}}
"""
NAMED = '  agreement "NHS Standard Contract 2016/17: Council and Acme"\n'


def test_the_agreement_is_compiled_and_optional() -> None:
    named = compile_text(BASE.format(agreement=NAMED)).contract
    bare = compile_text(BASE.format(agreement="")).contract
    assert named is not None and bare is not None
    assert named.agreement == "NHS Standard Contract 2016/17: Council and Acme"
    assert bare.agreement is None
    assert named.model_dump(mode="json")["agreement"] == named.agreement


def test_a_second_agreement_is_e007_and_a_misspelling_is_named() -> None:
    twice = compile_text(BASE.format(agreement=NAMED + NAMED))
    assert [d.code for d in twice.diagnostics] == ["E007"]
    assert "`agreement` is given twice" in twice.diagnostics[0].message
    typo = compile_text(BASE.format(agreement='  agreemnt "A"\n'))
    assert typo.contract is None
    assert any("did you mean `agreement`" in (d.hint or "") for d in typo.diagnostics)


def test_fmt_keeps_the_agreement_in_the_head() -> None:
    messy = BASE.format(agreement='  agreement     "A B"\n')
    out = format_text(messy)
    assert out.text is not None and '  version "2"\n  agreement "A B"\n  currency GBP' in out.text
    assert format_text(out.text).text == out.text


def test_diff_reports_a_changed_agreement_as_neutral() -> None:
    old = compile_text(BASE.format(agreement=NAMED)).contract
    new = compile_text(BASE.format(agreement='  agreement "Varied agreement"\n')).contract
    assert old is not None and new is not None
    changes = [c for c in diff_contracts(old, new).changes if c.field == "agreement"]
    assert [(c.kind, c.old, c.new, c.effect) for c in changes] == [
        ("changed", '"NHS Standard Contract 2016/17: Council and Acme"',
         '"Varied agreement"', "neutral")]


def test_render_names_the_agreement_and_the_version() -> None:
    named = compile_text(BASE.format(agreement=NAMED)).contract
    bare = compile_text(BASE.format(agreement="")).contract
    assert named is not None and bare is not None
    md = render_markdown(named)
    assert ("This Schedule is version 2 of the schedule of outcomes, payments and obligations "
            "for contract X (“Housing outcomes”) and forms part of the Agreement.") in md
    assert ("**“Agreement”** means the agreement “NHS Standard Contract 2016/17: Council and "
            "Acme”, of which this Schedule forms part.") in md
    assert ("**“Agreement”** means the agreement between the parties of which this Schedule "
            "forms part, for contract X (“Housing outcomes”).") in render_markdown(bare)
