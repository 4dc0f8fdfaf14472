"""The lines of a plain CSV file that hold given texts as whole cells, found in one pass.

When the one scan finds bad cells in a big file and knows every bad text (its least and
most of each kind, :func:`~.duck._known_values`), the cells are placed from the few lines
that hold those texts, not by reading every cell again: Vectorscan (the ``hyperscan``
bindings) looks for all the texts at once, each between its cell's delimiters, over the
mapped file, the two halves on two cores (0.2 s for 600 MB, where pyarrow reading every
cell of the kinds' columns took 0.6 s and 1.2 s of CPU). Only an offer: None (and the
caller reads every cell) when the bindings are not installed, a text is empty (an empty
cell is everywhere), the file's lines do not end in LF, or the texts are found more often
than is worth picking the lines out one by one. A line holding a text in another column
than its kind's is only a candidate: the numbered pass's SQL tests each line found, and
the caller trusts the lines only when they hold every bad cell the scan counted.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from obc_check.checker.data.csv_file import CsvFile
from obc_check.checker.data.twocores import halves

#: More matches than this (a text in two columns of a line is two): picking the lines out
#: costs more than reading the cells.
MOST_LINES = 10_000
#: The bytes scanned in one call (and then let go of: the process's resident memory).
PIECE = 1 << 25
#: Off: always read every cell (the tests compare the two).
ENABLED = True


@dataclass(frozen=True)
class Lines:
    """The lines found: each line's number (1-based) and its bytes, line break included."""

    numbers: list[int]
    text: bytes


def _engine() -> ModuleType | None:
    """The ``hyperscan`` module, or None where it is not installed."""
    try:
        import hyperscan
    except ImportError:
        return None
    return hyperscan


def _pattern(text: str) -> bytes:
    r"""``text`` as a whole cell, as a pattern whose bytes are all written ``\xHH``.

    After a comma or at a line's start, before a comma or the line's end (a CR LF's too);
    no byte of the text is a pattern's.
    """
    inner = "".join(f"\\x{b:02x}" for b in text.encode("utf-8"))
    return f"(?:^|,){inner}(?:,|\\r?$)".encode("ascii")


def lines_with(file: CsvFile, start: int, texts: Sequence[str]) -> Lines | None:
    """The lines from byte ``start`` (a line's start) holding one of ``texts`` as a cell.

    In file order, each once; None when this cannot say (see the module's docstring). The
    file's lines must be counted already (:meth:`CsvFile.line_count`).
    """
    hs = _engine() if ENABLED else None
    wanted = sorted(set(texts))
    if hs is None or not wanted or "" in wanted or file.break_byte != 10:
        return None
    try:
        db = hs.Database(mode=hs.HS_MODE_BLOCK)
        db.compile(expressions=[_pattern(t) for t in wanted], ids=list(range(len(wanted))),
                   elements=len(wanted), flags=[hs.HS_FLAG_MULTILINE] * len(wanted))
    except hs.error:  # e.g. a CPU it was not built for: every cell is read instead
        return None
    size = file.data.size
    pieces: list[tuple[int, int]] = []
    while start < size:
        stop = file.line_end(min(start + PIECE, size) - 1)
        pieces.append((start, stop))
        start = stop
    ends: list[list[int]] = [[] for _ in pieces]
    over = threading.Event()

    def scan(which: slice) -> None:
        try:
            scan_pieces(which)
        except hs.error:  # stopped by ``hit`` (ScanTerminated), or failed: not known
            over.set()

    def scan_pieces(which: slice) -> None:
        scratch = hs.Scratch(db)  # one per thread: a scan writes its scratch
        for k in range(*which.indices(len(pieces))):
            if over.is_set():
                return
            first, stop = pieces[k]
            found = ends[k]

            def hit(_id: int, _from: int, to: int, _flags: int, _context: object,
                    found: list[int] = found, first: int = first) -> bool:
                found.append(first + to - 1)  # the match's last byte: on its line
                if len(found) > MOST_LINES:
                    over.set()
                    return True  # stops the scan
                return False

            db.scan(memoryview(file.data)[first:stop], match_event_handler=hit,
                    scratch=scratch)
            file.release(first, stop - first)

    halves(len(pieces), scan)
    if over.is_set() or sum(map(len, ends)) > MOST_LINES:
        return None
    starts = sorted({file.line_begin(at) for found in ends for at in found})
    chunks = []
    for at in starts:
        stop = file.line_end(at)
        chunk = file.data[at:stop].to_pybytes()
        chunks.append(chunk if chunk.endswith(b"\n") else chunk + b"\n")
    return Lines(file.lines_of(starts), b"".join(chunks))
