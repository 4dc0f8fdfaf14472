"""The compiled contract: frozen pydantic objects, exact numbers, a span on every node.

Conventions, so that every consumer reads numbers the same way:
- money is ``Decimal`` pounds (``45000000``), never float;
- a share written with ``%`` (weights, pot shares, penalties' shares, step shares, obligation
  shares) is a ``Decimal`` fraction: ``15%`` is ``0.15``;
- an indicator's thresholds (floor, target, steps, gateway levels, baseline) are in the
  indicator's unit: a ``percent`` indicator's ``85%`` is ``85`` percentage points, matching
  how the data gives its ``value``;
- per-year schedules are resolved to one value per contract year, year 1 first.

The span of each node is kept for diagnostics and left out of ``compile`` output and of the
JSON Schema: it says where the text was, not what the contract means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from obc_check.diagnostics import Span
from obc_check.model.node import Node
from obc_check.model.periods import ContractYear
from obc_check.model.records import Dataset, Measure

Role = Literal["commissioner", "lead_provider", "prime_contractor", "subcontractor",
               "alliance_member"]
Sector = Literal["nhs", "voluntary", "private", "local_authority", "central_government",
                 "philanthropic"]
Unit = Literal["percent", "ratio", "score", "rate", "count", "days"]
Direction = Literal["higher", "lower"]


class Schedule(Node):
    """A quantity that may change by year, resolved to one value per contract year."""

    values: tuple[Decimal, ...]
    uniform: bool = Field(description="written as one value for every year")
    spans: SkipJsonSchema[tuple[Span | None, ...] | None] = Field(
        default=None, exclude=True, repr=False)
    """Where each year's value is written (a per-year list only), for diagnostics."""

    def for_year(self, number: int) -> Decimal:
        """The value in contract year ``number`` (1-based)."""
        return self.values[number - 1]


class Party(Node):
    """A party to the contract with its role and sector."""

    id: str
    name: str
    role: Role
    sector: Sector


class Term(Node):
    """The contract term and its contract years."""

    start: dt.date
    end: dt.date
    years: tuple[ContractYear, ...]


class OutcomePayment(Node):
    """The at-risk pot: a share of the annual value, or sums of money, per year."""

    basis: Literal["share_of_annual_value", "amount"]
    schedule: Schedule
    pot: tuple[Decimal, ...] = Field(description="the pot in pounds, one per contract year")


class Linear(Node):
    """Pays in proportion between floor and target."""

    kind: Literal["linear"] = "linear"


class AllOrNothing(Node):
    """Pays in full when the target is met, else nothing."""

    kind: Literal["all_or_nothing"] = "all_or_nothing"


class Step(Node):
    """``share`` of the allocation is earned once the value meets ``threshold``."""

    share: Decimal
    threshold: Decimal


class Steps(Node):
    """Pays the largest step share whose threshold the value meets."""

    kind: Literal["steps"] = "steps"
    steps: tuple[Step, ...]


Curve = Annotated[Linear | AllOrNothing | Steps, Field(discriminator="kind")]


class Baseline(Node):
    """An informative starting value, shown in rendered text."""

    value: Decimal
    period: str


class Indicator(Node):
    """A measured indicator; paid when it stands in an outcome."""

    id: str
    title: str
    outcome: str | None = Field(description="the outcome it is paid under, or None if unpaid")
    declared_weight: Decimal | None = Field(description="the weight as written, if any")
    weight: Fraction | None = Field(
        description="its share of the outcome, resolved (equal shares may be thirds)")
    unit: Unit | None
    direction: Direction | None
    baseline: Baseline | None = None
    floor: Schedule | None = None
    target: Schedule | None = None
    curve: Curve = Field(default_factory=Linear)
    curve_declared: bool = Field(default=False, description="`pays` was written")
    minimum_denominator: int | None = None
    if_missing_pay: Decimal = Decimal(0)
    if_missing_declared: bool = False
    rounding: int | None = Field(
        default=None, description="decimal places the year's value is rounded to, half up, "
        "before it is judged (TERMS.md); None: not rounded")
    measure: Measure | None = Field(
        default=None, description="the value is computed from a dataset's records")
    text: tuple[str, ...] = ()

    @property
    def paid(self) -> bool:
        """True when the indicator earns part of the outcome payment."""
        return self.outcome is not None


