"""The compiled contract model (pydantic v2, frozen, exact) and its periods."""

from obc_check.model.contract import (
    AllOrNothing,
    Baseline,
    Contract,
    Curve,
    Direction,
    FlowDownObligation,
    Gateway,
    Indicator,
    Linear,
    Member,
    Node,
    Obligation,
    Outcome,
    OutcomePayment,
    Party,
    Price,
    PromptPaymentObligation,
    RateCard,
    ReportObligation,
    RiskShare,
    Role,
    Schedule,
    Sector,
    SpendShareObligation,
    Step,
    Steps,
    Term,
    Unit,
)
from obc_check.model.periods import ContractYear, Period, add_months, contract_years, year_label

__all__ = [
    "AllOrNothing", "Baseline", "Contract", "ContractYear", "Curve", "Direction",
    "FlowDownObligation", "Gateway", "Indicator", "Linear", "Member", "Node", "Obligation",
    "Outcome", "OutcomePayment", "Party", "Period", "Price", "PromptPaymentObligation",
    "RateCard", "ReportObligation", "RiskShare", "Role", "Schedule", "Sector",
    "SpendShareObligation", "Step", "Steps", "Term", "Unit", "add_months", "contract_years",
    "year_label",
]
