"""JSON Schemas that ``obc-check schema`` prints: the compiled contract and the report."""

from __future__ import annotations

from typing import Any

from obc_check.checker.report.model import report_schema
from obc_check.model import Contract


def contract_schema() -> dict[str, Any]:
    """JSON Schema of ``obc-check compile`` output (serialisation mode: what is printed)."""
    schema = Contract.model_json_schema(mode="serialization", by_alias=True)
    schema["$id"] = "obc-contract/1"
    return schema


def all_schemas() -> dict[str, Any]:
    """Every schema, keyed by its id."""
    return {"obc-contract/1": contract_schema(), "obc-report/1": report_schema()}
