"""Datasets and measures in the Schedule (RECORDS.md): the definitions a lawyer reads.

The words themselves are ``model/wording.py``'s, which ``check --explain`` and ``diff`` use
too: one definition, one wording. Each sentence says what the checker computes, in the same
order of rules: a record counts in the Contract Year that contains its ``by`` date (none when
that date is missing or outside the Term); the Denominator, Numerator, mean or count is then
as ``rules/measured.py`` takes it. This module lays them out as clauses and tables.
"""

from __future__ import annotations

from obc_check.model import Contract, Indicator
from obc_check.model.wording import field_name as field_name
from obc_check.model.wording import measure_definition, placing_rule
from obc_check.model.wording import records_name as records_name
from obc_check.render.blocks import Block, Para, Table

_TYPE_WORDS = {"text": "text", "number": "number (exact decimal)", "date": "date",
               "flag": "true or false"}


def measure_words(c: Contract, ind: Indicator, ref: str) -> list[Block]:
    """The definition of a measured Indicator's Value, with its counts in words."""
    m = ind.measure
    assert m is not None
    ds = c.dataset(m.dataset)
    assert ds is not None
    return [Para(measure_definition(ind, m, ds, ref)), Para(placing_rule(m, ds))]


def minimum_rule(ind: Indicator, n: int) -> str:
    """The minimum denominator of a measured Indicator in words."""
    return (f"Where the Denominator for a Contract Year is below {n:,}, the Value for that "
            "Contract Year is insufficient.")


# ---- the Datasets clause ---------------------------------------------------------------------
def datasets_clause(c: Contract) -> list[Block]:
    """Each Dataset: what one record is, and its fields as a table."""
    blocks: list[Block] = [Para(
        "The Indicators with a Measure are computed from the following Datasets of records. "
        "A Dataset is provided as a table with one row per record and a column for each field "
        "below; other columns are ignored. An empty cell is a missing value.")]
    for ds in c.datasets:
        text = f"Dataset {ds.id} is “{ds.title}”."
        if ds.key:
            text += (f" Each record has its own {field_name(ds.key)}, which is never missing.")
        if ds.person:
            text += f" {field_name(ds.person)} identifies the person a record is about."
        blocks.append(Para(text))
        rows = tuple((field_name(f.name), f"“{f.column}”", _TYPE_WORDS[f.type])
                     for f in ds.fields)
        blocks.append(Table(f"Dataset {ds.id}: fields", ("Field", "Column", "Type"), rows))
        for t in ds.text:
            blocks.append(Para(" ".join(t.split())))
    return blocks
