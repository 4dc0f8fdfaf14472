"""The tables of a data bundle and their columns (LANGUAGE.md, Data; RECORDS.md).

One table of names, shared by every source (CSV, JSON, XLSX), so that a column is required,
optional or unknown in exactly the same way whatever the file format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from obc_check.model import Dataset


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table's columns in their documented order; ``defaults`` may be left out."""

    name: str
    columns: tuple[str, ...]
    defaults: tuple[str, ...] = ()
    open: bool = False
    """A dataset's table (RECORDS.md): other columns are allowed and ignored."""
    flags: frozenset[str] = frozenset()
    """A dataset's flag columns: a JSON ``true``/``false`` there is the flag it says."""

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have."""
        return tuple(c for c in self.columns if c not in self.defaults)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec("indicators", ("indicator", "period", "value", "numerator", "denominator")),
        TableSpec("submissions", ("obligation", "period", "submitted_on")),
        TableSpec("payments",
                  ("payer", "payee", "invoice", "amount", "received_on", "paid_on", "kind",
                   "period"),
                  defaults=("kind", "period")),
        TableSpec("spend", ("period", "actual_cost")),
        TableSpec("outcomes", ("price", "period", "count")),
        TableSpec("caseload", ("price", "period", "people")),
        # person-level rate cards (RECORDS.md): one row per outcome one person achieved,
        # and one row per person with the day they started
        TableSpec("claims", ("price", "person", "achieved_on")),
        TableSpec("participants", ("person", "started_on")),
    )
}
"""Table name → spec, in the order LANGUAGE.md lists them; then RECORDS.md's ``caseload``,
``claims`` and ``participants``."""



def table_specs(datasets: Iterable[Dataset]) -> dict[str, TableSpec]:
    """The bundle's tables and one open table per dataset, named after it (RECORDS.md)."""
    out = dict(TABLES)
    for ds in datasets:
        out[ds.id] = TableSpec(ds.id, tuple(dict.fromkeys(f.column for f in ds.fields)),
                               open=True,
                               flags=frozenset(f.column for f in ds.fields if f.type == "flag"))
    return out
