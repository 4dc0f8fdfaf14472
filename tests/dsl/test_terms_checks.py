"""TERMS.md's static checks that no .obc file can show, and the compiled forms of its terms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from obc_check.dsl import compile_file, compile_text
from obc_check.dsl.checks import funding_payers, penalty_forms
from obc_check.model import (
    FlowDownObligation,
    PayoutObligation,
    ReportObligation,
    SpendShareObligation,
)

ROOT = Path(__file__).resolve().parents[2]


def test_a_cap_below_zero_is_e084_in_funding_and_in_penalties() -> None:
    c = compile_file(ROOT / "contracts" / "care_leavers_lcf" / "contract.obc").contract
    assert c is not None and c.funding is not None
    payers = (c.funding.payers[0].model_copy(update={"cap": Decimal(-1)}),
              *c.funding.payers[1:])
    bad = c.model_copy(update={"funding": c.funding.model_copy(update={"payers": payers})})
    found = [d for d in funding_payers(bad, frozenset()) if d.code == "E084"]
    assert [d.message for d in found] == ["DFE's cap £-1 is below zero"]
    claim = next(o for o in c.obligations if isinstance(o, ReportObligation))
    capped = claim.model_copy(update={"penalty_cap": Decimal(-5)})
    bad = c.model_copy(update={"obligations": (capped,)})
    assert [d.code for d in penalty_forms(bad, frozenset())] == ["E084"]
    assert not list(funding_payers(c, frozenset())) and not list(penalty_forms(c, frozenset()))


def test_terms_compile_to_the_model() -> None:
    c = compile_file(ROOT / "contracts" / "msk_prime_terms" / "contract.obc").contract
    assert c is not None
    sdm = c.indicator("SDM")
    assert sdm is not None and sdm.rounding == 1
    knee = c.indicator("PROMS_KNEE")
    assert knee is not None and knee.rounding is None
    payout = next(o for o in c.obligations if isinstance(o, PayoutObligation))
    assert (payout.party, payout.days) == ("BCCG", 30)
    by_id = {o.id: o for o in c.obligations}
    flow, share = by_id["FLOWARC"], by_id["PHYSIO_SHARE"]
    assert isinstance(flow, FlowDownObligation) and flow.to == "ARC"
    assert isinstance(share, SpendShareObligation) and share.to == "PHYSIO"
    assert share.sector is None
    clf = compile_file(ROOT / "contracts" / "care_leavers_lcf" / "contract.obc").contract
    assert clf is not None and clf.funding is not None
    assert [(p.party, p.share, p.cap) for p in clf.funding.payers] == [
        ("DFE", Decimal("0.7"), Decimal(1250000)), ("BCC", Decimal("0.3"), None)]
    claim = next(o for o in clf.obligations if o.id == "CLAIM")
    assert (claim.penalty, claim.penalty_basis, claim.penalty_cap) == (
        Decimal(50), "per_day_late", Decimal(500))


def test_zero_and_six_places_are_accepted_seven_is_not() -> None:
    base = '''contract X "x" {
  version "1" currency GBP term 2015-04-01 to 2016-03-31
  party C "C" role commissioner sector nhs
  indicator I "i" { unit score value rounded to %s }
}'''
    assert compile_text(base % "0 decimal places").ok
    assert compile_text(base % "6 decimal places").ok
    assert compile_text(base % "1 decimal place").ok
    bad = compile_text(base % "7 decimal places")
    assert [d.code for d in bad.diagnostics] == ["E080"]
