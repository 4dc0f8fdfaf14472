"""The result of ``obc-check diff``: a list of changes in contract terms (schema ``obc-diff/1``).

The JSON form is for tools (a CI bot commenting on a pull request); it is a stable schema:
fields are only ever added. Values are strings as a reader would write them (``65%``,
``£1,000``), because a change is read by people first and the compiled contracts carry the
exact numbers for anyone who needs them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Effect = Literal["stricter", "looser", "neutral"]
Kind = Literal["added", "removed", "changed"]
Section = Literal["contract", "parties", "money", "outcomes", "datasets", "gateways",
                  "risk_share", "rate_card", "capitation", "funding", "obligations"]

SECTION_TITLES: dict[str, str] = {
    "contract": "Contract",
    "parties": "Parties",
    "money": "Money",
    "outcomes": "Outcomes and indicators",
    "datasets": "Datasets",
    "gateways": "Gateways",
    "risk_share": "Risk share",
    "rate_card": "Rate card",
    "capitation": "Capitation",
    "funding": "Funding",
    "obligations": "Obligations",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Change(_Frozen):
    """One difference between the two contracts, and what it means for the provider."""

    section: Section
    path: str = Field(description="stable address of the field, e.g. indicator.EIP14.target")
    subject: str = Field(description="what changed, as a reader names it: `indicator EIP14`")
    field: str = Field(description="the setting that changed, e.g. `target`; empty for a "
                       "whole item added or removed")
    year: int | None = Field(default=None, description="the contract year, for schedules")
    year_label: str | None = None
    kind: Kind
    old: str | None = None
    new: str | None = None
    effect: Effect = Field(description="for the provider: stricter, looser or neutral")
    why: str = Field(description="the rule that decided the effect (docs/diff.md)")
    breaks_data: bool = Field(
        default=False, description="data rows naming the old identifier no longer load: a "
        "party, indicator, obligation or price renamed or removed")


class PotYear(_Frozen):
    """The maximum outcome payment (the pot) of one contract year, before and after."""

    year: int
    year_label: str
    old: str | None = Field(description="pounds with two decimals; null if none")
    new: str | None
    change: str = Field(description="new − old in pounds with two decimals, signed")
    effect: Effect


class ContractRef(_Frozen):
    """Which contract: its ID, title and version."""

    id: str
    title: str
    version: str


class Summary(_Frozen):
    """How many changes of each effect."""

    stricter: int
    looser: int
    neutral: int
    breaks_data: int = Field(default=0, description="changes that break existing data")


class Changes(_Frozen):
    """Everything that changed between two versions of a contract."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    schema_: Literal["obc-diff/1"] = Field(default="obc-diff/1", alias="schema")
    old: ContractRef
    new: ContractRef
    summary: Summary
    changes: tuple[Change, ...]
    pot: tuple[PotYear, ...] = Field(description="per contract year, when either contract "
                                     "has an outcome_payment")

    @property
    def empty(self) -> bool:
        """True when the contracts mean the same."""
        return not self.changes