class Outcome(Node):
    """A paid outcome: a weight of the pot and its indicators."""

    id: str
    title: str
    weight: Decimal
    indicators: tuple[Indicator, ...]
    text: tuple[str, ...] = ()


class Gateway(Node):
    """Withholds a share of the year's earned payment unless an indicator meets a level."""

    id: str
    title: str
    indicator: str
    comparison: Literal["at_least", "at_most"]
    threshold: Decimal
    withhold: Decimal
    text: tuple[str, ...] = ()


class Member(Node):
    """An alliance member's share of the members' part of a gain or loss."""

    party: str
    share: Decimal


class RiskShare(Node):
    """Gain/loss share against a budget (alliance contracts).

    The budget is a sum per year (``budget``), or each year's capitation payable
    (``budget capitation``, RECORDS.md): then ``budget`` is None and ``budget_basis`` is
    ``"capitation"``, since the sums are known only from the caseload.
    """

    budget: Schedule | None
    budget_basis: Literal["amount", "capitation"] = Field(
        default="amount", description="`amount`: the budget schedule; `capitation`: each "
        "year's capitation payable")
    commissioner_share: Decimal
    members: tuple[Member, ...]
    member_loss_cap: Schedule | None = None
    text: tuple[str, ...] = ()
    budget_span: SkipJsonSchema[Span | None] = Field(default=None, exclude=True, repr=False)
    """Where the budget line is written, for diagnostics about it."""


class Price(Node):
    """A price paid per outcome achieved, optionally capped in count over the term.

    ``once_per_person`` (RECORDS.md): a person is paid for this price at most once.
    """

    id: str
    title: str
    amount: Decimal
    per: str
    at_most: int | None = None
    once_per_person: bool = False


class RateCard(Node):
    """Payment by results: prices and a cap on total payment over the term.

    The person-level rules (RECORDS.md): ``person_cap`` is the most paid for one person over
    the term; ``claim_months`` the claim window, in months from the person's start. A card
    with any of them (or a price ``once per person``) is paid from the ``claims`` table.
    """

    MAX_CAP: ClassVar[Decimal] = Decimal(10) ** 16
    """The greatest term cap of a card paid from claims (E063, D062): £10^16 is 10^18
    pence, so the term cap and every amount clipped to it (a price above it counts as the
    cap + 1p) fit the 64-bit integers the claims' rules and report count in
    (checker/rules/claims.py). Outcome counts are paid in Decimals, with no bound."""

    cap: Decimal
    prices: tuple[Price, ...]
    person_cap: Decimal | None = None
    claim_months: int | None = None
    text: tuple[str, ...] = ()

    @property
    def person_level(self) -> bool:
        """True when a rule needs person-level claims (RECORDS.md, Person-level rate cards)."""
        return (self.person_cap is not None or self.claim_months is not None
                or any(p.once_per_person for p in self.prices))


class CapitationTier(Node):
    """One tier of the year-of-care tariff: a price per person per year."""

    id: str
    title: str
    annual_price: Decimal = Field(description="pounds per person per year; a month earns "
                                  "one twelfth of it per person on the caseload")


class Capitation(Node):
    """The year-of-care tariff (RECORDS.md): tiers paid monthly on the caseload."""

    tiers: tuple[CapitationTier, ...]
    text: tuple[str, ...] = ()

    def tier(self, ident: str) -> CapitationTier | None:
        """The tier called ``ident``, if any."""
        return next((t for t in self.tiers if t.id == ident), None)


class FundingShare(Node):
    """One payer's share of each year's payable, and its optional cap over the term."""

    party: str
    share: Decimal
    cap: Decimal | None = Field(default=None, description="pounds over the term, if capped")


class Funding(Node):
    """Who pays what (TERMS.md): shares adding up to 100%, split in time order."""

    payers: tuple[FundingShare, ...]
    text: tuple[str, ...] = ()

    def payer(self, ident: str) -> FundingShare | None:
        """The share of ``ident``, if it is a payer."""
        return next((p for p in self.payers if p.party == ident), None)


