"""The report's obligation rows: a sequence made of parts, some of them columnar.

Report, spend-share and flow-down rows are few and are ordinary
:class:`~obc_check.checker.report.rows.ObligationRow` objects; prompt-payment rows come as a
:class:`~obc_check.checker.report.prompt_block.PromptBlock` of columns. :class:`ObligationRows`
holds the parts in contract order and reads as one ``Sequence[ObligationRow]`` (rows are
materialised lazily, part by part), while the summaries, the text table and the JSON
stream ask the parts directly, so a million invoices are never a million objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain
from typing import overload

from obc_check.checker.data.money import money_total
from obc_check.checker.report.prompt_block import PromptBlock
from obc_check.checker.report.rows import ObligationRow, ObligationStatus, row_json

Part = list[ObligationRow] | PromptBlock


class ObligationRows(Sequence[ObligationRow]):
    """Obligation rows in contract order, held as parts (lists of rows, or blocks)."""

    __slots__ = ("parts",)

    def __init__(self, parts: Iterable[Part | ObligationRow] = ()) -> None:
        merged: list[Part] = []
        for part in parts:
            if isinstance(part, ObligationRow):
                if not merged or isinstance(merged[-1], PromptBlock):
                    merged.append([])
                last = merged[-1]
                assert isinstance(last, list)
                last.append(part)
            elif len(part):
                merged.append(part)
        self.parts: tuple[Part, ...] = tuple(merged)

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __iter__(self) -> Iterator[ObligationRow]:
        return chain.from_iterable(
            p.rows() if isinstance(p, PromptBlock) else p for p in self.parts)

    @overload
    def __getitem__(self, index: int) -> ObligationRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ObligationRow]: ...

    def __getitem__(self, index: int | slice) -> ObligationRow | Sequence[ObligationRow]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        for part in self.parts:
            if index < len(part):
                if isinstance(part, PromptBlock):
                    return part.at(index)
                return part[index]
            index -= len(part)
        raise IndexError("obligation row index out of range")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ObligationRows({len(self)} rows in {len(self.parts)} parts)"

    def count(self, value: object) -> int:
        """How many rows have the status ``value`` (``"met"``, ``"breached"``, ``"not_due"``).

        Sequence's ``count`` of one row object is not useful for a report; counting by
        status is what every caller needs, and blocks answer it from their columns.
        """
        total = 0
        for p in self.parts:
            if isinstance(p, PromptBlock):
                if value in ("met", "breached", "not_due"):
                    total += p.count(value)
            else:
                total += sum(1 for r in p if r.status == value)
        return total

    def penalties(self) -> Decimal:
        """The sum of every row's penalty."""
        return money_total(p.penalties() if isinstance(p, PromptBlock)
                            else money_total(r.penalty for r in p) for p in self.parts)

    def parts_of_kind(self, kind: str) -> Iterator[ObligationRow]:
        """The rows of one kind held as plain rows (payout, report, ...; never a block's)."""
        for p in self.parts:
            if not isinstance(p, PromptBlock):
                yield from (r for r in p if r.kind == kind)

    def json_chunks(self) -> Iterator[str | list[str]]:
        """The rows' JSON lines in chunks, part by part (see ``PromptBlock.json_chunks``)."""
        for p in self.parts:
            if isinstance(p, PromptBlock):
                yield from p.json_chunks()
            else:
                for start in range(0, len(p), 10_000):
                    yield [row_json(r) for r in p[start:start + 10_000]]

    def where(self, status: ObligationStatus,
              per_obligation: int | None = None) -> Iterator[ObligationRow]:
        """The rows with ``status``, in order (blocks materialise only those).

        With ``per_obligation``, only the first that many rows of each obligation: what a
        report for people shows of a big ledger.
        """
        left: dict[str, int] = {}
        for p in self.parts:
            if isinstance(p, PromptBlock):
                if per_obligation is None:
                    yield from p.rows(status)
                    continue
                n = left.setdefault(p.obligation, per_obligation)
                shown = list(p.rows(status, n))
                left[p.obligation] = n - len(shown)
                yield from shown
                continue
            for r in p:
                if r.status != status:
                    continue
                if per_obligation is not None:
                    n = left.setdefault(r.obligation, per_obligation)
                    if n <= 0:
                        continue
                    left[r.obligation] = n - 1
                yield r

