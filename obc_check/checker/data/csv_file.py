"""One CSV file of a bundle, memory-mapped: its bytes for pyarrow, its text only on demand.

A payments ledger can be tens of megabytes. Mapping the file (instead of reading it) costs
nothing up front; when the columnar loader (``columnar_csv``) can take the file, pyarrow
parses the mapped bytes directly, and the text is never copied or decoded in Python at all.
Whole-file byte searches (is there a quote anywhere?) run at memory speed on the mapping.
Only the row validator and diagnostics that point at a cell ask for ``text``.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import cast

import pyarrow as pa

_BOM = b"\xef\xbb\xbf"
_HEADER_PROBE = 1 << 16
"""How far into a file to look for the end of a plain header line."""


class CsvFile:
    """A file's bytes (``data``, a pyarrow buffer over the mapping) and, on demand, its text.

    ``text`` is decoded once, on first use, and shared by the row reader and the origin
    that locates cells for diagnostics.
    """

    def __init__(self, raw: mmap.mmap | bytes, path: Path | None = None) -> None:
        self._raw = raw
        self.data = pa.py_buffer(raw)
        self.path = path
        """Where the file is, for a reader that opens it itself (DuckDB's CSV reader)."""

    @classmethod
    def map(cls, path: Path) -> CsvFile:
        """The file at ``path``, mapped read-only (an empty file cannot be mapped: bytes)."""
        with path.open("rb") as handle:
            if not os.fstat(handle.fileno()).st_size:
                return cls(b"", path)
            return cls(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ), path)

    def release(self) -> None:
        """Let the kernel drop this process's pages of the file (they stay in its cache).

        A bulk scan of a mapped 600 MB file counts 600 MB in the process's resident memory
        until then; a reader that opens the file itself (DuckDB) needs none of them.
        """
        if isinstance(self._raw, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            self._raw.madvise(mmap.MADV_DONTNEED)

    def contains(self, needle: bytes) -> bool:
        """True when ``needle`` occurs anywhere in the file (a memchr-speed scan)."""
        return self._raw.find(needle) >= 0

    @cached_property
    def text(self) -> str:
        """The file's text (a BOM dropped); only ever asked for after ``utf8_error``."""
        return self._raw[:].decode("utf-8-sig")

    def utf8_error(self) -> tuple[bytes, UnicodeDecodeError] | None:
        """The bytes and why they are not UTF-8, or None when they are.

        pyarrow checks the whole buffer in bulk; only a file that fails is decoded by
        Python, to say where.
        """
        offsets = pa.array([0, self.data.size], pa.int64()).buffers()[1]
        try:
            pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, self.data]).cast(
                pa.large_string())
        except pa.ArrowInvalid:
            raw = self._raw[:]
            try:
                raw.decode("utf-8-sig")
            except UnicodeDecodeError as err:
                return raw, err
        return None

    def line_count(self) -> int | None:
        """How many lines the file has when every line ends alike (LF, CR LF or CR); else None.

        A last line without a line break counts. Counted in bulk (numpy, a block at a
        time, about 0.15 s for 600 MB), for the engine to know whether record *i* of the file
        is on line *i + 1* (then its line count is its records' count plus the header's).
        """
        import numpy as np

        size = len(self._raw)
        if not size:
            return 0
        block = 1 << 24
        data = np.frombuffer(self._raw, dtype=np.uint8)
        lf = cr = pairs = 0
        for start in range(0, size, block):
            part = data[start:start + block + 1]  # one byte more: a CR LF across the edge
            head = part[:block]
            lf += int(np.count_nonzero(head == 10))
            crs = head == 13
            n = int(np.count_nonzero(crs))
            cr += n
            if n:
                m = min(len(head), len(part) - 1)
                pairs += int(np.count_nonzero(crs[:m] & (part[1:m + 1] == 10)))
        if cr and lf and not cr == lf == pairs:
            return None
        breaks = lf or cr
        last = self._raw[size - 1:size]
        return breaks + (0 if last in (b"\n", b"\r") else 1)

    def line_starts(self, block: int = 1 << 24) -> Sequence[int] | None:
        """Where each line of ``text`` starts (0 first), for an ASCII file; else None.

        A line ends at CR LF, LF or a lone CR, as the origin's own search says
        (``origins._line_starts``), which takes a Python step per line: 7 s for a 10M-line
        file, to place one bad cell. Here numpy finds the breaks in the mapped bytes, a
        block of ``block`` bytes at a time (0.3 s). In an ASCII file a byte is a character
        (a BOM, not in ``text``, is skipped).
        """
        import numpy as np

        shift = len(_BOM) if self._raw[:len(_BOM)] == _BOM else 0
        data = np.frombuffer(self._raw, dtype=np.uint8)[shift:] if len(self._raw) else \
            np.zeros(0, np.uint8)
        size = len(data)
        ends: list[np.ndarray] = []
        for start in range(0, size, block):
            part = data[start:start + block + 1]  # one byte more: a CR LF across the edge
            head = part[:block]
            if int(head.max(initial=0)) >= 128:
                return None
            lf = np.flatnonzero(head == 10)
            cr = np.flatnonzero(head == 13)
            lone = cr[(cr + 1 >= len(part)) | (part[np.minimum(cr + 1, len(part) - 1)] != 10)]
            ends.append(np.sort(np.concatenate([lf, lone])) + (start + 1))
        # an array, not a list: 10M Python ints would take a second more
        return cast("Sequence[int]", np.concatenate([np.zeros(1, np.int64), *ends]))

    def plain_header(self) -> str | None:
        """The first line as text when it is a plain header: no quotes, no lone CR.

        Then the ``csv`` module reads the same cells from it as from the whole file, and the
        rest of the file need not be decoded to know the columns.
        """
        head = self._raw[:_HEADER_PROBE]
        end = head.find(b"\n")
        if end < 0:
            return None
        line = head[:end].removeprefix(_BOM).removesuffix(b"\r")
        if b'"' in line or b"\r" in line:
            return None
        return line.decode("utf-8")  # the whole file is UTF-8: this cannot fail
