"""docs/diagnostics.md is generated from ``diagnostics.CODES``: the table lives in one place.

The example message of each language code is taken from the first bad case that shows it, so
the docs quote what obc-check really says. Regenerate with ``pytest --update-goldens``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from obc_check.checker.data.load import load_bundle
from obc_check.diagnostics import CODES
from obc_check.dsl import compile_file, read_source

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DOC = ROOT / "docs" / "diagnostics.md"

HEADER = """\
# Diagnostic codes

Generated from `obc_check/diagnostics.py` (`CODES`) by `tests/dsl/test_docs.py`; do not edit
by hand. Run `.venv/bin/pytest tests/dsl/test_docs.py --update-goldens` after changing a code.

Every diagnostic names the file, line and column, shows the source line with a caret, and
ends with a hint. `E` codes are about a contract file (`obc-check validate`, `compile` and
every command that reads a contract); `D` codes are about a data bundle (`obc-check check`).
`W` codes are warnings: the contract or data is valid but almost certainly not what was
meant. `validate` and `check` show them and still exit 0; with `--strict` they exit 2. A
comment `# obc: allow W0NN` on the warning's line, or on the head line of a block that holds
it, silences that warning there (W006 and W007 have no contract line: fix the data or pass
`--as-of`).
Each code is stable: it keeps its meaning even when the wording of a message improves.
The examples come from the test cases in `tests/dsl/bad/` and `tests/dsl/warn/`.

| code | meaning | example message |
|---|---|---|
"""


def _examples() -> dict[str, str]:
    found: dict[str, str] = {}
    cases = sorted((HERE / "bad").glob("*.obc")) + sorted((HERE / "warn").glob("*.obc"))
    for path in cases:
        for d in compile_file(path).diagnostics:
            found.setdefault(d.code, d.message)
    _, missing = read_source(Path("contracts/missing.obc"))
    if missing is not None:
        found.setdefault(missing.code, missing.message)
    found.setdefault("E099", "internal error while compiling: ValidationError")
    # The data warning, as the bad bundle of tests/checker shows it; W007 (no contract line).
    amh = compile_file(ROOT / "contracts" / "amh" / "contract.obc").contract
    assert amh is not None
    _, diags = load_bundle(ROOT / "tests" / "checker" / "bundles" /
                           "amh-w006-fractions-for-points" / "data", amh)
    for d in diags:
        found.setdefault(d.code, d.message)
    found.setdefault("W007", "no --as-of in CI: assessed as of today, 2026-12-01, so the "
                             "result changes with the day the job runs")
    found.setdefault("E084", _negative_cap_message())
    return found


def _negative_cap_message() -> str:
    """E084's message: the grammar cannot write a negative amount, so a model built in Python
    (as a library user may) is given one, and the check's own message is quoted."""
    from obc_check.dsl.checks import funding_payers

    contract = compile_file(HERE / "bad" / "e083_funding_shares.obc").contract
    assert contract is None
    good = compile_file(ROOT / "contracts" / "care_leavers_lcf" / "contract.obc").contract
    assert good is not None and good.funding is not None
    payers = (good.funding.payers[0].model_copy(update={"cap": -1}), *good.funding.payers[1:])
    bad = good.model_copy(update={"funding": good.funding.model_copy(update={"payers": payers})})
    return next(d.message for d in funding_payers(bad, frozenset()) if d.code == "E084")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def diagnostics_markdown() -> str:
    examples = _examples()
    rows = [f"| {code} | {_cell(meaning)} | {_cell(examples.get(code, ''))} |"
            for code, meaning in sorted(CODES.items(), key=lambda kv: (kv[0][0] != "E", kv[0]))]
    return HEADER + "\n".join(rows) + "\n"


def test_diagnostics_doc_is_generated_from_codes(golden: Callable[[Path, str], None]) -> None:
    golden(DOC, diagnostics_markdown())


def test_every_code_is_documented_with_an_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    examples = _examples()
    for code in CODES:
        assert f"| {code} |" in text
        if code.startswith("E") or code.startswith("W"):
            assert examples.get(code), f"{code} has no example message"


def test_the_roles_guide_examples_compile_and_its_duty_table_matches_the_checks() -> None:
    """docs/roles.md: each example party compiles; its table says what E020 allows."""
    from obc_check.dsl import compile_text
    from obc_check.dsl.checks import _ROLES

    guide = (ROOT / "docs" / "roles.md").read_text(encoding="utf-8")
    parties = [ln for ln in guide.splitlines() if ln.startswith("party ")]
    assert len(parties) == 4
    text = ('contract R "roles" {\n  version "1"\n  currency GBP\n'
            '  term 2020-04-01 to 2021-03-31\n  party CCG "CCG" role commissioner sector nhs\n'
            + "".join(f"  {p}\n" for p in parties) + "}\n")
    # a co-funding trust is a second commissioner: who pays what is for the main agreement
    # unless a funding block says it (TERMS.md, W020)
    assert [d.code for d in compile_text(text, "roles.obc").diagnostics] == ["W020"]
    words = {"report": "report", "pay a share of the annual value": "spend share",
             "pay subcontractor invoices": "prompt payment",
             "pass on outcome payments to subcontractors": "flow-down"}
    for role in ("lead_provider", "prime_contractor", "subcontractor", "alliance_member"):
        allowed = [words[what] for what, roles in _ROLES.values() if role in roles]
        row = next(ln for ln in guide.splitlines() if ln.startswith(f"| `{role}` |"))
        assert row.split("|")[2].strip().removesuffix(" only") == ", ".join(allowed), role
