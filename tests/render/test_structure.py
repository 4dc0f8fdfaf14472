"""What the rendered schedule must contain, checked on the document and on each format."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

from obc_check.model import Contract
from obc_check.render import render_docx, render_html, render_markdown
from obc_check.render.blocks import Figure, Para, Section
from obc_check.render.document import build_document

Named = Callable[[str], Contract]


def _money(amount: Fraction) -> str:
    """An independent formatter for the house style, to check the renderer against."""
    pence = (abs(amount) * 100 * 2 + 1) // 2
    pounds, rest = divmod(int(pence), 100)
    text = f"£{pounds:,}" + (f".{rest:02d}" if rest else "")
    return ("-" if amount < 0 else "") + text


def _money_figures(c: Contract) -> set[str]:
    """Every pot and allocation of the model, computed here from the model's own fields."""
    figures: set[str] = set()
    if c.outcome_payment is not None:
        for pot in c.outcome_payment.pot:
            figures.add(_money(Fraction(pot)))
            for outcome in c.outcomes:
                for ind in outcome.indicators:
                    assert ind.weight is not None
                    alloc = Fraction(pot) * Fraction(outcome.weight) * ind.weight
                    figures.add(_money(alloc))
    if c.annual_value is not None:
        figures.update(_money(Fraction(v)) for v in c.annual_value.values)
    if c.rate_card is not None:
        figures.add(_money(Fraction(c.rate_card.cap)))
        figures.update(_money(Fraction(p.amount)) for p in c.rate_card.prices)
    if c.risk_share is not None and c.risk_share.budget is not None:
        figures.update(_money(Fraction(v)) for v in c.risk_share.budget.values)
    if c.capitation is not None:
        figures.update(_money(Fraction(t.annual_price)) for t in c.capitation.tiers)
    figures.update(_money(Fraction(o.penalty)) for o in c.obligations if o.penalty is not None)
    return figures


def test_every_money_figure_of_the_model_appears_in_the_markdown(
        library_name: str, contract_named: Named) -> None:
    c = contract_named(library_name)
    text = render_markdown(c)
    figures = _money_figures(c)
    assert figures
    missing = sorted(f for f in figures if not re.search(re.escape(f) + r"(?!\d|[,.]\d)", text))
    assert not missing


def _walk(blocks: tuple[object, ...]) -> list[object]:
    out: list[object] = []
    for b in blocks:
        out.append(b)
        if isinstance(b, Section):
            out.extend(_walk(b.blocks))
    return out


def test_clause_numbers_are_unique_and_in_order(library_name: str,
                                               contract_named: Named) -> None:
    doc = build_document(contract_named(library_name))
    numbers = [b.number for b in _walk(tuple(doc.sections)) if isinstance(b, Para | Section)]
    assert len(numbers) == len(set(numbers))
    keys = [tuple(int(p) for p in n.split(".")) for n in numbers]
    assert keys == sorted(keys)


def test_each_defined_term_is_defined_once(library_name: str, contract_named: Named) -> None:
    doc = build_document(contract_named(library_name))
    terms = [b.term for b in _walk(tuple(doc.sections)) if isinstance(b, Para) and b.term]
    assert terms and len(terms) == len(set(terms))


def test_amh_has_a_chart_for_each_paid_indicator_and_none_for_unpaid(
        contract_named: Named, outline: Callable[[bytes], str]) -> None:
    c = contract_named("amh")
    figures = [b for b in _walk(tuple(build_document(c).sections)) if isinstance(b, Figure)]
    assert [f.chart.key for f in figures] == [i.id for _, i in c.paid_indicators()]
    html = render_html(c)
    assert html.count('<img src="data:image/png;base64,') == len(figures)
    assert outline(render_docx(c)).count("[picture]") == len(figures)


