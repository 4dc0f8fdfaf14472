"""The Capitation clause says what `check` computes (RECORDS.md, issue 13).

The illustration's caseload is written out as a caseload table and checked: each Tier's
figure and the Capitation in the rendered table must be the report's; the risk share's
illustration (its Budget the Capitation of that illustration) must give the members' amounts
the checker gives for a 2% overspend and underspend; and the sentences about a Month with no
Caseload must match what the report does with one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from obc_check.checker.check import check_bundle
from obc_check.checker.data.money import round_money
from obc_check.checker.report import Report
from obc_check.dsl import compile_text
from obc_check.model import Contract
from obc_check.render import render_markdown
from obc_check.render.blocks import Block, Section, Table
from obc_check.render.capitation_clauses import ILLUSTRATION_PEOPLE, illustration_capitation
from obc_check.render.document import build_document

CONTRACT = """
contract CAP "Capitation edge" {
  version "1"
  currency GBP
  term 2019-04-01 to 2021-03-31
  party C "Council" role commissioner sector local_authority
  party A "Alpha Trust" role alliance_member sector nhs
  party B "Beta Charity" role alliance_member sector voluntary
  capitation {
    price T1 "One condition" £1,195 per person per year
    price T2 "Several"       £3,640.01 per person per year
  }
  risk_share {
    budget capitation
    commissioner share 40%
    members A 55%, B 45%
    member loss cap £50,000 per year
  }
}
"""


def _contract() -> Contract:
    result = compile_text(CONTRACT)
    assert result.contract is not None, [d.message for d in result.diagnostics]
    return result.contract


def _caseload(c: Contract, missing: str | None = None) -> str:
    assert c.capitation is not None
    lines = ["price,period,people"]
    for m in range(1, 13):
        for t in c.capitation.tiers:
            if f"{t.id} M{m}" == missing:
                continue
            people = ILLUSTRATION_PEOPLE + (1 if m == 12 else 0)
            lines.append(f"{t.id},2019/20 M{m},{people}")
    return "\n".join(lines) + "\n"


def _check(c: Contract, folder: Path, tables: dict[str, str]) -> Report:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    report, diags = check_bundle(c, folder, dt.date(2020, 3, 31))
    assert report is not None, [d.message for d in diags]
    return report


def _tables(blocks: tuple[Block, ...]) -> list[Table]:
    out: list[Table] = []
    for b in blocks:
        if isinstance(b, Section):
            out.extend(_tables(b.blocks))
        elif isinstance(b, Table):
            out.append(b)
    return out


def _table(c: Contract, caption: str) -> Table:
    return next(t for t in _tables(build_document(c).sections) if t.caption.startswith(caption))


def _money(d: Decimal | Fraction) -> str:
    if isinstance(d, Fraction):
        d = Decimal(d.numerator) / d.denominator
    text = f"£{d:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def test_the_capitation_illustration_is_what_the_checker_pays(tmp_path: Path) -> None:
    c = _contract()
    report = _check(c, tmp_path, {"caseload": _caseload(c)})
    assert report.capitation is not None
    year = report.capitation[0]
    rows = {r[0]: r for r in _table(c, "Illustration: the Capitation").rows}
    for tier in year.tiers:
        assert rows[tier.price][1] == f"{ILLUSTRATION_PEOPLE * 12 + 1:,}" == \
            f"{sum(m.people for m in tier.caseload):,}"
        assert rows[tier.price][3].split(" ")[0] == _money(tier.payable)
    assert rows["All Tiers"][3] == _money(year.payable)
    assert c.capitation is not None
    assert Fraction(year.payable) == illustration_capitation(c.capitation)


def test_the_risk_share_illustration_on_the_capitation_budget(tmp_path: Path) -> None:
    c = _contract()
    assert c.capitation is not None
    budget = illustration_capitation(c.capitation)
    rows = {r[0].split(" ")[0]: r for r in _table(c, "Illustration: a 2%").rows}
    swing = Fraction(round_money(budget * Fraction(2, 100)))  # the 2%, to the penny
    for name, cost, column in (("under", budget - swing, 3), ("over", budget + swing, 4)):
        spend = f"period,actual_cost\n2019/20,{Decimal(cost.numerator) / cost.denominator}\n"
        report = _check(c, tmp_path / name, {"caseload": _caseload(c), "spend": spend})
        assert report.risk_share is not None
        (year,) = report.risk_share
        assert report.capitation is not None
        assert year.budget == report.capitation[0].payable
        for member in ("A", "B"):
            assert rows[member][column].replace("-", "") == _money(abs(year.members[member]))
    text = render_markdown(c)
    assert f"the Variance would be an underspend of {_money(swing)};" in text
    assert f"a Budget of {_money(budget)} (the Capitation in the illustration in clause" in text


def test_a_month_without_caseload_pays_nothing_and_stops_the_risk_share(tmp_path: Path) -> None:
    c = _contract()
    text = render_markdown(c)
    assert ("Where no Caseload is reported for a Tier for a Month that has begun, nothing is "
            "payable for that Tier for that Month while it is not reported.") in text
    assert "the Variance for that Contract Year is not assessed" in text
    report = _check(c, tmp_path, {"caseload": _caseload(c, missing="T2 M5"),
                                  "spend": "period,actual_cost\n2019/20,1.00\n"})
    assert report.capitation is not None
    t2 = report.capitation[0].tiers[1]
    assert t2.missing == ["2019/20 M5"] and t2.months == 11
    assert report.risk_share == [] and report.risk_share_not_assessed == ["2019/20"]
    assert report.status == "incomplete"
