"""The claims path's compiled kernels (``claims.c``), when the build could compile them.

A million claims' persons are ranked by code point, the claims sorted into decision order
and decided by the five rules of RECORDS.md. In numpy these are sequences of whole-array
passes (a few a byte position for the persons' codes; a digit sort of a packed key; rules
worked out by cumulative sums and a settling guess), each pass streaming megabytes through
memory: together about 75 ms a million, which kept the check above 3x a pyarrow read of
the same files. The same steps as plain loops in C take one pass each or a few, about
30 ms. ``hatch_build.py`` compiles ``claims.c`` when the package is built
or installed (a shared library of the C library only, loaded with :mod:`ctypes`: nothing
tied to a Python version); where there is no C compiler, or ``OBC_NATIVE=0``, the numpy
steps run instead, with identical results (the tests hold the two together, and
``OBC_NATIVE=require``, which ``make test`` sets, makes a missing library an error
instead of a quiet fallback).

ctypes lets go of the GIL for each call, so two calls on two threads run on two cores.
Every wrapper checks the arrays' types, lengths and layout before the call: the C code
trusts them.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

VERSION = 2
"""``obc_kernels_version()`` of the library this module was written for."""

LIBRARY = Path(__file__).with_name("_claims.so")
"""Where ``hatch_build.py`` puts the compiled library (gitignored; built at install)."""

SOURCE = Path(__file__).with_name("claims.c")
"""The kernels' C source, shipped beside the library (the wheel carries both)."""


def source_digest(text: bytes) -> str:
    """The source's SHA-256, its first 16 hex digits.

    ``hatch_build.py`` records the same in the library it compiles (``obc_kernels_source``).
    """
    return hashlib.sha256(text).hexdigest()[:16]


_P = ctypes.c_void_p
_I64 = ctypes.c_int64
_INT = ctypes.c_int


class KernelsMissingError(RuntimeError):
    """``OBC_NATIVE=require`` and the compiled library is missing or out of date."""


def _declare(library: ctypes.CDLL) -> None:
    """The kernels' argument and result types (a missing one raises AttributeError)."""
    library.obc_sort_claims.restype = _INT
    library.obc_sort_claims.argtypes = [_I64, _P, _P, _P, _I64, _INT, _INT, _INT, _INT, _I64,
                                        _P]
    library.obc_merge_decode.restype = _INT
    library.obc_merge_decode.argtypes = [_I64, _P, _I64, _INT, _INT, _INT, _INT, _I64, _P, _P,
                                         _P, _P]
    library.obc_mark_symbols.restype = None
    library.obc_mark_symbols.argtypes = [_I64, _P, _I64, _P]
    library.obc_fill_codes.restype = _INT
    library.obc_fill_codes.argtypes = [_I64, _P, _I64, _I64, _P, _P, _P, _P]
    library.obc_code_table.restype = _I64
    library.obc_code_table.argtypes = [_I64, _P, _I64, _P, _P]
    library.obc_take_ranks.restype = None
    library.obc_take_ranks.argtypes = [_I64, _P, _P, _P]
    library.obc_decide.restype = _INT
    library.obc_decide.argtypes = [_I64, _P, _P, _P, _P, _P, _I64, _I64, _P, _P, _P, _INT,
                                   _I64, _I64, _I64, _I64, _I64, _INT, _P, _P]


def _load() -> ctypes.CDLL | None:
    setting = os.environ.get("OBC_NATIVE", "").strip().lower()
    if setting in {"0", "off", "no", "false"}:
        return None
    why = None
    library = None
    if not LIBRARY.exists():
        why = f"{LIBRARY} was not built (no C compiler at install time?)"
    else:
        try:
            library = ctypes.CDLL(str(LIBRARY))
            library.obc_kernels_version.restype = _I64
            library.obc_kernels_version.argtypes = []
            found = int(library.obc_kernels_version())
            if found != VERSION:
                why = f"{LIBRARY} is version {found}, not {VERSION}: reinstall to rebuild it"
                library = None
            else:
                library.obc_kernels_source.restype = ctypes.c_char_p
                library.obc_kernels_source.argtypes = []
                built_from = (library.obc_kernels_source() or b"").decode("ascii", "replace")
                if SOURCE.exists() and built_from != source_digest(SOURCE.read_bytes()):
                    why = (f"{LIBRARY} was built from another text of {SOURCE.name} (edited "
                           "since?): reinstall to rebuild it (make demo)")
                    library = None
            if library is not None:
                _declare(library)
        except (OSError, AttributeError) as error:  # AttributeError: a function missing
            why, library = f"{LIBRARY} could not be loaded: {error}", None
    if library is None:
        if setting == "require":
            raise KernelsMissingError(f"OBC_NATIVE=require: {why}")
        return None
    return library


