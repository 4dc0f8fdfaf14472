"""Two pieces of claim-sized work at once, when the machine has a core to spare.

numpy's loops over big arrays and pyarrow's kernels let go of the GIL, so two threads each
running such work take two cores. The claims path splits its heaviest steps in halves that
write disjoint parts of their outputs (the persons' byte passes, the decision sort): each
half's result is the same whichever thread makes it and whenever, so the outcome never
depends on the threads (tests hold the split and the one-thread paths equal). On one core
the halves simply run in turn.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


def spare_core() -> bool:
    """True when this process may run on more than one core (its affinity, else the count)."""
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # not on Linux
        return (os.cpu_count() or 1) > 1


def both(first: Callable[[], A], second: Callable[[], B], together: bool = True
         ) -> tuple[A, B]:
    """``(first(), second())``, ``second`` on a thread of its own while ``first`` runs here.

    ``together=False`` (or a single core) runs them in turn on this thread. An exception
    from either is raised here, after both have finished (the thread is always joined).
    """
    if not together or not spare_core():
        return first(), second()
    with ThreadPoolExecutor(1, thread_name_prefix="obc-half") as worker:
        later = worker.submit(second)
        here = first()
        return here, later.result()


def halves(n: int, work: Callable[[slice], T], together: bool = True) -> list[T]:
    """``work`` over positions ``0..n``: the two halves at once, or all in one call.

    ``together`` (and a spare core): ``[work(first half), work(second half)]``, the second
    half here and the first on a thread; otherwise ``[work(slice(0, n))]``. ``work`` must
    write only the positions it is given.
    """
    if not together or n < 2:
        return [work(slice(0, n))]
    half = n // 2
    second, first = both(lambda: work(slice(half, n)), lambda: work(slice(0, half)))
    return [first, second]
