"""The claims of a person-level rate card in the report: one row per claim, held as columns.

A bundle may hold a million claims, so the report keeps them as pyarrow columns in decision
order (RECORDS.md) and makes :class:`ClaimRow` objects only when asked for one; the JSON
rows, the summaries by reason and the per-person totals are read off the columns. The JSON
report streams them (:meth:`ClaimRows.json_chunks`): one compact line a row, built chunk by
chunk with pyarrow's string functions, so a million rows take a second or two and never
exist as a million Python objects or one string.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Literal, NotRequired, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict
from typing_extensions import TypedDict

from obc_check.checker.report.prompt_block import join, optional
from obc_check.checker.report.rows import Money

ClaimStatus = Literal["paid", "rejected"]
ClaimReason = Literal["outside_term", "after_as_of", "before_start", "outside_window", "repeat",
                      "price_limit", "person_cap", "term_cap"]
"""Why a claim is rejected (RECORDS.md's five rules), as the JSON report and its schema say."""
CHUNK = 65_536
"""Rows per chunk of the streamed JSON: a few MB of text at a time."""
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
"""What ``json.dumps(..., ensure_ascii=False)`` escapes in a string."""


def json_text(values: pa.Array) -> pa.Array:
    """Each string as it stands between the quotes of a JSON string.

    Most identifiers need no escaping: they pass through as they are. Only the strings that
    hold a quote, a backslash or a control character go through ``json.dumps``, one by one,
    so the text is exactly what the rest of the report (``json.dumps``) writes.
    """
    if isinstance(values, pa.DictionaryArray):
        return pa.DictionaryArray.from_arrays(values.indices, json_text(values.dictionary))
    needs = pc.match_substring_regex(values, _NEEDS_ESCAPE.pattern)
    if not len(values) or not pc.any(needs).as_py():
        return values
    flags = needs.to_pylist()
    return pa.array([json.dumps(v, ensure_ascii=False)[1:-1] if f and v is not None else v
                     for v, f in zip(values.to_pylist(), flags, strict=True)], pa.string())


def _lines(parts: list[object], indent: str) -> str:
    """Element-wise ``parts`` joined into one line a row, the lines joined by comma, newline."""
    line = join(indent, *parts)
    if isinstance(line, pa.ChunkedArray):
        line = line.combine_chunks()
    lists = pa.ListArray.from_arrays(pa.array([0, len(line)], pa.int32()), line)
    return str(pc.binary_join(lists, ",\n")[0].as_py())


def _text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A string or dictionary column as plain escaped strings."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return pc.cast(array, pa.string()) if isinstance(array, pa.DictionaryArray) else array


class ClaimRow(BaseModel):
    """One claim and its decision: paid (``amount``, ``capped``) or rejected (``reason``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    price: str
    person: str
    achieved_on: dt.date
    year: str | None = None
    status: ClaimStatus
    reason: ClaimReason | None = None
    amount: Money
    capped: bool
    row: int | None = None


def pence_text(units: pa.Array) -> pa.Array:
    """Whole pence (int64) as money strings with two decimals (``"1500.00"``)."""
    pounds = pc.divide(units, 100)
    pence = pc.subtract(units, pc.multiply(pounds, 100))
    padded = pc.utf8_lpad(pc.cast(pence, pa.string()), 2, "0")
    return pc.binary_join_element_wise(pc.cast(pounds, pa.string()), padded, ".")


class ClaimJson(TypedDict):
    """A claim row as the JSON report prints it (RECORDS.md): money as a string."""

    price: str
    person: str
    achieved_on: str
    year: NotRequired[str]
    status: ClaimStatus
    reason: NotRequired[ClaimReason]
    amount: str
    capped: bool


class ClaimRows(Sequence[ClaimRow]):
    """Claim rows in decision order, over a table with the columns of :class:`ClaimRow`.

    ``amount`` is held as whole pence (int64); ``reason`` and ``year`` may be null.
    """

    __slots__ = ("table",)

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    @classmethod
    def of(cls, rows: Sequence[ClaimRow]) -> ClaimRows:
        """Rows made one by one (tests, small hand-built reports)."""
        return cls(pa.table({
            "price": pa.array([r.price for r in rows], pa.string()),
            "person": pa.array([r.person for r in rows], pa.string()),
            "achieved_on": pa.array([r.achieved_on for r in rows], pa.date32()),
            "year": pa.array([r.year for r in rows], pa.string()),
            "status": pa.array([r.status for r in rows], pa.string()),
            "reason": pa.array([r.reason for r in rows], pa.string()),
            "amount": pa.array([int(r.amount * 100) for r in rows], pa.int64()),
            "capped": pa.array([r.capped for r in rows], pa.bool_()),
            "row": pa.array([r.row for r in rows], pa.int64()),
        }))

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @overload
    def __getitem__(self, index: int) -> ClaimRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ClaimRow]: ...

    def __getitem__(self, index: int | slice) -> ClaimRow | Sequence[ClaimRow]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return list(self._rows(self.table.take(pa.array(range(start, stop, step),
                                                            pa.int64()))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return next(self._rows(self.table.slice(index, 1)))

    def __iter__(self) -> Iterator[ClaimRow]:
        return self._rows(self.table)

    @staticmethod
    def _rows(table: pa.Table) -> Iterator[ClaimRow]:
        for batch in table.to_batches(max_chunksize=65536):
            for d in batch.to_pylist():
                d["amount"] = Decimal(d["amount"]).scaleb(-2)
                yield ClaimRow.model_validate(d)

    def where(self, mask: pa.Array) -> ClaimRows:
        """The rows where ``mask`` is true, in order."""
        return ClaimRows(self.table.filter(mask))

    def json_chunks(self, indent: str) -> Iterator[str]:
        """The JSON report's rows as compact lines, :data:`CHUNK` rows a chunk.

        Each chunk is its lines joined by comma, newline, each line starting with
        ``indent``; the fields and their order are those of :meth:`json_rows`.
        """
        t = self.table
        person = t.column("person")
        if isinstance(person, pa.ChunkedArray):
            person = person.combine_chunks()
        person = json_text(person)  # a dictionary: its distinct persons escaped once
        for start in range(0, t.num_rows, CHUNK):
            c = t.slice(start, CHUNK)
            yield _lines([
                '{"price":"', _text(c.column("price")),
                '","person":"', _text(person.slice(start, CHUNK)),
                '","achieved_on":"', pc.cast(c.column("achieved_on"), pa.string()), '"',
                optional('"year":"', _text(c.column("year")), '"'),
                ',"status":"', _text(c.column("status")), '"',
                optional('"reason":"', _text(c.column("reason")), '"'),
                ',"amount":"', pence_text(c.column("amount")),
                '","capped":', pc.if_else(c.column("capped"), "true", "false"), "}"], indent)

    def json_rows(self) -> list[ClaimJson]:
        """The JSON report's rows (RECORDS.md): no ``reason`` on a paid claim."""
        t = self.table
        shown = pa.table({
            "price": t.column("price"), "person": t.column("person"),
            "achieved_on": pc.strftime(t.column("achieved_on"), "%Y-%m-%d")
            if t.num_rows else pa.array([], pa.string()),
            "year": t.column("year"), "status": t.column("status"),
            "reason": t.column("reason"),
            "amount": pence_text(t.column("amount")), "capped": t.column("capped")})
        rows: list[ClaimJson] = shown.to_pylist()
        for d in rows:
            if d.get("reason") is None:
                del d["reason"]
            if d.get("year") is None:
                del d["year"]
        return rows


class PersonPaid(BaseModel):
    """What one person's claims were paid in total (RECORDS.md ``people``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person: str
    paid: Money
    claims: int


class PersonJson(TypedDict):
    """A ``people`` row as the JSON report prints it."""

    person: str
    paid: str
    claims: int


class PeopleRows(Sequence[PersonPaid]):
    """One row per person with any claim, by person (code point order), held as columns.

    Columns: ``person`` (string), ``paid`` (whole pence, int64), ``claims`` (int64).
    """

    __slots__ = ("table",)

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    @classmethod
    def of(cls, rows: Sequence[PersonPaid]) -> PeopleRows:
        """Rows made one by one (tests, small hand-built reports)."""
        return cls(pa.table({
            "person": pa.array([r.person for r in rows], pa.string()),
            "paid": pa.array([int(r.paid * 100) for r in rows], pa.int64()),
            "claims": pa.array([r.claims for r in rows], pa.int64()),
        }))

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @overload
    def __getitem__(self, index: int) -> PersonPaid: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[PersonPaid]: ...

    def __getitem__(self, index: int | slice) -> PersonPaid | Sequence[PersonPaid]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return next(self._rows(self.table.slice(index, 1)))

    def __iter__(self) -> Iterator[PersonPaid]:
        return self._rows(self.table)

    @staticmethod
    def _rows(table: pa.Table) -> Iterator[PersonPaid]:
        for d in table.to_pylist():
            yield PersonPaid(person=d["person"], paid=Decimal(d["paid"]).scaleb(-2),
                             claims=d["claims"])

    def find(self, person: str) -> PersonPaid | None:
        """The row of ``person``, if they have any claim."""
        found = self.table.filter(pc.equal(self.table.column("person"), person))
        return next(self._rows(found), None)

    def most_paid(self, n: int) -> list[PersonPaid]:
        """The ``n`` people paid most, most first, then by person."""
        paid = np.asarray(self.table.column("paid").combine_chunks(), np.int64) \
            if len(self) else np.zeros(0, np.int64)
        if n <= 0 or not len(paid):
            return []
        # only the people paid at least the n-th largest amount can be among the first n;
        # pyarrow's top-k (a heap of n) finds it in 0.2 ms for 200,000 people, where
        # numpy's partition took 2-3 ms (many people at the cap share one amount)
        top = np.asarray(pc.top_k_unstable(self.table.column("paid"), min(n, len(paid))))
        least = paid[top].min()
        few = self.table.take(pa.array(np.flatnonzero(paid >= least)))
        order = pc.sort_indices(few, sort_keys=[("paid", "descending"), ("person", "ascending")])
        return list(self._rows(few.take(order.slice(0, n))))

    def json_chunks(self, indent: str) -> Iterator[str]:
        """The JSON report's rows as compact lines (see :meth:`ClaimRows.json_chunks`)."""
        t = self.table
        for start in range(0, t.num_rows, CHUNK):
            c = t.slice(start, CHUNK)
            yield _lines(['{"person":"', json_text(_text(c.column("person"))),
                          '","paid":"', pence_text(c.column("paid")),
                          '","claims":', pc.cast(c.column("claims"), pa.string()), "}"],
                         indent)

    def json_rows(self) -> list[PersonJson]:
        """The JSON report's rows: money as strings with two decimals."""
        shown = pa.table({"person": self.table.column("person"),
                          "paid": pence_text(self.table.column("paid")),
                          "claims": self.table.column("claims")})
        rows: list[PersonJson] = shown.to_pylist()
        return rows
