"""``diff``: goldens for realistic version pairs, the rules, the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obc_check.cli import app
from obc_check.diff import Changes, diff_contracts, to_json, to_markdown, to_text
from obc_check.diff.rules import Payout, compare_payouts
from obc_check.dsl import compile_file, compile_text
from obc_check.dsl.format import format_text
from obc_check.model import Contract

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CASES = sorted(p.name for p in (HERE / "cases").iterdir() if p.is_dir())
runner = CliRunner()


def _pair(name: str) -> tuple[Path, Path]:
    old, new = sorted((HERE / "cases" / name).glob("*.obc"))
    return old, new


def _contract(path: Path) -> Contract:
    result = compile_file(path)
    assert result.contract is not None, result.diagnostics
    return result.contract


def _diff(name: str) -> Changes:
    old, new = _pair(name)
    return diff_contracts(_contract(old), _contract(new))


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(("ext", "writer"), [("txt", to_text), ("md", to_markdown),
                                             ("json", to_json)])
def test_golden(name: str, ext: str, writer: Callable[[Changes], str],
                golden: Callable[[Path, str], None]) -> None:
    golden(HERE / "golden" / f"{name}.{ext}", writer(_diff(name)))


def test_json_schema_is_stable(golden: Callable[[Path, str], None]) -> None:
    schema = Changes.model_json_schema(by_alias=True)
    golden(HERE / "golden" / "schema.json", json.dumps(schema, indent=2) + "\n")


def _find(ch: Changes, path: str, year: int | None = None) -> list[tuple[str, str | None,
                                                                         str | None]]:
    return [(c.effect, c.old, c.new) for c in ch.changes if c.path == path and c.year == year]


def test_amh_tightened_targets_weights_obligation_and_party() -> None:
    ch = _diff("amh")
    assert _find(ch, "indicator.EIP14.target", 2) == [("stricter", "65%", "70%")]
    assert _find(ch, "indicator.EIP14.target", 1) == []
    assert _find(ch, "outcome.WORK.weight") == [("neutral", "10%", "5%")]
    assert _find(ch, "obligation.FLOW")[0][0] == "stricter"
    assert _find(ch, "party.RST")[0][0] == "neutral"
    assert _find(ch, "obligation.REPORT.working days") == [("looser", "15", "20")]
    assert _find(ch, "gateway.DQ.level") == [("looser", "95%", "90%")]
    assert [(p.year, p.old, p.new, p.change) for p in ch.pot] == [
        (1, "2250000.00", "2250000.00", "+0.00"), (2, "4500000.00", "4500000.00", "+0.00"),
        (3, "6750000.00", "9000000.00", "+2250000.00")]
    assert ch.summary.stricter == sum(1 for c in ch.changes if c.effect == "stricter")


def test_lower_is_better_target_down_is_stricter() -> None:
    ch = _diff("older_people")
    assert _find(ch, "indicator.DTOC.target", 2) == [("stricter", "800", "750")]
    assert _find(ch, "risk_share.member loss cap") == [("looser", "£3,000,000", "£2,500,000")]
    assert _find(ch, "obligation.QUARTERLY.penalty") == [("stricter", None, "£500")]


def test_rate_card_prices_and_caps() -> None:
    ch = _diff("rough_sleeping")
    assert _find(ch, "price.WORK")[0][0] == "stricter"
    assert _find(ch, "price.SUST12")[0][0] == "looser"
    assert _find(ch, "price.SUST6.at most") == [("stricter", "120", "100")]
    assert _find(ch, "rate_card.cap") == [("looser", "£1,800,000", "£2,000,000")]
    assert ch.pot == ()


def test_curve_changes_are_judged_on_what_they_pay() -> None:
    ch = _diff("msk")
    assert _find(ch, "indicator.FFT.pays")[0][0] == "looser"  # all or nothing → linear
    assert _find(ch, "indicator.RTT18.pays")[0][0] == "neutral"  # steps → linear: mixed
    assert _find(ch, "obligation.MONTHLY.each") == [("looser", "month", "quarter")]
    assert _find(ch, "obligation.PROMPT.days") == [("stricter", "30", "20")]


@pytest.mark.parametrize("contract", sorted((ROOT / "contracts").glob("*/contract.obc")),
                         ids=lambda p: p.parent.name)
def test_identical_contracts_have_no_changes(contract: Path) -> None:
    ch = diff_contracts(_contract(contract), _contract(contract))
    assert ch.empty and ch.changes == ()
    assert to_text(ch).endswith("\nno changes\n")
    assert all(p.change == "+0.00" for p in ch.pot)


@pytest.mark.parametrize("name", CASES)
def test_formatting_changes_nothing(name: str) -> None:
    for path in _pair(name):
        text = path.read_text(encoding="utf-8")
        out = format_text(text).text
        assert out is not None
        again = compile_text(out).contract
        assert again is not None
        assert diff_contracts(_contract(path), again).empty


def _linear(floor: int, target: int, higher: bool = True) -> Payout:
    return Payout("linear", higher, Fraction(floor), Fraction(target), ())


def _steps(*steps: tuple[int, int], higher: bool = True) -> Payout:
    return Payout("steps", higher, None, None,
                  tuple((Fraction(s, 100), Fraction(t)) for s, t in steps))


@pytest.mark.parametrize(("old", "new", "effect"), [
    (_linear(50, 60), _linear(50, 60), None),
    (_linear(50, 60), _linear(50, 65), "stricter"),
    (_linear(50, 60), _linear(45, 60), "looser"),
    (_linear(50, 60), Payout("all_or_nothing", True, None, Fraction(60), ()), "stricter"),
    (_linear(12, 8, higher=False), _linear(12, 6, higher=False), "stricter"),
    (_steps((25, 62), (50, 65), (100, 70)), _steps((25, 62), (50, 66), (100, 70)), "stricter"),
    (_steps((50, 88), (100, 92)), _linear(85, 92), "neutral"),
    (_steps((100, 60)), Payout("all_or_nothing", True, None, Fraction(60), ()), None),
    (_linear(50, 60), _linear(55, 65), "stricter"),
    (_linear(50, 60), _linear(40, 70), "neutral"),
])
def test_payout_comparison(old: Payout, new: Payout, effect: str | None) -> None:
    assert compare_payouts(old, new) == effect
    if effect in {"stricter", "looser"}:
        assert compare_payouts(new, old) == ("looser" if effect == "stricter" else "stricter")


def test_linear_payout_values() -> None:
    curve = _linear(50, 60)
    assert curve.at(Fraction(55)) == Fraction(1, 2)
    assert curve.at(Fraction(60)) == 1 and curve.at(Fraction(50)) == 0
    lower = _linear(12, 8, higher=False)
    assert lower.at(Fraction(10)) == Fraction(1, 2) and lower.at(Fraction(7)) == 1
    assert Decimal(1) == 1  # keep Decimal import honest: thresholds are Decimals upstream


# ---- the command line ----------------------------------------------------------------------
def test_cli_text_exits_0_with_changes() -> None:
    old, new = _pair("amh")
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0
    assert result.stdout == (HERE / "golden" / "amh.txt").read_text(encoding="utf-8")


def test_cli_json_has_the_schema() -> None:
    old, new = _pair("older_people")
    result = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema"] == "obc-diff/1"
    assert Changes.model_validate(data) == _diff("older_people")


def test_cli_no_changes() -> None:
    path = ROOT / "contracts" / "msk" / "contract.obc"
    result = runner.invoke(app, ["diff", str(path), str(path), "--format", "markdown"])
    assert result.exit_code == 0
    assert "No changes." in result.stdout


def test_cli_bad_contract_exits_2_with_diagnostics(tmp_path: Path) -> None:
    bad = tmp_path / "bad.obc"
    bad.write_text('contract X "t" {\n  version "1"\n}\n', encoding="utf-8")
    good = ROOT / "contracts" / "msk" / "contract.obc"
    for args in ([str(bad), str(good)], [str(good), str(bad)]):
        result = runner.invoke(app, ["diff", *args])
        assert result.exit_code == 2
        assert "error[E008]" in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""


def test_cli_bad_format_exits_2() -> None:
    path = ROOT / "contracts" / "msk" / "contract.obc"
    result = runner.invoke(app, ["diff", str(path), str(path), "--format", "xml"])
    assert result.exit_code == 2
    assert "not one of text, markdown, json" in result.stderr


def test_terms_say_for_whom_a_change_is_stricter() -> None:
    """TERMS.md: a larger share or lower cap for a payer, a longer payment term, a higher
    per-day rate; each says whom it binds more."""
    case = HERE / "cases" / "care_leavers_lcf"
    old, new = (compile_file(case / n).contract for n in ("v1.0.obc", "v1.1.obc"))
    assert old is not None and new is not None
    found = {c.path: c for c in diff_contracts(old, new).changes}
    share = found["funding.DFE.share"]
    assert (share.effect, share.old, share.new) == ("neutral", "70%", "75%")
    assert share.why.startswith("stricter for DFE: a larger share")
    assert found["funding.BCC.share"].why.startswith("looser for BCC")
    cap = found["funding.DFE.cap"]
    assert cap.effect == "neutral" and cap.why.startswith("looser for DFE")
    term = found["obligation.COUNCIL.days"]
    assert term.effect == "stricter" and "looser for BCC" in term.why
    rate = found["obligation.CLAIM.penalty"]
    assert rate.effect == "stricter" and "per day late" in rate.why
    assert found["obligation.CLAIM.penalty cap"].effect == "stricter"  # the cap is gone
