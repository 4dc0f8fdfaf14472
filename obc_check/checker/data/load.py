"""Load a data bundle (LANGUAGE.md, Data) into typed tables, validated against a contract.

``load_bundle`` is the one public entry point. A bundle is a folder of CSV files, one JSON
file or one ``.xlsx`` workbook (see ``source_csv``, ``source_json``, ``source_xlsx``);
every format is reduced to tables of cell text, which ``validate_rows`` types and checks
against the contract. A CSV payments table (the one that grows to millions of rows) is first
offered to ``columnar_csv``, which reads and checks it in bulk and hands it back only when it
is plainly valid; otherwise the row validator runs, so diagnostics never depend on the path.
Payments always end up columnar (a ``Ledger``). All problems of the bundle come back
together as diagnostics with stable D-codes, each naming file (and sheet), row and column;
the bundle is returned only when there are no errors, so evaluation never sees bad or
partial data.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from obc_check.checker.data import columnar_claims, columnar_csv, twocores, validate_rows
from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.cells import did_you_mean
from obc_check.checker.data.claim_checks import check_claims
from obc_check.checker.data.claims import (
    ClaimTable,
    ParticipantTable,
    claim_codes,
    starts_of,
    with_starts,
)
from obc_check.checker.data.columns import TableSpec, table_specs
from obc_check.checker.data.context import ContractIndex
from obc_check.checker.data.csv_file import CsvFile
from obc_check.checker.data.datasets import DatasetTable, ParquetTable, read_parquet
from obc_check.checker.data.ledger import Ledger
from obc_check.checker.data.problems import Problems
from obc_check.checker.data.source_csv import read_csv
from obc_check.checker.data.source_json import read_json
from obc_check.checker.data.source_xlsx import read_xlsx
from obc_check.checker.data.sources import RawTable
from obc_check.diagnostics import Diagnostic
from obc_check.filekinds import path_kind
from obc_check.model import Contract

Validator = Callable[[RawTable, ContractIndex, Problems], Sequence[object]]
_VALIDATORS: dict[str, Validator] = {
    "indicators": validate_rows.indicators,
    "submissions": validate_rows.submissions,
    "payments": validate_rows.payments,
    "spend": validate_rows.spend,
    "outcomes": validate_rows.outcomes,
    "caseload": validate_rows.caseload,
}
_COLUMNAR: dict[str, Callable[[RawTable, ContractIndex], object | None]] = {
    "payments": columnar_csv.payments,
    "claims": columnar_claims.claims,
    "participants": lambda raw, _ctx: columnar_claims.participants(raw),
}
_COLUMNS: dict[str, Callable[[RawTable, ContractIndex, Problems], object]] = {
    "claims": validate_rows.claims,
    "participants": validate_rows.participants,
}


def load_bundle(path: Path, contract: Contract) -> tuple[Bundle | None, list[Diagnostic]]:
    """The bundle at ``path`` checked against ``contract``, and every diagnostic found.

    The Bundle is None when any error was found; warnings alone do not stop it.
    """
    problems = Problems()
    display = str(path)
    specs = table_specs(contract.datasets)
    found = _read(Path(path), display, problems, specs, contract)
    if found is None:
        return None, problems.diagnostics
    raws = [r for r in found if isinstance(r, RawTable) and not r.spec.open]
    datasets = _datasets(contract, found)
    ctx = ContractIndex.of(contract)
    rows: dict[str, Sequence[object]] = {}
    held: dict[str, object] = {}  # the columnar tables: claims, participants
    origins = {raw.spec.name: raw.origin for raw in raws}
    # Loading creates millions of long-lived objects and no reference cycles; the cyclic
    # collector would re-scan the growing heap again and again (a third of the time of a
    # million-row load). Pause it for the load and restore it as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        ahead = _read_ahead(raws, ctx)
        for raw in raws:
            name = raw.spec.name
            columnar = _COLUMNAR.get(name)
            if name in ahead:
                fast = ahead[name].result()
            elif name == "claims":
                fast = columnar_claims.claims(raw, ctx, _starts(ahead, ctx))
            else:
                fast = columnar(raw, ctx) if columnar is not None else None
            if name in _COLUMNS:
                held[name] = fast if fast is not None else _COLUMNS[name](raw, ctx, problems)
                continue
            rows[name] = fast if fast is not None else tuple(  # type: ignore[assignment]
                _VALIDATORS[name](raw, ctx, problems))
    finally:
        if collecting:
            gc.enable()
    claims = held.get("claims")
    people = held.get("participants")
    assert claims is None or isinstance(claims, ClaimTable)
    assert people is None or isinstance(people, ParticipantTable)
    if claims is not None:
        codes = claims.codes or claim_codes(claims.table, tuple(ctx.price_order))
        if people is not None and ctx.claim_window and codes.started is None:
            codes = with_starts(codes, people)
        claims = replace(claims, codes=codes)
    check_claims(ctx, claims, people, "outcomes" in rows, origins, problems)
    if problems.errors:
        return None, problems.diagnostics
    bundle = Bundle(
        source=display,
        indicators=rows.get("indicators", ()),  # type: ignore[arg-type]
        submissions=rows.get("submissions", ()),  # type: ignore[arg-type]
        payments=_ledger(rows.get("payments", ())),
        spend=rows.get("spend", ()),  # type: ignore[arg-type]
        outcomes=rows.get("outcomes", ()),  # type: ignore[arg-type]
        caseload=rows.get("caseload", ()),  # type: ignore[arg-type]
        claims=claims, participants=people,
        present=frozenset(rows) | frozenset(held),
        datasets=datasets,
    )
    return bundle, problems.diagnostics


def _read_ahead(raws: Sequence[RawTable], ctx: ContractIndex) -> dict[str, Future[object | None]]:
    """``participants``' fast path started on a thread of its own while ``claims``' runs.

    Both are parsed by pyarrow and coded by numpy, which let go of the GIL, so on a machine
    with a core to spare the two files are read at once (the participants' 4 MB of a
    million-claim bundle took 15 ms after the claims' 70 ms). Only the fast path runs
    there: a table it does not take goes to the row validator in the loop, in the usual
    order, so the diagnostics are the same.
    """
    names = {raw.spec.name for raw in raws}
    if not {"claims", "participants"} <= names:
        return {}
    raw = next(r for r in raws if r.spec.name == "participants")
    if raw.csv_file is None:
        return {}
    # lane 0 of the side threads (twocores.side): the claims' start days, looked up in lane
    # 1, wait for this
    return {"participants": twocores.side(0).submit(_COLUMNAR["participants"], raw, ctx)}


def _starts(ahead: Mapping[str, Future[object | None]], ctx: ContractIndex
            ) -> columnar_claims.Starts | None:
    """The look-up of start days the claims' fast path runs beside its sort, or None.

    From the participants read ahead (:func:`_read_ahead`); None when the card has no
    claim window or the participants are not read ahead. The look-up itself gives None
    when the participants' fast path did not take the table: the start days are then
    looked up afterwards, in the row validator's table.
    """
    future = ahead.get("participants")
    if future is None or not ctx.claim_window:
        return None
    read = future

    def starts(persons: pa.Array) -> np.ndarray | None:
        people = read.result()
        return starts_of(persons, people) if isinstance(people, ParticipantTable) else None

    return starts


def _datasets(contract: Contract, found: Sequence[RawTable | ParquetTable]
              ) -> dict[str, DatasetTable]:
    """The dataset tables found, by dataset name."""
    out: dict[str, DatasetTable] = {}
    for t in found:
        if isinstance(t, ParquetTable):
            out[t.dataset.id] = DatasetTable.of_parquet(t)
        elif t.spec.open:
            ds = contract.dataset(t.spec.name)
            assert ds is not None
            out[ds.id] = DatasetTable.of_raw(ds, t)
    return out


def _ledger(rows: Sequence[object]) -> Ledger:
    return rows if isinstance(rows, Ledger) else Ledger.from_rows(rows)  # type: ignore[arg-type]


def _read(path: Path, display: str, problems: Problems, specs: Mapping[str, TableSpec],
          contract: Contract) -> Sequence[RawTable | ParquetTable] | None:
    """The raw tables of the bundle at ``path``, or None when it cannot be read."""
    kind = path_kind(path)
    if kind.kind == "missing":
        problems.file(display, "D001", "no such data bundle",
                      "give a folder of CSV files, a .json file or an .xlsx workbook")
        return None
    if kind.kind == "refused":  # a FIFO would block the read forever: refused at once
        problems.file(display, "D001", kind.why,
                      "give a folder of CSV files, a .json file or an .xlsx workbook")
        return None
    if kind.kind == "folder":
        return _read_folder(path, problems, specs, contract)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path, display, problems, specs)
    if suffix == ".xlsx":
        return read_xlsx(path, display, problems, specs)
    problems.file(display, "D001", "is not a data bundle (a folder, .json or .xlsx file)",
                  "a bundle is a folder of CSV files (indicators.csv, payments.csv, …), "
                  "one .json file or one .xlsx workbook")
    return None


def _read_folder(folder: Path, problems: Problems, specs: Mapping[str, TableSpec],
                 contract: Contract) -> list[RawTable | ParquetTable] | None:
    """Each ``<table>.csv`` of a folder, a dataset's also ``.parquet``; nothing else.

    Any other file is an error (hidden files aside).
    """
    try:
        entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError as err:
        problems.file(str(folder), "D002", f"cannot be read: {err.strerror or err}",
                      "check the path and the permissions")
        return None
    tables: list[RawTable | ParquetTable] = []
    expected = [f"{name}.csv" for name in specs]
    expected += [f"{ds.id}.parquet" for ds in contract.datasets]
    names = {e.name for e in entries}
    for entry in entries:
        display = str(entry)
        stem, _, suffix = entry.name.rpartition(".")
        dataset = contract.dataset(stem)
        known = (suffix == "csv" and stem in specs) or (suffix == "parquet"
                                                         and dataset is not None)
        kind = path_kind(entry)
        if known and kind.kind != "file":
            why = kind.why if kind.kind == "refused" else (
                "is a folder, not a CSV file" if kind.kind == "folder"
                else "is a symbolic link to nothing")
            problems.file(display, "D002", why, "a bundle folder holds regular CSV files")
            continue
        if not known or kind.kind != "file":
            problems.file(display, "D003", f"unknown file `{entry.name}` in the data bundle",
                          did_you_mean(entry.name, expected)
                          or f"a bundle folder holds only {', '.join(expected)}")
            continue
        if suffix == "parquet" and dataset is not None:
            if f"{stem}.csv" in names:
                problems.file(display, "D040", f"dataset {stem} is given twice: as "
                              f"{stem}.csv and as {stem}.parquet",
                              "keep one of the two files")
                continue
            pq = read_parquet(entry, display, dataset, problems)
            if pq is not None:
                tables.append(pq)
            continue
        table = read_csv(entry, display, specs[stem], problems)
        if table is not None:
            tables.append(table)
    return tables


def bundle_sources(diagnostics: Sequence[Diagnostic]) -> dict[str, str | Sequence[str]]:
    """The text of each CSV or JSON file a diagnostic points into, for ``render_text``.

    ``render_text(diags, bundle_sources(diags))`` then shows the line of the file with a
    caret under the bad cell. Workbook diagnostics have no text line to show. A CSV file's
    lines are read when shown (:meth:`~.csv_file.CsvFile.lines`): five bad cells of a 600 MB
    file took 2 GB and seconds to show, the whole file decoded and split.
    """
    texts: dict[str, str | Sequence[str]] = {}
    for diag in diagnostics:
        name = diag.span.file if diag.span else None
        if name and name not in texts and name.lower().endswith((".csv", ".json")):
            try:
                lines = CsvFile.map(Path(name)).lines() if name.lower().endswith(".csv") \
                    else None
                texts[name] = lines if lines is not None else \
                    Path(name).read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
    return texts
