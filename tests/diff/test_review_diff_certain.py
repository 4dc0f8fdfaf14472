"""Review of #11's diff verdicts: "stricter"/"looser" only where certain (docs/diff.md).

A numerator or count condition that only adds a requirement counts fewer records *of the same
records, read the same way, judged by the same direction*. Where the indicator's direction,
a field's column or type, or the person field changes beside it, fewer is no longer certain
(or no longer means the same for the provider), so the verdict must be "neutral".
"""

from __future__ import annotations

from obc_check.diff import Changes, diff_contracts
from obc_check.dsl import compile_text
from obc_check.model import Contract
from tests.diff.test_diff_records import BASE, DEFAULTS, changes, contract, effects


def _effect(ch: Changes, path: str) -> str:
    found = [e for p, e, _, _ in effects(ch) if p == path]
    assert len(found) == 1, effects(ch)
    return found[0]


def _new(swap: tuple[str, str], **parts: str) -> Contract:
    """The base contract with one line of its dataset changed, and its parts."""
    text = BASE.replace(*swap)
    for key, value in {**DEFAULTS, **parts}.items():
        text = text.replace(key, value)
    result = compile_text(text)
    assert result.contract is not None, result.diagnostics
    return result.contract


def test_a_narrowed_numerator_beside_a_direction_turned_round_is_not_judged() -> None:
    ch = changes(DIRECTION="lower", FLOOR="60%", TARGET="50%",
                 NUMERATOR="urgent and age >= 18")
    # the value can only fall, but the old contract rewarded a high value and the new a low:
    # 'looser' (by the new direction alone) would mislead
    assert _effect(ch, "indicator.X.measure.numerator") == "neutral"


def test_a_narrowed_numerator_over_a_field_read_from_another_column_is_not_judged() -> None:
    ch = diff_contracts(contract(), _new(("field urgent flag", 'field urgent flag from "Urgent"'),
                                         NUMERATOR="urgent and age >= 18"))
    # 'urgent' is now another column of the extract: fewer records is not certain
    assert _effect(ch, "indicator.X.measure.numerator") == "neutral"


def test_a_narrowed_count_of_people_identified_by_another_field_is_not_judged() -> None:
    ch = diff_contracts(contract(COUNTING="counting people"),
                        _new(("person who", "person rid"), COUNTING="counting people",
                             WHERE="urgent and age >= 18"))
    # distinct records (rid) meeting more requirements can outnumber distinct people (who)
    assert _effect(ch, "indicator.N.measure.where") == "neutral"


def test_the_plain_narrowed_numerator_is_still_judged() -> None:
    assert _effect(changes(NUMERATOR="urgent and age >= 18"),
                   "indicator.X.measure.numerator") == "stricter"
    assert _effect(changes(WHERE="urgent and age >= 18"),
                   "indicator.N.measure.where") == "stricter"
