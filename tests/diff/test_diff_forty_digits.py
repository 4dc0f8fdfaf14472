"""A 40-digit pot or tier price change is said to the penny (LANGUAGE.md: amounts exact).

Decimal subtraction, ``abs`` and ``normalize`` round to the context's 28 digits: the change
of a 40-digit pot showed as ``£1.1…E+39``-sized round pounds before.
"""

from __future__ import annotations

import json
from pathlib import Path

from obc_check.diff import diff_contracts, to_json, to_markdown, to_text
from obc_check.diff.changes import Changes
from obc_check.dsl import compile_text

ROOT = Path(__file__).resolve().parents[2]
AMH = (ROOT / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")
YOC = (ROOT / "contracts" / "year_of_care" / "contract.obc").read_text(encoding="utf-8")
VALUE = "1" * 38 + "00"  # £ of 40 digits


def _changes(old: str, new: str) -> Changes:
    a, b = compile_text(old, "a.obc").contract, compile_text(new, "b.obc").contract
    assert a is not None and b is not None
    return diff_contracts(a, b)


def test_a_40_digit_pot_change_is_exact_in_text_markdown_and_json() -> None:
    old = AMH.replace("annual_value £45,000,000", f"annual_value £{int(VALUE):,}")
    new = old.replace("10% in year 2, 15% in year 3", "10% in year 2, 20% in year 3")
    ch = _changes(old, new)
    year3 = ch.pot[2]
    change = int(VALUE) * 5 // 100  # 5% of the value, whole pounds
    assert year3.change == f"+{change}.00"
    assert year3.new == f"{int(VALUE) * 20 // 100}.00"
    shown = f"+£{change:,}.00"
    assert shown in to_text(ch) and shown in to_markdown(ch)
    assert json.loads(to_json(ch))["pot"][2]["change"] == f"+{change}.00"


def test_a_40_digit_tier_price_change_is_exact_a_year_and_a_month() -> None:
    big = int(VALUE)
    old = YOC.replace("£9,870 per person per year", f"£{big:,} per person per year")
    new = YOC.replace("£9,870 per person per year", f"£{big + 120_000:,}.12 per person per year")
    ch = _changes(old, new)
    [price] = [c for c in ch.changes if c.path == "capitation.TIER3.price"]
    # £120,000.12 more a year is £10,000.01 a month: small numbers, but subtracted at 40 digits
    assert "£120,000.12 more per person per year" in price.why, price.why
    assert "£10,000.01 per person per month" in price.why
    assert price.new is not None and f"£{big + 120_000:,}.12" in price.new
