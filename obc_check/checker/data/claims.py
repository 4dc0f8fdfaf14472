"""The ``claims`` and ``participants`` tables (RECORDS.md), held as columns.

A person-level rate card is paid from claims, and a bundle may hold a million of them: they
are kept as pyarrow columns from the load to the report, never as one Python object a row.
Each table comes from one file (or sheet, or JSON key), so a row's origin is that file and
its row number, kept in the ``row`` column (CSV and XLSX count the header as row 1; JSON
counts from 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data.tables import RowRef

CLAIMS_SCHEMA = pa.schema([("price", pa.string()), ("person", pa.string()),
                           ("achieved_on", pa.date32()), ("row", pa.int64())])
PARTICIPANTS_SCHEMA = pa.schema([("person", pa.string()), ("started_on", pa.date32()),
                                 ("row", pa.int64())])


@dataclass(frozen=True)
class ClaimTable:
    """``claims``: one row per outcome one person achieved, as columns, in file order."""

    table: pa.Table
    file: str = "claims"
    sheet: str | None = None
    codes: ClaimCodes | None = field(default=None, compare=False, repr=False)
    """The claims encoded and sorted (:func:`claim_codes`), when the loader has done it."""

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def ref(self, row: int) -> RowRef:
        """Where row number ``row`` (as the ``row`` column gives it) stands."""
        return RowRef(self.file, row, self.sheet)

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, dt.date]], file: str = "claims",
           sheet: str | None = None, first_row: int = 2) -> ClaimTable:
        """Claims from ``(price, person, achieved_on)`` tuples (tests, converters)."""
        listed = list(rows)
        return cls(pa.table({
            "price": pa.array([r[0] for r in listed], pa.string()),
            "person": pa.array([r[1] for r in listed], pa.string()),
            "achieved_on": pa.array([r[2] for r in listed], pa.date32()),
            "row": pa.array(range(first_row, first_row + len(listed)), pa.int64()),
        }, schema=CLAIMS_SCHEMA), file, sheet)


@dataclass(frozen=True)
class ParticipantTable:
    """``participants``: one row per person, the day they started, as columns."""

    table: pa.Table
    file: str = "participants"
    sheet: str | None = None
    unread: frozenset[str] = frozenset()
    """Persons whose row is there but could not be read (a bad start date, a repeat): they
    are in participants, so a claim for them is not also "not in participants" (D061)."""

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def ref(self, row: int) -> RowRef:
        """Where row number ``row`` stands."""
        return RowRef(self.file, row, self.sheet)

    @classmethod
    def of(cls, rows: Iterable[tuple[str, dt.date]], file: str = "participants",
           sheet: str | None = None, first_row: int = 2) -> ParticipantTable:
        """Participants from ``(person, started_on)`` tuples (tests, converters)."""
        listed = list(rows)
        return cls(pa.table({
            "person": pa.array([r[0] for r in listed], pa.string()),
            "started_on": pa.array([r[1] for r in listed], pa.date32()),
            "row": pa.array(range(first_row, first_row + len(listed)), pa.int64()),
        }, schema=PARTICIPANTS_SCHEMA), file, sheet)


def stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative int64 keys, by 16-bit digits.

    numpy sorts 16-bit integers by radix (linear time); a key of up to 48 bits is sorted
    digit by digit from the lowest, each pass stable, which orders a million keys in a few
    passes of about 10 ms instead of one comparison sort of 100 ms or more.
    """
    n = len(keys)
    top = int(keys.max()) if n else 0
    if n < 4096 or top >= 1 << 48:
        return np.argsort(keys, kind="stable")
    perm = np.arange(n, dtype=np.int64)
    shift = 0
    while True:
        digit = ((keys[perm] >> shift) & 0xFFFF).astype(np.uint16)
        perm = perm[np.argsort(digit, kind="stable")]
        shift += 16
        if top >> shift == 0:
            return perm


@dataclass(frozen=True)
class ClaimCodes:
    """The claims as integer columns, and their decision order (RECORDS.md).

    ``price`` is each claim's place in the rate card (in ``prices``); ``person`` the rank of
    its person among the distinct ``persons``, which are sorted by code point (pyarrow
    compares UTF-8 bytes, which is code-point order), so that comparing ranks compares
    persons; ``day`` is ``achieved_on`` in days since 1970-01-01. ``order`` lists the claims'
    positions in decision order: ``achieved_on``, then price, then person. ``repeats`` is
    true when two claims have the same price, person and day.
    """

    price: np.ndarray
    person: np.ndarray
    persons: pa.Array
    day: np.ndarray
    order: np.ndarray
    prices: tuple[str, ...]
    repeats: bool
    started: np.ndarray | None = None
    """Each distinct person's ``started_on`` (days), :data:`NO_START` when not a
    participant; None until :func:`with_starts` has looked them up."""


NO_START = np.iinfo(np.int64).min // 4
"""The start of a person who is not in participants (sorts before every real day)."""


def with_starts(codes: ClaimCodes, people: ParticipantTable) -> ClaimCodes:
    """``codes`` with each distinct person's start looked up in ``people`` (once)."""
    at = pc.index_in(codes.persons, value_set=people.table.column("person"))
    days = people.table.column("started_on").combine_chunks()
    starts = (np.asarray(days.cast(pa.int32()), np.int64) if len(days)
              else np.zeros(0, np.int64))
    known = np.asarray(at.is_valid(), bool)
    started = np.full(len(codes.persons), NO_START, np.int64)
    started[known] = starts[np.asarray(at.drop_null(), np.int64)]
    return replace(codes, started=started)


def claim_codes(table: pa.Table, prices: tuple[str, ...]) -> ClaimCodes:
    """Encode ``table`` (every price must be one of ``prices``) and sort it once.

    The sort key packs the three fields as ``day × P × Q + price × Q + person``, one int64 a
    claim, so one numpy sort orders a million claims; equal keys are repeated rows.
    """
    n = table.num_rows
    encoded = pc.dictionary_encode(table.column("person")).combine_chunks()
    dictionary = encoded.dictionary
    by_text = np.asarray(pc.sort_indices(dictionary), np.int64)
    rank = np.empty(len(dictionary), np.int64)
    rank[by_text] = np.arange(len(dictionary), dtype=np.int64)
    person = rank[np.asarray(encoded.indices, np.int64)] if n else np.zeros(0, np.int64)
    price = np.asarray(pc.index_in(table.column("price"), value_set=pa.array(prices, pa.string()))
                       .combine_chunks().fill_null(0), np.int64)
    days = table.column("achieved_on").combine_chunks()
    day = np.asarray(days.cast(pa.int32()), np.int64) if n else np.zeros(0, np.int64)
    q = max(len(dictionary), 1)
    key = (day - day.min(initial=0)) * (max(len(prices), 1) * q) + price * q + person
    order = stable_order(key)
    ordered = key[order]
    repeats = bool(len(ordered) > 1 and np.any(ordered[1:] == ordered[:-1]))
    return ClaimCodes(price, person, dictionary.take(pa.array(by_text)), day,
                      np.asarray(order, np.int64), prices, repeats)
