"""The people closest to the person cap (text, markdown) are the most paid, then by person."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from obc_check.checker.report.claim_rows import PeopleRows, PersonPaid


@settings(max_examples=200, deadline=None)
@given(paid=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 9)), max_size=40),
       n=st.integers(0, 8))
def test_most_paid_are_the_first_n_by_paid_then_person(paid: list[tuple[int, int]],
                                                       n: int) -> None:
    """Many equal amounts (as at the cap): the ties are broken by person, never dropped."""
    rows = [PersonPaid(person=f"P{i:03d}", paid=Decimal(p * 50), claims=c)
            for i, (p, c) in enumerate(paid)]
    shuffled = rows[1::2] + rows[::2]
    expected = sorted(rows, key=lambda r: (-r.paid, r.person))[:n]
    assert PeopleRows.of(shuffled).most_paid(n) == expected