_LIBRARY = _load()
_OFF: list[bool] = []


def available() -> bool:
    """True when the compiled kernels are loaded and not switched off (:func:`numpy_only`)."""
    return _LIBRARY is not None and not _OFF


@contextlib.contextmanager
def numpy_only() -> Iterator[None]:
    """The numpy steps, not the kernels, inside the block (the tests compare the two)."""
    _OFF.append(True)
    try:
        yield
    finally:
        _OFF.pop()


def _ptr(array: np.ndarray, dtype: type[np.generic], length: int, out: bool = False) -> int:
    """The address of a 1-d, aligned, C-contiguous ``dtype`` array of ``length`` items.

    ``out``: the C code writes it, so it must be writable too. Anything else is a
    ValueError: the C code trusts what it is given.
    """
    return _address(array, dtype, (length,), out)


def _address(array: np.ndarray, dtype: type[np.generic], shape: tuple[int, ...],
             out: bool) -> int:
    if (array.dtype != np.dtype(dtype) or array.shape != shape
            or not array.flags.c_contiguous or not array.flags.aligned
            or (out and not array.flags.writeable)):
        raise ValueError(f"kernel argument: {array.dtype}{array.shape}, expected "
                         f"{np.dtype(dtype)}{list(shape)}, contiguous, aligned"
                         + (", writable" if out else ""))
    address: int = array.ctypes.data
    return address


def as_int32(array: np.ndarray) -> np.ndarray:
    """``array`` as contiguous int32 for a kernel: no copy when it is that already.

    Any other integer type is checked to fit first (a cast alone would wrap a code of
    2**32 + 1 to 1, which a range check after it would pass).
    """
    if array.dtype != np.int32:
        info = np.iinfo(np.int32)
        if array.dtype.kind not in "iub" or (len(array) and (
                int(array.min()) < info.min or int(array.max()) > info.max)):
            raise ValueError(f"kernel argument: {array.dtype} values beyond int32")
    return np.ascontiguousarray(array, np.int32)


def _library() -> ctypes.CDLL:
    if _LIBRARY is None or _OFF:
        raise RuntimeError("the compiled kernels are not available (kernels.available())")
    return _LIBRARY


def sort_claims(day: np.ndarray, price: np.ndarray, person: np.ndarray, first: int,
                bits: tuple[int, int, int, int], offset: int, out: np.ndarray) -> None:
    """``out`` = the claims' packed values sorted (``obc_sort_claims``).

    ``bits`` is (price bits, person bits, position bits, key bits); the key must fit its
    bits and key bits + position bits be at most 63 (the caller's check).
    """
    pb, qb, nb, kb = bits
    if kb + nb > 63 or min(bits) < 0:
        raise ValueError(f"kernel sort: {kb} key bits and {nb} position bits")
    n = len(day)
    status = _library().obc_sort_claims(
        n, _ptr(day, np.int32, n), _ptr(price, np.int32, n), _ptr(person, np.int32, n), first,
        pb, qb, nb, kb, offset, _ptr(out, np.int64, n, out=True))
    if status:
        raise MemoryError("the claims' sort could not have its scratch memory")


def merge_decode(values: np.ndarray, cut: int, front: bool, first: int,
                 bits: tuple[int, int, int], order: np.ndarray, person: np.ndarray,
                 price: np.ndarray, day: np.ndarray) -> bool:
    """Half of the merge of ``values[:cut]`` and ``values[cut:]``, decoded; a repeat in it."""
    pb, qb, nb = bits
    n = len(values)
    if not 0 <= cut <= n:
        raise ValueError(f"kernel merge: cut {cut} of {n}")
    return bool(_library().obc_merge_decode(
        n, _ptr(values, np.int64, n), cut, int(front), pb, qb, nb, first,
        _ptr(order, np.int64, n, out=True), _ptr(person, np.int32, n, out=True),
        _ptr(price, np.int32, n, out=True), _ptr(day, np.int32, n, out=True)))


PAIRS = 1 << 16
"""Symbols a position of a fixed-width string can have: a byte pair."""


def _table(array: np.ndarray, dtype: type[np.generic], shape: tuple[int, int],
           out: bool = False) -> int:
    """:func:`_ptr` for a 2-d array of ``shape``."""
    return _address(array, dtype, shape, out)


