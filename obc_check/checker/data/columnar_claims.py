"""The fast path for big ``claims.csv`` and ``participants.csv``: read and check in bulk.

As ``columnar_csv`` does for payments: pyarrow parses the mapped file with quoting off and
blank lines kept (so row N is line N + 1), dates straight to ``date32``, the rest as text,
and the columns are checked with pyarrow compute. It only ever says "this table is plainly
valid, here it is" or "not sure" (None): a quote, a blank or tab anywhere, an empty cell, a
date pyarrow will not take, an unknown price or a repeated row sends the table to the row
validator (``validate_rows.claims`` / ``participants``), which reports every problem with
the usual diagnostics. So the two paths type a clean file identically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from obc_check.checker.data import pooled, twocores
from obc_check.checker.data.claims import (
    CLAIMS_SCHEMA,
    PARTICIPANTS_SCHEMA,
    ClaimTable,
    ParticipantTable,
    claim_codes,
    has_repeats,
    person_codes,
    person_ranks,
)
from obc_check.checker.data.context import ContractIndex
from obc_check.checker.data.sources import RawTable

_YEAR_ONE = pa.scalar(dt.date(1, 1, 1), pa.date32())
_BLOCK = 1 << 22
"""Bytes per block of pyarrow's CSV reader: 4 MB, where its default is 1 MB. Each block is
parsed and converted on its own (in parallel) and becomes a chunk of every column; the 26 MB
claims of a million took 62 ms of CPU in 26 blocks and 56 ms in 7, as fast by the clock
with two cores, and the fewer chunks are joined sooner."""


def _read(raw: RawTable, dates: tuple[str, ...]) -> pa.Table | None:
    """The table's cells, typed, when the file is plain (no quotes, blanks or tabs)."""
    file = raw.csv_file
    if file is None or file.contains(b'"') or file.contains(b" ") or file.contains(b"\t"):
        return None
    header = list(raw.index)
    if sorted(raw.index.values()) != list(range(len(header))):
        return None
    header.sort(key=raw.index.__getitem__)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(file.data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1,
                                           block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(quote_char=False, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.date32() if name in dates else pa.string()
                              for name in header},
                null_values=[""], strings_can_be_null=True, check_utf8=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    for name in header:  # the columns stay in pyarrow's chunks: only `person` is joined
        column = table.column(name)
        if column.null_count:
            return None
        if name in dates and len(column) and not pc.greater_equal(
                pc.min(column), _YEAR_ONE).as_py():
            return None
    return table


def _rows(n: int) -> pa.Array:
    """Row numbers 2, 3, … (the header is row 1), written into the pool (:mod:`pooled`)."""
    return pa.array(np.add(pooled.positions(n), 2, out=pooled.empty(n, np.int64)))


Starts = Callable[[pa.Array], np.ndarray | None]
"""The start day of each of the distinct claimed persons (:func:`~.claims.starts_of`), or
None when the participants are not at hand (the loader then looks them up afterwards)."""


def claims(raw: RawTable, ctx: ContractIndex, starts: Starts | None = None
           ) -> ClaimTable | None:
    """The claims table when it is plainly valid; None means "use the row validator".

    ``starts``, when given, looks up the distinct persons' start days: it needs only the
    persons, not the claims' order, so it runs on the prices' thread while this one sorts
    the claims (on a machine with a core to spare, its few milliseconds are hidden).
    """
    table = _read(raw, ("achieved_on",))
    if table is None:
        return None
    price = table.column("price")
    prices = tuple(ctx.price_order)
    # the prices looked up by pyarrow on a side thread while numpy ranks the persons (both
    # let go of the GIL): on a machine with a core to spare, 10-15 ms sooner. Lane 1: the
    # start days looked up there wait for the participants, read ahead in lane 0 (load.py)
    worker = twocores.side(1)
    looked_up = worker.submit(pc.index_in, price, value_set=pa.array(prices, pa.string()))
    ranks = person_ranks(table.column("person"))
    index = looked_up.result()
    if index.null_count:
        return None  # a price not in the rate card
    started = worker.submit(starts, ranks[1]) if starts is not None else None
    out = pa.table({"price": price, "person": table.column("person"),
                    "achieved_on": table.column("achieved_on"),
                    "row": _rows(table.num_rows)}, schema=CLAIMS_SCHEMA)
    try:
        codes = claim_codes(out, prices, index, ranks)
    finally:
        days = started.result() if started is not None else None  # never left running
    if codes.repeats:
        return None  # a repeated row: the row validator names both
    if days is not None:
        codes = replace(codes, started=days)
    return ClaimTable(out, raw.origin.file, raw.origin.sheet, codes=codes, rows_from=2)


def participants(raw: RawTable) -> ParticipantTable | None:
    """The participants table when it is plainly valid; None means "use the row validator"."""
    table = _read(raw, ("started_on",))
    if table is None:
        return None
    person = table.column("person").combine_chunks()
    coded = person_codes(person)  # kept: the claims' persons are matched by the same codes
    if has_repeats(person, coded):
        return None
    return ParticipantTable(pa.table({"person": person,
                                      "started_on": table.column("started_on"),
                                      "row": _rows(table.num_rows)},
                                     schema=PARTICIPANTS_SCHEMA),
                            raw.origin.file, raw.origin.sheet, coded=coded)
