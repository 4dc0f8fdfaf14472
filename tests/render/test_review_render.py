"""Review findings in the rendered schedule: crashes, Markdown that changes the author's text,
and wording that is wrong for unusual (but valid) contracts."""

from __future__ import annotations

from collections.abc import Callable

from obc_check.model import Contract
from obc_check.render import render_docx, render_html, render_markdown

HEAD = """
contract X "{title}" {{
  version "1"
  currency GBP
  term {term}
  party C "{name}" role commissioner sector nhs
{body}
}}
"""

ALLIANCE = """
  party C2 "Second council" role commissioner sector local_authority
  party A "Member A" role alliance_member sector nhs
  party B "Member B" role alliance_member sector voluntary
  risk_share {{
    budget {budget}
    commissioner share 50%
    members A 60%, B 40%
    member loss cap £1,000 per year
  }}
"""


def _contract(from_text: Callable[[str], Contract], *, title: str = "T", name: str = "C",
              term: str = "2015-04-01 to 2017-03-31", body: str = "") -> Contract:
    return from_text(HEAD.format(title=title, name=name, term=term, body=body))


def test_a_zero_budget_in_year_one_renders(from_text: Callable[[str], Contract]) -> None:
    # Was ZeroDivisionError: the loss-cap sentence divided by the year-1 Budget.
    c = _contract(from_text, body=ALLIANCE.format(budget="£0 in year 1, £1m in year 2"))
    md = render_markdown(c)
    assert "the Member Loss Cap of £1,000 is reached at an overspend of £2,000" in md
    assert "of the Budget)" not in md
    render_html(c)
    render_docx(c)


def test_several_commissioners_share_the_variance_together(
        from_text: Callable[[str], Contract]) -> None:
    # Was "The Commissioner's share of any Variance is 50%" with "Commissioner" defined as
    # any one of the Commissioners: read literally, each of them would take 50%.
    c = _contract(from_text, body=ALLIANCE.format(budget="£1m per year"))
    md = render_markdown(c)
    assert "The Commissioners' share of any Variance" in md
    assert "Commissioner's share" not in md
    assert "the Commissioners bear the rest" in md
    assert "| Commissioners together |  | 50% |" in md
    assert "as reported to the Commissioners." in md
    assert "the Commissioners bear all of any overspend beyond that" in md


def test_one_commissioner_keeps_the_singular(contract_named: Callable[[str], Contract]) -> None:
    md = render_markdown(contract_named("older_people"))
    assert "The Commissioner's share of any Variance is 50%" in md
    assert "| Commissioner |  | 50% |" in md


def test_a_one_year_term_reads_as_one_year(from_text: Callable[[str], Contract]) -> None:
    # Was "each of the one consecutive periods" and "divided into one Contract Year, each
    # referred to by its label".
    c = _contract(from_text, term="2015-04-01 to 2016-03-31")
    md = render_markdown(c)
    assert "one consecutive periods" not in md and "each referred to" not in md
    assert ("**“Contract Year”** means the period of twelve months that is the Term; it is "
            "referred to by the label given to it in clause") in md
    assert "The Term runs from 1 April 2015 to 31 March 2016 and is one Contract Year, " \
           "referred to by its label." in md


def test_markdown_keeps_a_title_ending_in_a_hash(from_text: Callable[[str], Contract]) -> None:
    # `# Team #` is a heading "Team": CommonMark drops a closing run of `#`.
    md = render_markdown(_contract(from_text, title="Team #"))
    assert md.startswith("# Team \\#\n")


def test_markdown_does_not_decode_entities_or_strike_out(
        from_text: Callable[[str], Contract]) -> None:
    # `&copy;` would show as ©, `&amp;` as &, and `~~x~~` is struck out on GitHub.
    md = render_markdown(_contract(from_text, name="Smith &amp; Co &copy; &#169; ~~old~~ & Sons"))
    assert "Smith \\&amp; Co \\&copy; \\&#169; \\~\\~old\\~\\~ & Sons" in md


def test_one_day_reads_as_one_day(from_text: Callable[[str], Contract]) -> None:
    body = """
  party L "Lead" role lead_provider sector private
  outcome_payment £1,000
  obligation P "Prompt" {
    L shall pay subcontractor invoices within 1 days of receipt
  }
  obligation F "Flow" {
    L shall pass on at least 10% of earned outcome_payment to subcontractors
      within 1 days of year end
  }
"""
    md = render_markdown(_contract(from_text, body=body))
    assert "1 days" not in md
    assert "no later than the 1st calendar day after the day it receives it" in md
    assert "no later than the 1st calendar day after it, that day included" in md
    assert "A shortfall remaining at the end of that last day is a Failure." in md