def test_risk_share_illustration_is_exact(contract_named: Named) -> None:
    text = render_markdown(contract_named("older_people"))
    # 2% of £150m = £3m; members bear 50% = £1.5m split 55/40/5.
    assert ("| OUH (Oxford University Hospitals NHS Trust) | 55% |  | £825,000 | -£825,000 |"
            in text)
    assert "| AGE (Age UK Oxfordshire) | 5% |  | £75,000 | -£75,000 |" in text
    assert "reached at an overspend of £6,000,000 (4% of the Budget)" in text


def test_rate_card_caps_are_priced(contract_named: Named) -> None:
    text = render_markdown(contract_named("rough_sleeping"))
    assert "| SUST6 | Settled accommodation sustained for 6 months | £3,000 per person | 120 " \
           "| £360,000 |" in text
    assert "The Rate Card Cap is £1,800,000" in text


THIRDS = """
contract T "Thirds" {
  version "1"
  currency GBP
  term 2020-01-01 to 2021-12-31
  party C "Council" role commissioner sector local_authority
  party P "Provider" role lead_provider sector voluntary
  annual_value £1,000,000
  outcome_payment £100,000
  outcome O "Everything" weight 100% {
    indicator A "First" {
      unit days
      lower is better
      pays in steps 50% at 30, 100% at 20
      if missing pay 25%
    }
    indicator B "Second" { unit count higher is better floor 10 target 20 }
    indicator C2 "Third" { unit percent higher is better target 90% pays all or nothing }
  }
  obligation FLOW "Flow-down" {
    P shall pass on at least 30% of earned outcome_payment to subcontractors
      within 30 days of year end
  }
}
"""


def test_inexact_allocations_are_marked_as_rounded(from_text: Callable[[str], Contract]) -> None:
    text = render_markdown(from_text(THIRDS))
    # £100,000 ÷ 3 is not a whole number of pence: printed rounded, and said to be.
    assert "£33,333.33 †" in text
    assert "† Rounded to the penny for display" in text
    assert "| A | O | 33 1/3% |" in text
    assert "Value at or below | Share of the Allocation | 2020 | 2021 |" in text
    assert "25% of this Indicator's Allocation for that Contract Year is payable" in text
    assert "If the whole Outcome Payment is earned, that is at least £30,000 in each " \
           "Contract Year." in text


def test_curves_follow_the_rules(from_text: Callable[[str], Contract]) -> None:
    c = from_text(THIRDS)
    figures = {b.chart.key: b.chart for b in _walk(tuple(build_document(c).sections))
               if isinstance(b, Figure)}
    third = Fraction(100_000, 3)
    (steps,) = figures["A"].series  # both years identical → one line
    assert steps.label == "every Contract Year"
    levels = {y for _, y in steps.points}
    assert levels == {third, third / 2, Fraction(0)}
    # lower is better: the full Allocation sits at the low values
    assert steps.points[0][1] == third and steps.points[-1][1] == 0
    (linear,) = figures["B"].series
    assert (Fraction(10), Fraction(0)) in linear.points
    assert (Fraction(20), third) in linear.points


MARKUP = """
contract M "Markup <b>test</b>" {
  version "1"
  currency GBP
  term 2020-04-01 to 2021-03-31
  party C "Council & Co" role commissioner sector local_authority
  party P "Provider" role lead_provider sector voluntary
  text \"\"\"
  First paragraph with <script>alert(1)</script> and a | pipe and *stars*.

  Second paragraph.
  \"\"\"
  obligation PROMPT "Prompt payment" {
    P shall pay subcontractor invoices within 30 days of receipt
  }
}
"""


def test_author_text_is_escaped_and_kept_in_place(from_text: Callable[[str], Contract]) -> None:
    c = from_text(MARKUP)
    html = render_html(c)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Council &amp; Co" in html
    md = render_markdown(c)
    assert "**1.1** First paragraph with \\<script\\>alert(1)\\</script\\> and a | pipe and " \
           "\\*stars\\*." in md
    assert "**1.2** Second paragraph." in md
    # the prompt-payment clause speaks of Subcontractors: defined although none is named
    assert "**“Subcontractor”** means" in md
