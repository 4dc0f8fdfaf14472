"""Properties of fmt over generated contracts: meaning, idempotence, comments, layout."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.dsl import compile_text
from obc_check.dsl.format import format_text
from tests.fmt.comments import comments_of
from tests.fmt.obcgen import Spec, contracts, render

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _fmt(text: str) -> str:
    result = format_text(text)
    assert result.text is not None, [d.message for d in result.diagnostics]
    return result.text


@SETTINGS
@given(contracts(), st.randoms(use_true_random=False))
def test_fmt_keeps_meaning_and_comments_and_is_idempotent(spec: Spec,
                                                          rnd: random.Random) -> None:
    text = render(spec, rnd, comments=True)
    before = compile_text(text)
    assert before.contract is not None, [d.message for d in before.diagnostics]
    out = _fmt(text)
    after = compile_text(out)
    assert after.contract is not None
    assert after.contract.model_dump(mode="json") == before.contract.model_dump(mode="json")
    assert _fmt(out) == out
    assert Counter(comments_of(out)) == Counter(comments_of(text))


@SETTINGS
@given(contracts(), st.randoms(use_true_random=False))
def test_layout_does_not_matter(spec: Spec, rnd: random.Random) -> None:
    """Without comments, any spacing and statement wrapping formats to the same text."""
    assert _fmt(render(spec, rnd)) == _fmt(render(spec))
