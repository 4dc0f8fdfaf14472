"""Claim-sized numpy arrays whose memory comes from pyarrow's pool, not from ``malloc``.

A million claims make many arrays of 1-8 MB. numpy takes them from glibc's heap, which
gives the top of the heap back to the kernel whenever enough of it is free, so a process
that checks bundles one after another gets fresh pages for much of every check: the kernel
faults each 4 KB page in and zeroes it (about 3.5 µs a page on the benchmark's machine,
7 ms for every 8 MB, more than the arithmetic that fills it). pyarrow's pool (mimalloc or
jemalloc) keeps freed pages for the next allocation, as it does for the tables the CSV
reader makes, so the arrays a check holds and the biggest temporaries are taken from it.

The first check in a process still pays for the pages once; only later checks reuse them.
The arrays are ordinary writable numpy arrays (the pool's buffer is their base), so the
code that uses them reads as plain numpy with ``out=``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa


def empty(n: int, dtype: Any) -> np.ndarray:
    """``np.empty(n, dtype)`` in the pool (uninitialised)."""
    kind = np.dtype(dtype)
    if n <= 0:
        return np.empty(0, kind)
    out: np.ndarray = np.frombuffer(pa.allocate_buffer(n * kind.itemsize), kind, n)
    return out


def full(n: int, value: int | bool, dtype: Any) -> np.ndarray:
    """``np.full(n, value, dtype)`` in the pool."""
    out = empty(n, dtype)
    out.fill(value)
    return out


def take(values: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``values[indices]`` in the pool (``indices`` must be in range: they are not checked).

    ``mode="clip"``: with ``out`` given, numpy's default ``mode="raise"`` would first take
    into a buffer of its own and copy, the very allocation this avoids.
    """
    out = empty(len(indices), values.dtype)
    np.take(values, indices, out=out, mode="clip")
    return out


_POSITIONS: list[np.ndarray] = []
"""``0, 1, 2, …`` as intp in the pool, the longest asked for so far (8 MB for a million
claims), so that :func:`flatnonzero` and a scatter of positions need not make it anew."""


def positions(n: int) -> np.ndarray:
    """``np.arange(n)`` as intp, a read-only view of positions kept in the pool."""
    kept = _POSITIONS[0] if _POSITIONS else None
    if kept is None or len(kept) < n:  # two threads (load.py) may both make it: either is right
        kept = empty(max(n, 2 * len(kept) if kept is not None else n), np.intp)
        kept[:] = np.arange(len(kept), dtype=np.intp)
        kept.flags.writeable = False
        _POSITIONS[:] = [kept]
    return kept[:n]


def flatnonzero(mask: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(mask)`` (a 1-D bool ``mask``) in the pool."""
    out = empty(int(np.count_nonzero(mask)), np.intp)
    np.compress(mask, positions(len(mask)), out=out)
    return out
