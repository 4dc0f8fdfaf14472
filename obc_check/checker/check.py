"""``obc-check check`` as a library call: load a bundle, evaluate it, decide the exit status.

The CLI only parses options and prints; this module is what a Python user calls to check a
compiled contract against a data bundle.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from pathlib import Path

from obc_check.checker.data import load_bundle
from obc_check.checker.engine import measure_datasets
from obc_check.checker.engine.duck import TypedRecords
from obc_check.checker.engine.evidence import (
    check_names,
    prepare_folder,
    write_evidence,
    write_headers_only,
)
from obc_check.checker.report import Report
from obc_check.checker.rules import evaluate
from obc_check.diagnostics import Diagnostic, has_errors
from obc_check.model import Contract

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_as_of(text: str | None, today: dt.date | None = None) -> dt.date:
    """The ``--as-of`` date (ISO ``YYYY-MM-DD``), or today; ``ValueError`` says what is wrong."""
    if text is None:
        return today or dt.date.today()
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, "
                         f"e.g. 2018-09-30")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"--as-of {text!r} is not a real date ({err})") from None


def check_bundle(contract: Contract, data: Path, as_of: dt.date, evidence: Path | None = None,
                 ) -> tuple[Report | None, list[Diagnostic]]:
    """Load ``data`` against ``contract`` and evaluate it; no report if the data is invalid.

    With ``evidence`` (a folder), the engine also writes the audit trail of every measure
    (``engine/evidence.py``) once the data has no errors; a folder or file that cannot be
    written raises :class:`~obc_check.checker.engine.evidence.EvidenceError`.

    The cyclic garbage collector is paused meanwhile: loading and evaluating a big ledger
    create millions of long-lived, acyclic objects, and collections that find nothing to
    free would otherwise take as long as the work itself.
    """
    if evidence is not None:
        check_names(contract)
    paused = gc.isenabled()
    gc.disable()
    try:
        bundle, diags = load_bundle(data, contract)
        if bundle is None or has_errors(diags):
            return None, diags
        folder = evidence

        def write(records: TypedRecords) -> None:
            assert folder is not None
            prepare_folder(folder)
            write_evidence(records, contract.term.years, folder)

        measured, engine_diags = measure_datasets(
            contract, bundle.datasets, write if folder is not None else None)
        diags = diags + engine_diags
        if measured is None or has_errors(diags):
            return None, diags
        if folder is not None:
            prepare_folder(folder)
            write_headers_only(folder, contract,
                               [ds.id for ds in contract.datasets if ds.id not in measured])
        return evaluate(contract, bundle, as_of, measured), diags
    finally:
        if paused:
            gc.enable()


def exit_status(report: Report, strict: bool) -> int:
    """CLI.md: 1 when anything is breached, or with ``strict`` when incomplete; else 0."""
    if report.status == "breach" or (strict and report.status == "incomplete"):
        return 1
    return 0