PenaltyBasis = Literal["per_breach", "per_day_late"]


class _Obligation(Node):
    id: str
    title: str
    party: str
    penalty: Decimal | None = Field(
        default=None, description="pounds per breach, or per day late (penalty_basis)")
    penalty_basis: PenaltyBasis = "per_breach"
    penalty_cap: Decimal | None = Field(
        default=None, description="the most the penalties of one contract year add up to")
    penalty_span: SkipJsonSchema[Span | None] = Field(default=None, exclude=True, repr=False)
    """Where the ``penalty`` line is written, for the diagnostics about it (E088, E084)."""
    text: tuple[str, ...] = ()


class ReportObligation(_Obligation):
    """Report within N working days after each period."""

    kind: Literal["report"] = "report"
    working_days: int
    each: Literal["quarter", "month", "year"]


class SpendShareObligation(_Obligation):
    """Pay at least a share of the annual value to parties of a sector each year."""

    kind: Literal["spend_share"] = "spend_share"
    share: Decimal
    sector: Sector | None = Field(description="the sector paid, or None for a named party")
    to: str | None = Field(default=None, description="the one party paid (TERMS.md)")
    to_span: SkipJsonSchema[Span | None] = Field(default=None, exclude=True, repr=False)


class PromptPaymentObligation(_Obligation):
    """Pay subcontractor invoices within N calendar days of receipt."""

    kind: Literal["prompt_payment"] = "prompt_payment"
    days: int


class FlowDownObligation(_Obligation):
    """Pass on a share of the earned outcome payment within N days of year end."""

    kind: Literal["flow_down"] = "flow_down"
    share: Decimal
    days: int
    to: str | None = Field(default=None, description="the one subcontractor paid (TERMS.md); "
                           "None: every subcontractor")
    to_span: SkipJsonSchema[Span | None] = Field(default=None, exclude=True, repr=False)


class PayoutObligation(_Obligation):
    """A commissioner pays its share of each year's payable within N days of year end."""

    kind: Literal["payout"] = "payout"
    days: int


Obligation = Annotated[
    ReportObligation | SpendShareObligation | PromptPaymentObligation | FlowDownObligation
    | PayoutObligation,
    Field(discriminator="kind"),
]


class Contract(Node):
    """One compiled outcomes-based contract."""

    schema_: Literal["obc-contract/1"] = Field(default="obc-contract/1", alias="schema")
    id: str
    title: str
    version: str
    agreement: str | None = Field(
        default=None, description="the main agreement this schedule belongs to, if named")
    currency: Literal["GBP"] = "GBP"
    term: Term
    parties: tuple[Party, ...]
    annual_value: Schedule | None = None
    outcome_payment: OutcomePayment | None = None
    risk_share: RiskShare | None = None
    rate_card: RateCard | None = None
    capitation: Capitation | None = None
    funding: Funding | None = None
    text: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    indicators: tuple[Indicator, ...] = Field(
        default=(), description="indicators outside outcomes: measured, not paid")
    gateways: tuple[Gateway, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    datasets: tuple[Dataset, ...] = ()

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def all_indicators(self) -> Iterator[Indicator]:
        """Paid indicators in outcome order, then the unpaid ones."""
        for outcome in self.outcomes:
            yield from outcome.indicators
        yield from self.indicators

    def paid_indicators(self) -> Iterator[tuple[Outcome, Indicator]]:
        """Each paid indicator with its outcome, in declaration order."""
        for outcome in self.outcomes:
            for ind in outcome.indicators:
                yield outcome, ind

    def indicator(self, ident: str) -> Indicator | None:
        """The indicator called ``ident``, if any."""
        return next((i for i in self.all_indicators() if i.id == ident), None)

    def dataset(self, ident: str) -> Dataset | None:
        """The dataset called ``ident``, if any."""
        return next((d for d in self.datasets if d.id == ident), None)

    def party(self, ident: str) -> Party | None:
        """The party called ``ident``, if any."""
        return next((p for p in self.parties if p.id == ident), None)

    def year(self, number: int) -> ContractYear:
        """Contract year ``number`` (1-based)."""
        return self.term.years[number - 1]
