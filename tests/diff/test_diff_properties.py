"""Properties of diff over generated contracts: empty for the same contract, exact for one
changed field, and symmetric (reversing a diff swaps stricter and looser)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.diff import Changes, diff_contracts
from obc_check.dsl import compile_text
from obc_check.model import Contract
from tests.fmt.obcgen import MUTATIONS, Spec, contracts, mutate, render

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SWAP = {"stricter": "looser", "looser": "stricter", "neutral": "neutral"}


def _compile(text: str) -> Contract:
    result = compile_text(text)
    assert result.contract is not None, [d.message for d in result.diagnostics]
    return result.contract


@SETTINGS
@given(contracts(), st.randoms(use_true_random=False))
def test_same_contract_any_layout_no_changes(spec: Spec, rnd: random.Random) -> None:
    ch = diff_contracts(_compile(render(spec)), _compile(render(spec, rnd, comments=True)))
    assert ch.empty, [c.path for c in ch.changes]


def _paths(ch: Changes) -> set[str]:
    return {c.path for c in ch.changes}


@pytest.mark.parametrize("which", range(len(MUTATIONS)), ids=[m.__name__ for m in MUTATIONS])
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=contracts(), rnd=st.randoms(use_true_random=False))
def test_one_changed_field_is_named_exactly(spec: Spec, which: int, rnd: random.Random) -> None:
    changed, expected = mutate(spec, which, rnd)
    if expected is None:  # the mutation does not apply to this contract
        return
    old, new = _compile(render(spec)), _compile(render(changed))
    ch = diff_contracts(old, new)
    assert _paths(ch) == expected
    back = diff_contracts(new, old)
    assert _paths(back) == expected
    forward = sorted((c.path, c.year or 0, c.effect) for c in ch.changes)
    backward = sorted((c.path, c.year or 0, SWAP[c.effect]) for c in back.changes)
    assert forward == backward
    assert ch.summary.stricter == back.summary.looser