def _rows_of(data: np.ndarray, width: int) -> int:
    if width <= 0 or len(data) % width:
        raise ValueError(f"kernel strings: {len(data)} bytes of {width}-byte strings")
    return len(data) // width


def mark_symbols(data: np.ndarray, width: int, seen: np.ndarray) -> None:
    """Mark in ``seen`` the symbols at each position of the ``width``-byte strings in ``data``.

    ``data`` is the strings' bytes one after another; ``seen`` is bool, a row of
    :data:`PAIRS` for each position (``(width + 1) // 2`` of them), set where a symbol occurs.
    """
    n = _rows_of(data, width)
    _library().obc_mark_symbols(n, _ptr(data, np.uint8, len(data)), width,
                                _table(seen, np.bool_, ((width + 1) // 2, PAIRS), out=True))


def fill_codes(data: np.ndarray, width: int, where: np.ndarray, radix: np.ndarray,
               digits: np.ndarray, code: np.ndarray) -> None:
    """Each string's code: its kept positions' digits read as one mixed-radix number.

    ``where`` and ``radix`` are the kept positions and their radices (int64), ``digits``
    a row of :data:`PAIRS` digits (int32) for each; the caller keeps the codes within int64.
    """
    n, kept = _rows_of(data, width), len(where)
    if kept and (int(where.min()) < 0 or int(where.max()) >= (width + 1) // 2):
        raise ValueError("kernel codes: a position past the strings' width")
    if _library().obc_fill_codes(n, _ptr(data, np.uint8, len(data)), width, kept,
                                 _ptr(where, np.int64, kept), _ptr(radix, np.int64, kept),
                                 _table(digits, np.int32, (kept, PAIRS)),
                                 _ptr(code, np.int64, n, out=True)):
        raise ValueError(f"kernel codes: {kept} positions, more than strings of 16 bytes have")


def code_table(code: np.ndarray, span: int, table: np.ndarray, rows: np.ndarray) -> int:
    """``table`` = each code's dense rank (-1 if absent), ``rows`` = a row of each; the count.

    Every code must be below ``span`` (checked here: the C code indexes by them).
    """
    n = len(code)
    if n and (int(code.min()) < 0 or int(code.max()) >= span):
        raise ValueError(f"kernel ranks: a code outside 0..{span - 1}")
    return int(_library().obc_code_table(n, _ptr(code, np.int64, n), span,
                                         _ptr(table, np.int64, span, out=True),
                                         _ptr(rows, np.int64, n, out=True)))


def take_ranks(code: np.ndarray, table: np.ndarray, rank: np.ndarray) -> None:
    """``rank`` = ``table[code]`` as int32 (the table :func:`code_table` made of the codes)."""
    n = len(code)
    if n and (int(code.min()) < 0 or int(code.max()) >= len(table)):
        raise ValueError(f"kernel ranks: a code outside 0..{len(table) - 1}")
    _library().obc_take_ranks(n, _ptr(code, np.int64, n),
                              _ptr(table, np.int64, len(table)),
                              _ptr(rank, np.int32, n, out=True))


def decide(price: np.ndarray, person: np.ndarray, day: np.ndarray, started: np.ndarray,
           window_end: np.ndarray, amounts: np.ndarray, once: np.ndarray, limit: np.ndarray,
           person_cap: int | None, term_cap: int, term: tuple[int, int], as_of: int,
           window: bool, reason: np.ndarray, amount: np.ndarray) -> None:
    """The five rules over claims in decision order (``obc_decide``), into reason/amount.

    ``price`` and ``person`` must be codes below ``len(amounts)`` and ``len(started)``:
    the C loop indexes by them unchecked, so they are checked here (two reductions).
    """
    n, prices, people = len(day), len(amounts), len(started)
    if n and (int(price.min()) < 0 or int(price.max()) >= prices or int(person.min()) < 0
              or int(person.max()) >= people):
        raise ValueError("kernel decide: a price or person code out of range")
    flags = np.ascontiguousarray(once, np.uint8)
    status = _library().obc_decide(
        n, _ptr(price, np.int32, n), _ptr(person, np.int32, n), _ptr(day, np.int32, n),
        _ptr(started, np.int32, people), _ptr(window_end, np.int32, people), prices, people,
        _ptr(amounts, np.int64, prices), _ptr(flags, np.uint8, prices),
        _ptr(limit, np.int64, prices), int(person_cap is not None), int(person_cap or 0),
        term_cap, term[0], term[1], as_of, int(window), _ptr(reason, np.int8, n, out=True),
        _ptr(amount, np.int64, n, out=True))
    if status:
        raise MemoryError("the claims' rules could not have their tables")
