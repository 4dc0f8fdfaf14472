"""What `obc-check compile` and `check --format json` print conforms to `obc-check schema`.

The JSON report is not dumped by pydantic in one piece: it is streamed, and prompt-payment
rows are built with vectorised string functions (``prompt_block``). These tests hold that
output, and every compiled contract, to the published JSON Schemas, and check that the
schemas are not so loose that they accept anything.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from obc_check.checker.check import check_bundle
from obc_check.dsl import compile_file
from obc_check.schemas import contract_schema, report_schema

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "contracts"
NAMES = ["amh", "msk", "older_people", "rough_sleeping", "sib_claims", "year_of_care"]
GOOD = sorted((ROOT / "tests" / "dsl" / "good").glob("*.obc"))


def _closed(node: Any) -> Any:
    """``node`` with every object schema closed: keys it does not list are refused.

    The published schemas leave objects open (readers should tolerate additions); for our own
    output a key the schema does not list is a misspelling or an undocumented field.
    """
    if isinstance(node, dict):
        out = {key: _closed(value) for key, value in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(value) for value in node]
    return node


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(_closed(schema))


def _errors(validator: jsonschema.Draft202012Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(doc)]


def _report(name: str, as_of: dt.date) -> Any:
    contract = compile_file(LIBRARY / name / "contract.obc").contract
    assert contract is not None
    report, diags = check_bundle(contract, LIBRARY / name / "data", as_of)
    assert report is not None, diags
    return json.loads(report.to_json())


@pytest.mark.parametrize("as_of", [dt.date(2016, 5, 1), dt.date(2018, 9, 30)])
@pytest.mark.parametrize("name", NAMES)
def test_library_reports_conform(name: str, as_of: dt.date) -> None:
    assert _errors(_validator(report_schema()), _report(name, as_of)) == []


@pytest.mark.parametrize("path", [LIBRARY / n / "contract.obc" for n in NAMES] + GOOD,
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_compiled_contracts_conform(path: Path) -> None:
    contract = compile_file(path).contract
    assert contract is not None
    doc = json.loads(contract.model_dump_json(by_alias=True))
    assert _errors(_validator(contract_schema()), doc) == []


def test_the_report_schema_refuses_wrong_reports() -> None:
    """A schema that accepted anything would make the tests above pass for nothing."""
    validator = _validator(report_schema())
    good = _report("amh", dt.date(2018, 9, 30))
    assert not _errors(validator, good)
    wrong = []
    bad = copy.deepcopy(good)
    bad["status"] = "fine"
    wrong.append(bad)
    bad = copy.deepcopy(good)
    bad["obligations"][0]["status"] = "late"
    wrong.append(bad)
    bad = copy.deepcopy(good)
    bad["totals"]["penalties"] = {"pounds": 1}
    wrong.append(bad)
    bad = copy.deepcopy(good)
    del bad["as_of"]
    wrong.append(bad)
    bad = copy.deepcopy(good)
    bad["obligations"][-1]["recieved_on"] = "2016-01-01"
    wrong.append(bad)
    for doc in wrong:
        assert _errors(validator, doc), doc.get("status")


def test_the_contract_schema_refuses_wrong_contracts() -> None:
    validator = _validator(contract_schema())
    contract = compile_file(LIBRARY / "amh" / "contract.obc").contract
    assert contract is not None
    good = json.loads(contract.model_dump_json(by_alias=True))
    bad = copy.deepcopy(good)
    bad["parties"] = "OH"
    assert _errors(validator, bad)
    bad = copy.deepcopy(good)
    del bad["id"]
    assert _errors(validator, bad)


def test_a_ledger_of_every_prompt_status_conforms(tmp_path: Path) -> None:
    """Paid in time, late, unpaid past due, not yet due, received after the as-of date."""
    data = tmp_path / "bundle"
    data.mkdir()
    for name in ("indicators.csv", "submissions.csv"):
        (data / name).write_bytes((LIBRARY / "amh" / "data" / name).read_bytes())
    (data / "payments.csv").write_text(
        "payer,payee,invoice,amount,received_on,paid_on,kind\n"
        "OH,MIND,A1,100.00,2018-01-02,2018-01-20,invoice\n"
        "OH,MIND,A2,100.5,2018-01-02,2018-03-20,invoice\n"
        "OH,RESP,A3,7,2018-01-02,,invoice\n"
        "OH,RESP,A4,7,2018-09-25,,\n"
        "OH,ELM,A5,7,2018-10-25,,invoice\n"
        "OH,ELM,S1,5000,,2018-04-20,outcome_share\n")
    contract = compile_file(LIBRARY / "amh" / "contract.obc").contract
    assert contract is not None
    report, diags = check_bundle(contract, data, dt.date(2018, 9, 30))
    assert report is not None, diags
    doc = json.loads(report.to_json())
    statuses = {row["status"] for row in doc["obligations"] if row["kind"] == "prompt_payment"}
    assert statuses == {"met", "breached", "not_due"}
    assert _errors(_validator(report_schema()), doc) == []


def test_the_report_schema_names_each_reason_a_claim_is_rejected() -> None:
    """RECORDS.md's reasons, and no other: a misspelt reason is refused like a status."""
    from typing import get_args

    from obc_check.checker.report.claim_rows import ClaimReason
    from obc_check.checker.rules.claims import REASONS

    assert get_args(ClaimReason) == REASONS
    validator = _validator(report_schema())
    good = _report("sib_claims", dt.date(2020, 10, 31))
    assert not _errors(validator, good)
    rejected = next(i for i, c in enumerate(good["rate_card"]["claims"])
                    if c["status"] == "rejected")
    bad = copy.deepcopy(good)
    bad["rate_card"]["claims"][rejected]["reason"] = "over_cap"
    assert _errors(validator, bad)
