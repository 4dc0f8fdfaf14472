"""``--explain PERSON``, ``--explain PRICE`` and JUnit of a claims-paid rate card (issue 12).

Each figure they print is tied to the JSON report's claim rows of the library's sib_claims
bundle, so that the words cannot drift from what ``check`` decided.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.claims import ClaimTable
from obc_check.checker.data.money import pounds
from obc_check.checker.report.explain import explain
from obc_check.checker.report.formats import ReportFormat, render
from obc_check.checker.rules.evaluate import evaluate
from tests.checker.test_claims import contract
from tests.checker.test_claims_properties import card
from tests.checker.test_cli_check import run

ROOT = Path(__file__).resolve().parents[2]
SIB = ROOT / "contracts" / "sib_claims"
AS_OF = json.loads((SIB / "expected.json").read_text())["as_of"]
ARGS = [str(SIB / "contract.obc"), "--data", str(SIB / "data"), "--as-of", AS_OF]


@pytest.fixture(scope="module")
def claims() -> list[dict[str, Any]]:
    code, out, _ = run(*ARGS, "--format", "json")
    assert code == 1  # the library's returns include a late one
    rows: list[dict[str, Any]] = json.loads(out)["rate_card"]["claims"]
    return rows


def test_explain_person_walks_their_claims_in_decision_order(
        claims: list[dict[str, Any]]) -> None:
    code, out, _ = run(*ARGS, "--explain", "GM0001")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "GM0001 — participant"
    mine = [r for r in claims if r["person"] == "GM0001"]
    assert len(lines) == len(mine) + 2  # heading, one line a claim, the total
    total = Decimal("0.00")
    for line, r in zip(lines[1:], mine, strict=False):
        head = f"  {r['achieved_on']} {r['price']}: "
        if r["status"] == "paid":
            total += Decimal(r["amount"])
            assert line.startswith(f"{head}paid {pounds(Decimal(r['amount']))}")
            assert line.endswith(f"the person's total {pounds(total)}")
        else:
            assert line.startswith(f"{head}rejected, {r['reason']} (")
    assert lines[-1] == f"  total paid {pounds(total)} of the person cap £12,000.00 over " \
                        f"{len(mine)} claims"
    assert "outside_term" in out and "outside_window" in out


def test_explain_person_says_which_cap_cut_a_claim(claims: list[dict[str, Any]]) -> None:
    capped = next(r for r in claims if r["capped"])
    code, out, _ = run(*ARGS, "--explain", capped["person"])
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith(
        f"  {capped['achieved_on']} {capped['price']}: paid"))
    assert ", capped: the person cap left only this; the person's total £12,000.00" in line


def test_explain_person_as_json() -> None:
    code, out, _ = run(*ARGS, "--explain", "GM0001", "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert (doc["schema"], doc["id"], doc["heading"]) == ("obc-explain/1", "GM0001",
                                                          "GM0001 — participant")
    assert doc["derivations"][-1].startswith("total paid £10,100.00")


def test_explain_price_summarises_its_claims_by_year(claims: list[dict[str, Any]]) -> None:
    code, out, _ = run(*ARGS, "--explain", "EDU")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("EDU — Entered education or training")
    mine = [r for r in claims if r["price"] == "EDU"]
    paid = [r for r in mine if r["status"] == "paid"]
    assert len(paid) == 40  # at most 40 over term
    amount = sum((Decimal(r["amount"]) for r in paid), Decimal("0.00"))
    reasons = Counter(r["reason"] for r in mine if r["status"] == "rejected")
    assert lines[1] == (f"  {len(mine)} claims: {len(paid)} paid ({pounds(amount)}); rejected: "
                        + ", ".join(f"{n} {r}" for r, n in reasons.items()))
    for year in sorted({r["year"] for r in mine if "year" in r}):
        of_year = [r for r in mine if r.get("year") == year]
        n_paid = sum(r["status"] == "paid" for r in of_year)
        assert any(x.startswith(f"  {year}: {n_paid} paid (") for x in lines), year


def test_explain_price_counts_claims_outside_the_term(claims: list[dict[str, Any]]) -> None:
    outside = [r for r in claims if r["price"] == "ENTRY" and "year" not in r]
    assert outside and all(r["reason"] == "outside_term" for r in outside)
    _, out, _ = run(*ARGS, "--explain", "ENTRY")
    assert f"  outside the term: {len(outside)} claims, all rejected" in out.splitlines()


def test_junit_has_a_passing_case_per_price_and_year(claims: list[dict[str, Any]]) -> None:
    _, out, _ = run(*ARGS, "--format", "junit")
    root = ET.fromstring(out)
    suite = next(s for s in root if s.get("name") == "GMSOC rate card claims")
    cases = {(c.get("classname"), c.get("name")): c for c in suite}
    expected = Counter((f"GMSOC.rate_card.{r['year']}", r["price"]) for r in claims
                       if "year" in r)
    assert set(cases) == set(expected)
    assert suite.get("failures") == "0" and suite.get("tests") == str(len(expected))
    for (classname, price), case in cases.items():
        year = classname.rsplit(".", 1)[1]
        out_text = case.findtext("system-out") or ""
        n_paid = sum(1 for r in claims if r["price"] == price and r.get("year") == year
                     and r["status"] == "paid")
        assert out_text.startswith(f"{price} {year}: {n_paid} paid (")
        assert case.find("failure") is None


def test_a_contract_identifier_wins_over_a_person_of_the_same_name() -> None:
    c = contract("cap £1,000 over term", 'price A "Outcome A" £100 per person')
    report = evaluate(c, Bundle(source="t", claims=ClaimTable.of(
        [("A", "A", dt.date(2020, 3, 1)), ("A", "B", dt.date(2020, 3, 1))])),
        dt.date(2022, 12, 31))
    assert explain(c, report, "A").startswith("A — Outcome A (rate-card price)")
    assert explain(c, report, "B").startswith("B — participant")
    assert "2 claims: 2 paid (£200.00)" in explain(c, report, "A")


def test_text_and_markdown_summarise_a_million_claims_in_a_few_lines() -> None:
    """The formats for people list claims by reason, not one line a claim."""
    c = contract("cap £100,000,000 over term\n    cap £1,000 per person",
                 'price A "A" £100 per person, once per person\n    price W "W" £7 per outcome')
    start = dt.date(2020, 1, 1)
    rows = [("A" if i % 3 else "W", f"P{i % 5000:05d}", start + dt.timedelta(days=i % 900))
            for i in range(30_000)]
    report = evaluate(c, Bundle(source="t", claims=ClaimTable.of(rows)), dt.date(2022, 12, 31))
    for fmt in (ReportFormat.text, ReportFormat.markdown, ReportFormat.junit):
        assert len(render(report, fmt).splitlines()) < 120, fmt


def test_explain_says_one_claim_not_one_claims(tmp_path: Path) -> None:
    """A price or person with one claim: "1 claim", as a reader writes it."""
    path = tmp_path / "c.obc"
    path.write_text(card('    cap £1,000 over term\n    price A "A" £100 per outcome\n'),
                    encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "claims.csv").write_text(
        "price,person,achieved_on\nA,P1,2019-06-01\n", encoding="utf-8")
    args = [str(path), "--data", str(tmp_path / "data"), "--as-of", "2021-12-31", "--explain"]
    code, price, _ = run(*args, "A")
    assert code == 0
    assert "  1 claim: 0 paid (£0.00); rejected: 1 outside_term" in price.splitlines()
    assert "  outside the term: 1 claim, all rejected" in price.splitlines()
    code, person, _ = run(*args, "P1")
    assert code == 0
    assert person.splitlines()[-1] == "  total paid £0.00 over 1 claim"
