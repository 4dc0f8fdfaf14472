"""Properties of warnings over generated contracts (the fmt generator, tests/fmt/obcgen.py)."""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.dsl import compile_text
from obc_check.dsl.format import format_text
from tests.fmt.obcgen import Spec, contracts, render

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EVERY = "# obc: allow W001, W002, W003, W004, W005"


def _fmt(text: str) -> str:
    out = format_text(text).text
    assert out is not None
    return out


@SETTINGS
@given(contracts(), st.randoms(use_true_random=False))
def test_warnings_never_change_the_contract_and_the_head_line_allows_them_all(
        spec: Spec, rnd: random.Random) -> None:
    text = render(spec, rnd, comments=True)  # a random layout, with comments
    plain = compile_text(text)
    assert plain.contract is not None
    assert all(d.severity == "warning" and d.code.startswith("W") for d in plain.diagnostics)
    codes = [d.code for d in plain.diagnostics]
    canon = _fmt(text)
    assert [d.code for d in compile_text(canon).diagnostics] == codes  # fmt keeps them
    # On the contract's head line an allowance covers the whole file and changes nothing
    # else; fmt keeps it there.
    lines = canon.split("\n")
    at = next(i for i, ln in enumerate(lines) if re.match(r"contract\b", ln))
    lines[at] = lines[at].split("  #")[0] + "  " + EVERY
    allowed = "\n".join(lines)
    quiet = compile_text(allowed)
    assert quiet.diagnostics == []
    assert quiet.contract is not None
    assert quiet.contract.model_dump(mode="json") == plain.contract.model_dump(mode="json")
    assert compile_text(_fmt(allowed)).diagnostics == []
