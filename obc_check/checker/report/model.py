"""The report of a check (schema ``obc-report/1``, CLI.md) as pydantic models.

Evaluation builds these; the formats (``checker/report/formats``) only read them, so text, JSON,
JUnit and markdown cannot disagree on a figure. Money is ``Decimal`` with two places and is
serialised as a string with exactly two decimals; achievements as strings with four; dates as
ISO strings. Fields that do not apply to a row are ``None`` and left out of the JSON, so that
each row carries only its identifying keys (``year``; ``indicator``; ``obligation`` with
``period`` or ``invoice``), which is how reports are compared.

Every row has a ``derivation``: the figures behind it in words, for ``--explain`` and reviews.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal, TextIO

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
)

from obc_check.checker.report.claim_rows import (
    ClaimJson,
    ClaimRow,
    ClaimRows,
    PeopleRows,
    PersonJson,
    PersonPaid,
)
from obc_check.checker.report.obligation_rows import ObligationRows
from obc_check.checker.report.rows import Money, ObligationRow

Ratio = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.4f}", return_type=str)]

IndicatorStatus = Literal["assessed", "missing", "insufficient"]
ReportStatus = Literal["breach", "incomplete", "compliant"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ContractInfo(_Row):
    """Which contract (and version) the report is about."""

    id: str
    title: str
    version: str


class IndicatorResult(_Row):
    """One paid indicator in one contract year."""

    indicator: str
    outcome: str
    unit: str | None = None
    status: IndicatorStatus
    value: str | None = Field(None, description="the year's value in the indicator's unit "
                              "(percent in points), rounded to 4 places for display")
    numerator: str | None = None
    denominator: str | None = Field(None, description="a proportion's D; for a measured mean, "
                                    "the number of records averaged")
    total: str | None = Field(None, description="a measured mean's exact sum (RECORDS.md)")
    count: str | None = Field(None, description="a measured count (RECORDS.md)")
    sources: list[str] = Field(default_factory=list,
                               description="the data periods behind the value")
    floor: str | None = None
    target: str | None = None
    curve: Literal["linear", "all_or_nothing", "steps"]
    allocation: Money = Field(description="pot × outcome weight × indicator weight "
                              "(shown to the penny; computed exactly)")
    achievement: Ratio = Field(description="share of the allocation earned, 4 places")
    earned: Money
    derivation: str
    achieved: str | None = Field(None, exclude=True, description=(
        "the achievement as the derivation writes it, where four places would read 0 or 1 "
        "and it is neither (0.99996): the text and Markdown tables show it; the JSON keeps "
        "CLI.md's four places"))


class GatewayResult(_Row):
    """One gateway in one contract year."""

    gateway: str
    indicator: str
    status: Literal["met", "not_met", "missing", "insufficient"] = Field(
        description="insufficient: a value was given, but on fewer cases than the indicator's "
                    "minimum denominator; missing and insufficient both withhold")
    unit: str | None = Field(None, description="the indicator's unit: value and threshold "
                             "are in it (percentage points for percent)")
    value: str | None = None
    comparison: Literal["at_least", "at_most"]
    threshold: str
    share: str = Field(description="share of the year's earned payment withheld if not met")
    withheld: Money
    derivation: str


class YearPayment(_Row):
    """The outcome payment of one ended contract year."""

    year: str
    at_risk: Money
    earned_before_gateways: Money
    gateway_withheld: Money
    earned: Money
    withheld: Money
    indicators: list[IndicatorResult]
    gateways: list[GatewayResult] = Field(default_factory=list)
    derivation: str


class RiskShareYear(_Row):
    """The gain or loss share of one ended contract year with actual cost data."""

    year: str
    budget: Money
    actual_cost: Money
    variance: Money = Field(description="budget − actual cost: positive is an underspend")
    result: Literal["gain", "loss", "nil"]
    members_part: Money = Field(description="the members' part before the split "
                                "(after the loss cap), shown to the penny")
    capped: bool
    member_loss_cap: Money | None = None
    members: dict[str, Money] = Field(description="each member's amount; losses negative")
    derivation: str


class RateCardLine(_Row):
    """One price in one period: counted outcomes and what is payable for them."""

    period: str
    price: str
    count: int
    counted: int = Field(description="outcomes counted after the price's `at most` cap")
    amount: Money = Field(description="payable after the price cap and the total cap")
    derivation: str


class RateCardYear(_Row):
    """Rate-card payments of one contract year (periods ended by the as-of date)."""

    year: str
    payable: Money
    derivation: str


def _claim_rows(value: Any) -> ClaimRows:
    return value if isinstance(value, ClaimRows) else ClaimRows.of(
        [v if isinstance(v, ClaimRow) else ClaimRow.model_validate(v) for v in value])


def _people_rows(value: Any) -> PeopleRows:
    return value if isinstance(value, PeopleRows) else PeopleRows.of(
        [v if isinstance(v, PersonPaid) else PersonPaid.model_validate(v) for v in value])


if TYPE_CHECKING:
    Claims = ClaimRows
    People = PeopleRows
else:
    Claims = Annotated[
        Any,
        PlainValidator(_claim_rows, json_schema_input_type=list[ClaimRow]),
        PlainSerializer(lambda rows: rows.json_rows(), return_type=list[ClaimJson]),
    ]
    """Claim rows, held as columns (``claim_rows``); the schema and the JSON are those of a
    list of :class:`ClaimRow`."""
    People = Annotated[
        Any,
        PlainValidator(_people_rows, json_schema_input_type=list[PersonPaid]),
        PlainSerializer(lambda rows: rows.json_rows(), return_type=list[PersonJson]),
    ]
    """What each person was paid, held as columns (``claim_rows``)."""


class RateCardResult(_Row):
    """The rate card over the term so far.

    Paid from outcome counts, it has ``lines`` (one per price and period); paid from claims
    (RECORDS.md), it has ``claims`` (every claim with its decision, in decision order) and
    ``people`` (one row per person with any claim, by person), and ``years`` lists only the
    years with a paid claim.
    """

    cap: Money
    person_cap: Money | None = None
    claim_months: int | None = None
    years: list[RateCardYear]
    total: Money
    lines: list[RateCardLine]
    claims: Claims | None = None
    people: People | None = None
    derivation: str


class CapitationMonth(_Row):
    """One begun month of a tier that has a caseload row: the people it pays for."""

    period: str
    people: int


class CapitationTierYear(_Row):
    """One capitation tier in one contract year (begun months only, RECORDS.md)."""

    price: str = Field(description="the tier's identifier")
    annual_price: Money = Field(description="the price per person per year")
    payable: Money = Field(description="Σ people × annual price / 12 over the begun months "
                           "with a row, exact, rounded half up to the penny once")
    months: int = Field(description="the begun months that had a caseload row for the tier")
    missing: list[str] = Field(default_factory=list,
                               description="begun months with no caseload row (pay nothing)")
    caseload: list[CapitationMonth] = Field(default_factory=list)
    derivation: str


class CapitationYear(_Row):
    """The capitation of one contract year with at least one begun month."""

    year: str
    begun: int = Field(description="months of the year begun on or before the as-of date")
    payable: Money = Field(description="the sum of the rounded tier payables")
    tiers: list[CapitationTierYear]
    derivation: str

    @property
    def complete(self) -> bool:
        """True when every begun month of every tier has a caseload row."""
        return not any(t.missing for t in self.tiers)

class FundingYear(_Row):
    """Who pays what of one year's payable (TERMS.md, ``funding``)."""

    year: str
    payable: Money = Field(description="earned outcome payment after gateways + rate card "
                           "payable + capitation payable of the year")
    payers: dict[str, Money] = Field(description="each payer's part, after the penny rule "
                                     "and the caps, in the order of the funding block")
    unfunded: Money = Field(description="what no payer can take once every cap is reached")
    derivation: str


