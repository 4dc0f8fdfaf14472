"""TERMS.md's rendered sentences say what `check` computes, each tied to a checked figure.

The funding clause (shares, caps, the order, the penny rule, a cap reached), the
commissioner's payment duty, the rounding sentence, and per-day and capped Financial
Consequences: each test finds the sentence in the schedule and the figure in the report of
the library contract's own data, and asserts they agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from obc_check.checker.check import check_bundle
from obc_check.checker.report import Report
from obc_check.checker.rules.funding import split_funding
from obc_check.dsl import compile_file
from obc_check.model import Contract
from obc_check.render.blocks import Block, Para, Section, Table
from obc_check.render.document import build_document

ROOT = Path(__file__).resolve().parents[2] / "contracts"


def _load(name: str, as_of: str) -> tuple[Contract, Report]:
    contract = compile_file(ROOT / name / "contract.obc").contract
    assert contract is not None
    report, diags = check_bundle(contract, ROOT / name / "data", dt.date.fromisoformat(as_of))
    assert report is not None, diags
    return contract, report


def _blocks(blocks: tuple[Block, ...]) -> list[Block]:
    out: list[Block] = []
    for b in blocks:
        out.extend(_blocks(b.blocks) if isinstance(b, Section) else [b])
    return out


def _text(contract: Contract) -> list[str]:
    return [b.text for b in _blocks(build_document(contract).sections) if isinstance(b, Para)]


def _one(texts: list[str], *needles: str) -> str:
    found = [t for t in texts if all(n in t for n in needles)]
    assert len(found) == 1, (needles, found)
    return found[0]


def test_the_funding_clause_states_each_share_and_cap_and_the_cap_binds_as_checked() -> None:
    c, report = _load("care_leavers_lcf", "2022-12-31")
    table = next(b for b in _blocks(build_document(c).sections)
                 if isinstance(b, Table) and b.caption == "Funding")
    assert table.rows == (("DFE", "70%", "£1,250,000"), ("BCC", "30%", "no cap"))
    assert report.funding is not None
    dfe = sum((y.payers["DFE"] for y in report.funding), Decimal(0))
    assert dfe == Decimal("1250000")  # "pays only up to its cap"
    last = report.funding[-1]
    # "the excess is shared again ... among the Commissioners still below their caps"
    assert last.payers["BCC"] == last.payable - last.payers["DFE"]
    assert last.payers["BCC"] > last.payable * Decimal("0.3")
    texts = _text(c)
    _one(texts, "earliest first", "rounded half up to the penny", "listed first (DFE)")
    _one(texts, "pays only up to its cap", "A Commissioner without a cap takes what the others "
         "cannot")


def test_the_penny_rule_sentence_is_the_checkers_rule() -> None:
    c, _ = _load("care_leavers_lcf", "2022-12-31")
    assert c.funding is not None
    # 70% and 30% of 5p are 3.5p and 1.5p: 4p and 2p, 1p too many, taken from DFE (first)
    [year] = split_funding(c.funding, [(c.term.years[0], Decimal("0.05"))])
    assert year.payers == {"DFE": Decimal("0.03"), "BCC": Decimal("0.02")}
    _one(_text(c), "is added to, or taken from, the Share of the Commissioner listed first "
         "(DFE)")


def test_the_payment_duty_counts_payments_by_the_stated_day_as_the_checker_does() -> None:
    c, report = _load("care_leavers_lcf", "2022-12-31")
    sentence = _one(_text(c), "shall pay its Share of the Payable")
    assert "no later than the 60th calendar day after the last day of that Contract Year" in \
        sentence and "payments on account made during the Contract Year are included" in sentence
    row = next(r for r in report.obligations if r.obligation == "COUNCIL"
               and r.period == "2020/21")
    # the year ends 2021-09-30; the 60th day after it is 2021-11-29: the balancing payment of
    # 2021-12-15 is late, so only the payments on account count in time
    assert row.due == dt.date(2021, 11, 29)
    assert (row.actual, row.paid, row.balance) == (Decimal("180000.00"), Decimal("205441.00"),
                                                   Decimal("-5000.00"))
    _one(_text(c), "in excess of it, whenever paid, is recoverable", "shortfall remains owed")


def test_the_rounding_sentence_and_the_checked_value() -> None:
    c, report = _load("msk_prime_terms", "2017-09-30")
    sentence = ("The Value is rounded half up to one decimal place, a half being rounded away "
                "from nought (so -0.25 becomes -0.3), before it is compared with any threshold")
    rounded = [i.id for i in c.all_indicators() if i.rounding == 1]
    assert rounded == ["SDM", "CONVERT"]
    assert sum(1 for t in _text(c) if sentence in t) == len(rounded)
    assert report.outcome_payment is not None
    sdm = next(i for i in report.outcome_payment[0].indicators if i.indicator == "SDM")
    # 1,199 / 2,000 is 59.95%: rounded half up, 60.0, which meets the 60% target
    assert (sdm.value, sdm.numerator, sdm.denominator) == ("60.0", "1199", "2000")
    assert sdm.achievement == 1


def test_per_day_and_capped_financial_consequences_are_the_checked_penalties() -> None:
    c, report = _load("care_leavers_lcf", "2022-12-31")
    texts = _text(c)
    _one(texts, "Financial Consequence of £50 for each calendar day from the day the Return was "
         "due to the day it is submitted")
    _one(texts, "for one Contract Year shall not exceed £500 in total",
         "in order of the day each Failure's performance was due")
    rows = {r.period: r for r in report.obligations if r.obligation == "CLAIM"}
    q1 = rows["2019/20 Q1"]
    assert q1.days_late == 3 and q1.penalty == Decimal("150.00")  # 3 days × £50
    for year in ("2018/19", "2019/20", "2020/21", "2021/22"):
        total = sum((r.penalty for p, r in rows.items() if p.startswith(year)), Decimal(0))
        assert total <= 500
    # 2020/21 Q2 alone reaches the cap; Q4, breached later the same year, costs nothing
    assert rows["2020/21 Q2"].penalty == Decimal("500.00")
    assert rows["2020/21 Q4"].status == "breached" and rows["2020/21 Q4"].penalty == 0


def test_the_payable_of_a_claims_rate_card_is_its_claims_paid_not_ended_periods(
        tmp_path: Path) -> None:
    """A person-level rate card pays each claim when achieved (RECORDS.md, CLI.md): a year
    in progress has a Payable from its claims so far. The definition said "for the periods
    of it that have ended", which a claims rate card does not have."""
    import shutil

    shutil.copytree(ROOT / "sib_claims" / "data", tmp_path / "data")
    text = (ROOT / "sib_claims" / "contract.obc").read_text().replace(
        "  obligation CLAIM", "  funding {\n    MHCLG pays 50%\n    GMCA pays 50%\n  }\n"
        "  obligation CLAIM", 1)
    (tmp_path / "contract.obc").write_text(text)
    c = compile_file(tmp_path / "contract.obc").contract
    assert c is not None and c.rate_card is not None and c.rate_card.person_level
    as_of = dt.date(2018, 3, 15)  # in the first Contract Year (2017-12-01 to 2018-11-30)
    report, diags = check_bundle(c, tmp_path / "data", as_of)
    assert report is not None and report.rate_card is not None and report.funding, diags
    claims = report.rate_card.claims
    assert claims is not None
    year = c.term.years[0]
    so_far = sum((r.amount for r in claims
                  if r.status == "paid" and year.start <= r.achieved_on <= as_of), Decimal(0))
    first = report.funding[0]
    assert first.year == year.label and first.payable == so_far > 0
    from obc_check.render import render_markdown

    [payable] = [line for line in render_markdown(c).splitlines()
                 if "**“Payable”** means" in line]
    assert "periods of it that have ended" not in payable
    assert "Claims paid for Outcomes achieved in it" in payable
