"""``Span.trusted`` (the compiler's fast path) makes exactly what validation would."""

from __future__ import annotations

import pickle

from obc_check.diagnostics import Span


def test_trusted_span_equals_validated_span() -> None:
    fast = Span.trusted("a.obc", 3, 7, 3, 12)
    slow = Span(file="a.obc", line=3, column=7, end_line=3, end_column=12)
    assert fast == slow and hash(fast) == hash(slow)
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_fields_set == slow.model_fields_set
    assert repr(fast) == repr(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert fast.model_copy(update={"line": 4}).line == 4


def test_trusted_span_is_frozen() -> None:
    fast = Span.trusted("a.obc", 1, 1, 1, 2)
    try:
        fast.line = 2  # type: ignore[misc]
    except Exception as err:  # pydantic's ValidationError for a frozen instance
        assert "frozen" in str(err).lower()
    else:  # pragma: no cover - the assertion is the test
        raise AssertionError("a Span must be immutable")