def _obligation_rows(value: Any) -> ObligationRows:
    """Any sequence of rows (or parts) as :class:`ObligationRows`, the report's holder."""
    return value if isinstance(value, ObligationRows) else ObligationRows(value)


if TYPE_CHECKING:
    Obligations = ObligationRows
else:
    Obligations = Annotated[
        Any,
        PlainValidator(_obligation_rows, json_schema_input_type=list[ObligationRow]),
        PlainSerializer(list, return_type=list[ObligationRow]),
    ]
    """Obligation rows, held columnar where they are many (``obligation_rows``); the schema
    and the JSON are those of a list of :class:`ObligationRow`."""


class Totals(_Row):
    """Sums over the report, so that every format shows the same totals."""

    at_risk: Money | None = None
    earned: Money | None = None
    gateway_withheld: Money | None = None
    withheld: Money | None = None
    risk_share_members: Money | None = None
    rate_card_payable: Money | None = None
    capitation_payable: Money | None = None
    penalties: Money
    breaches: int
    incomplete_indicators: int
    capitation_missing_months: int = Field(
        default=0, description="begun tier-months with no caseload row")


class ByField(_Row):
    """Records a dataset's ``by`` field placed in no contract year."""

    unplaced: int = Field(description="records whose `by` date is missing")
    outside_term: int = Field(description="records whose `by` date falls outside the term")


