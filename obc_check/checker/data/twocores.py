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
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

SPLIT_AT = 1 << 16
"""Rows from which the claims path runs its bulk steps as two halves at once; below it a
thread costs more than it saves."""

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


def spare_core() -> bool:
    """True when this process may run on more than one core and another is idle now.

    Idle by the kernel's count of tasks running or ready to run at this moment (the fourth
    field of ``/proc/loadavg``, this thread among them): fewer than the cores. With every
    core busy a second thread only waits for one, and its halves then cost more CPU than
    one thread doing both (at a load of 3 on two cores: 15 ms more CPU a million claims,
    no sooner by the clock). The load average itself would not do: it counts this
    process's own threads over the last minute, so a check running on both cores would
    stop itself splitting.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    running = _running()
    return running is None or running < cores


def _running() -> int | None:
    """Tasks running or runnable system-wide now (``/proc/loadavg``), or None if unknown."""
    try:
        with open("/proc/loadavg", "rb") as stats:
            return int(stats.read().split()[3].split(b"/")[0])
    except (OSError, IndexError, ValueError):
        return None


_HALF = "obc-half"
_WORKERS: list[ThreadPoolExecutor] = []
_STARTING = threading.Lock()


def _worker() -> ThreadPoolExecutor:
    """The one thread that takes the second halves, started on first use and then kept.

    A check splits a dozen steps in two; a thread of its own for each cost 0.1-0.2 ms to
    start and join, as much as some of the halves it ran.
    """
    with _STARTING:
        if not _WORKERS:
            _WORKERS.append(ThreadPoolExecutor(1, thread_name_prefix=_HALF))
        return _WORKERS[0]


_SIDE = "obc-side"
_SIDES: dict[int, ThreadPoolExecutor] = {}


def _forget_threads() -> None:
    """In a child made by ``fork``: forget the parent's kept threads (the child has none).

    A kept pool would think its worker still runs, and work handed to it would never run:
    a check driven through ``multiprocessing`` with the fork start method would hang. The
    child starts its own threads on first use, as a new process does.
    """
    global _STARTING
    _WORKERS.clear()
    _SIDES.clear()
    _STARTING = threading.Lock()  # it may have been held by a parent thread at the fork


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_forget_threads)


def side(lane: int = 0) -> ThreadPoolExecutor:
    """A thread for a whole step run beside another, one per ``lane``, kept once started.

    Not the halves' worker, which the other step may use. Kept, not started for each
    check: a thread's allocations come from heaps of its own (glibc's arenas, pyarrow's
    allocator), and a fresh thread a check faulted in fresh pages (thousands a
    million-claim check, several µs each) for what it made. Steps that run at once, or one
    of which waits for the other, take different lanes: the loader reads ``participants``
    in lane 0 while the claims' price look-up, which waits for the participants, runs in
    lane 1.
    """
    with _STARTING:
        if lane not in _SIDES:
            _SIDES[lane] = ThreadPoolExecutor(1, thread_name_prefix=f"{_SIDE}{lane}")
        return _SIDES[lane]


def both(first: Callable[[], A], second: Callable[[], B], together: bool = True
         ) -> tuple[A, B]:
    """``(first(), second())``, ``second`` on the worker thread while ``first`` runs here.

    ``together=False``, a single core, or a call from the worker itself runs them in turn
    on this thread. An exception from either is raised here, after both have finished (so
    no half is still writing when the caller moves on).
    """
    if (not together or not spare_core()
            or threading.current_thread().name.startswith(_HALF)):
        return first(), second()
    later = _worker().submit(second)
    try:
        here = first()
    finally:
        wait([later])
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
