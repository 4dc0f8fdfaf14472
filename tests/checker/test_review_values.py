"""Review findings on indicator values: a period in which nothing was counted (``0 / 0``).

LANGUAGE.md, Data: "when every quarter (or every month) of the year has a row with a
numerator and a denominator, the sum of numerators over the sum of denominators". A quarter
with no eligible cases is such a row (0 / 0). The loader refused it (D018), and since an
indicator with a minimum denominator must give numerator and denominator on every row
(D024), a year with one empty quarter could not be checked at all; leaving the row out made
the year missing instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from obc_check.checker.data.load import load_bundle
from obc_check.checker.rules.evaluate import evaluate
from obc_check.dsl import compile_text
from obc_check.model import Contract

CONTRACT = """
contract Z "Zero" {
  version "1"
  currency GBP
  term 2015-04-01 to 2016-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Provider" role lead_provider sector nhs
  outcome_payment £100,000
  outcome O "O" weight 100% {
    indicator EIP "Early" weight 50% {
      unit percent higher is better floor 50% target 70% minimum denominator 20
    }
    indicator R "Rate" weight 50% { unit ratio lower is better floor 2 target 1 }
  }
}
"""


def _contract() -> Contract:
    result = compile_text(CONTRACT, "z.obc")
    assert result.contract is not None, [d.message for d in result.diagnostics]
    return result.contract


def test_empty_quarter_takes_part_in_the_pooled_value(tmp_path: Path) -> None:
    (tmp_path / "indicators.csv").write_text(
        "indicator,period,value,numerator,denominator\n"
        "EIP,2015/16 Q1,,0,0\n"
        "EIP,2015/16 Q2,,8,10\n"
        "EIP,2015/16 Q3,,4,6\n"
        "EIP,2015/16 Q4,,3,4\n"
        "R,2015/16,,0,0\n")
    contract = _contract()
    bundle, diags = load_bundle(tmp_path, contract)
    assert bundle is not None, [d.message for d in diags]
    year = evaluate(contract, bundle, dt.date(2016, 3, 31)).outcome_payment[0]  # type: ignore[index]
    eip, rate = year.indicators
    # 15 / 20 = 75%, on or above the target 70%; the denominator 20 meets the minimum
    assert eip.status == "assessed" and eip.value == "75" and eip.denominator == "20"
    assert eip.earned == 50000
    # a year row 0 / 0 has no value: missing, not an error
    assert rate.status == "missing" and rate.earned == 0


def test_zero_denominator_with_counted_cases_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / "indicators.csv").write_text(
        "indicator,period,value,numerator,denominator\n"
        "EIP,2015/16 Q1,,3,0\n"
        "R,2015/16,1.5,0,0\n")
    bundle, diags = load_bundle(tmp_path, _contract())
    assert bundle is None
    assert [d.code for d in diags] == ["D018", "D018"]
