"""Prompt-payment rows come in receipt-date then reference order, on either sorting path."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.report.prompt_block import row_order as _row_order


def _order(refs: list[str | None], days: list[int | None]) -> list[tuple[object, object]]:
    table = pa.table({
        "invoice": pa.array(refs, pa.string()),
        "received_on": pa.array([None if d is None else dt.date(2015, 4, 1 + d) for d in days],
                                pa.date32())})
    taken = table.take(_row_order(table))
    return list(zip(taken.column("received_on").to_pylist(),
                    taken.column("invoice").to_pylist(), strict=True))


def _expected(refs: list[str | None], days: list[int | None]) -> list[tuple[object, object]]:
    rows = [(None if d is None else dt.date(2015, 4, 1 + d), r)
            for r, d in zip(refs, days, strict=True)]
    return sorted(rows, key=lambda x: (x[0] or dt.date.min, x[1] or ""))


def test_rising_references_sort_by_date_alone_to_the_same_order() -> None:
    rng = random.Random(3)
    refs = [f"INV-{i:05d}" for i in range(2000)]
    days: list[int | None] = [rng.randrange(20) for _ in refs]
    days[5] = None
    assert pc.all(pc.less(pa.array(refs[:-1]), pa.array(refs[1:]))).as_py()
    assert _order(refs, days) == _expected(refs, days)  # type: ignore[arg-type]


def test_other_references_take_the_full_sort() -> None:
    rng = random.Random(4)
    refs = [f"INV-{i:05d}" for i in range(2000)]
    rng.shuffle(refs)
    refs += ["INV-00001"]  # a repeat: not strictly rising either
    days: list[int | None] = [rng.randrange(20) for _ in refs]
    assert _order(refs, days) == _expected(refs, days)  # type: ignore[arg-type]


def test_rows_of_one_status_come_in_the_same_order_sorted_alone_or_from_the_whole() -> None:
    """The text report sorts only the breached rows; JSON sorts all; the order agrees."""
    from dataclasses import replace

    from obc_check.checker.report.prompt_block import STATUSES, PromptBlock

    rng = random.Random(5)
    n = 3000
    refs = [f"INV-{i:05d}" for i in range(n)]
    rng.shuffle(refs)
    table = pa.table({
        "invoice": pa.array(refs, pa.string()),
        "received_on": pa.array([dt.date(2015, 4, 1 + rng.randrange(25)) for _ in refs],
                                pa.date32()),
        "status": pa.array([rng.randrange(3) for _ in refs], pa.int8())})
    block = PromptBlock(obligation="P", party="OH", days=30, penalty=Decimal(0),
                        penalty_words="", as_of=dt.date(2018, 9, 30), table=table)
    for status in STATUSES:
        alone = replace(block).indices(status).to_pylist()
        whole = [i for i in block.order.to_pylist() if table["status"][i].as_py()
                 == STATUSES.index(status)]
        assert alone == whole
        assert block.indices(status).to_pylist() == whole  # once the whole order is kept