class DatasetSummary(_Row):
    """One dataset of the bundle: the records read, and what each `by` field left out."""

    dataset: str
    records: int
    by: dict[str, ByField]


class Report(_Row):
    """The whole report of ``obc-check check``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    schema_: Literal["obc-report/1"] = Field("obc-report/1", alias="schema")
    contract: ContractInfo
    data: str = Field(description="the data bundle that was checked")
    as_of: dt.date
    status: ReportStatus
    outcome_payment: list[YearPayment] | None = None
    risk_share: list[RiskShareYear] | None = None
    risk_share_not_assessed: list[str] | None = Field(
        default=None, description="with `budget capitation`: ended years whose capitation "
        "misses a month, so they have no risk share (RECORDS.md)")
    rate_card: RateCardResult | None = None
    capitation: list[CapitationYear] | None = None
    funding: list[FundingYear] | None = None
    obligations: Obligations
    penalties: Money
    totals: Totals
    datasets: list[DatasetSummary] | None = Field(
        None, description="the datasets of records in the bundle (RECORDS.md)")

    def to_json(self) -> str:
        """The JSON report as one string (see :meth:`write_json`)."""
        buf = io.StringIO()
        self.write_json(buf)
        return buf.getvalue()

    def write_json(self, out: TextIO) -> None:
        """Write the JSON report: absent sections and fields that do not apply are left out.

        Streamed, so a report with a million invoice or claim rows never exists as one
        string: the sections are indented as usual and each obligation row, claim row and
        person row (``rate_card.claims``, ``rate_card.people``) takes one compact line.
        """
        head = self.model_dump(mode="json", by_alias=True, exclude_none=True,
                               exclude={"obligations": True,
                                        "rate_card": {"claims": True, "people": True}})
        writers: dict[str, Writer] = {
            "obligations": lambda sink, indent: _write_list(
                sink, self.obligations.json_chunks(), indent)}
        card = self.rate_card
        if card is not None:
            rows: dict[str, Writer] = {}
            for key, held in (("claims", card.claims), ("people", card.people)):
                if held is not None:
                    rows[key] = partial(_write_held, held)
            writers["rate_card"] = partial(_write_object, values=head["rate_card"],
                                           model=RateCardResult, writers=rows)
        _write_object(out, "", values=head, model=type(self), writers=writers)
        out.write("\n")

    def to_jsonable(self) -> dict[str, Any]:
        """The JSON report as Python data (what :meth:`to_json` prints)."""
        return dict(json.loads(self.to_json()))


Writer = Callable[[TextIO, str], None]
"""Writes one value of the JSON report at an indent (the indent of its key)."""


def _write_object(out: TextIO, indent: str, *, values: dict[str, Any],
                  model: type[BaseModel], writers: Mapping[str, Writer]) -> None:
    """A JSON object at ``indent``, its keys in the model's field order.

    ``values`` holds the dumped fields, written as ``json.dumps(indent=2)`` would; a key of
    ``writers`` is written by its writer instead (a streamed list of rows, or an object that
    holds one).
    """
    inner = indent + "  "
    out.write("{")
    first = True
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in values and key not in writers:
            continue
        out.write("\n" if first else ",\n")
        first = False
        out.write(f"{inner}{json.dumps(key)}: ")
        if key in writers:
            writers[key](out, inner)
        else:
            out.write(json.dumps(values[key], indent=2, ensure_ascii=False)
                      .replace("\n", "\n" + inner))
    out.write(f"\n{indent}}}")


def _write_list(out: TextIO, chunks: Iterator[str | list[str]], indent: str) -> None:
    """A list of rows, one compact line each, written chunk by chunk as they are made.

    A chunk is its lines joined by comma, newline, or a list of lines; each line starts
    with the rows' indent (two more than ``indent``).
    """
    first = True
    for chunk in chunks:
        out.write("[\n" if first else ",\n")
        first = False
        out.write(chunk if isinstance(chunk, str) else ",\n".join(chunk))
    out.write("[]" if first else f"\n{indent}]")


def _write_held(rows: ClaimRows | PeopleRows, out: TextIO, indent: str) -> None:
    """Claim or person rows held as columns, as a streamed list."""
    _write_list(out, iter(rows.json_chunks(indent + "  ")), indent)


def report_schema() -> dict[str, Any]:
    """JSON Schema of the JSON report (serialisation mode: what is printed)."""
    schema = Report.model_json_schema(mode="serialization", by_alias=True)
    schema["$id"] = "obc-report/1"
    return schema
