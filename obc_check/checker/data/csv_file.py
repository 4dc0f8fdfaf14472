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
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, cast, overload

import pyarrow as pa

from obc_check.checker.data.twocores import halves

if TYPE_CHECKING:
    import numpy as np

_BOM = b"\xef\xbb\xbf"
_BLOCK = 1 << 24
"""The bytes numpy looks at in one step: 16 MB, a few milliseconds."""
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
        self._found: dict[bytes, bool] = {}
        self._breaks: _Breaks | None = None
        self._counted = False  # line_count ran: ``_breaks`` None then means mixed line ends

    @classmethod
    def map(cls, path: Path) -> CsvFile:
        """The file at ``path``, mapped read-only (an empty file cannot be mapped: bytes)."""
        with path.open("rb") as handle:
            if not os.fstat(handle.fileno()).st_size:
                return cls(b"", path)
            return cls(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ), path)

    def release(self, start: int = 0, size: int | None = None) -> None:
        """Let the kernel drop this process's pages of the file (they stay in its cache).

        A bulk scan of a mapped 600 MB file counts 600 MB in the process's resident memory
        until then; a reader that opens the file itself (DuckDB) needs none of them. Only
        the pages of ``size`` bytes from ``start`` (a scan a block at a time lets each go).
        """
        if isinstance(self._raw, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            if size is None:
                self._raw.madvise(mmap.MADV_DONTNEED)
                return
            first = start - start % mmap.PAGESIZE
            size = min(start + size, len(self._raw)) - first
            if size > 0:
                self._raw.madvise(mmap.MADV_DONTNEED, first, size)

    def contains(self, needle: bytes) -> bool:
        """True when ``needle`` occurs anywhere in the file (a memchr-speed scan, once)."""
        found = self._found.get(needle)
        if found is None:
            found = self._found[needle] = self._raw.find(needle) >= 0
        return found

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
        time, the two halves of the file at once when a core is spare: about 0.1 s for
        600 MB), for the engine to know whether record *i* of the file is on line *i + 1*
        (then its line count is its records' count plus the header's). The breaks of each
        block are kept (a number per block), for :meth:`line_start`. A block with no CR (a
        memchr-speed search) has only its LFs counted.
        """
        import numpy as np

        self._counted = True
        size = len(self._raw)
        if not size:
            return 0
        block = _BLOCK
        data = np.frombuffer(self._raw, dtype=np.uint8)
        starts = range(0, size, block)
        lfs = [0] * len(starts)
        crs_in = [0] * len(starts)
        pairs_in = [0] * len(starts)

        def count(blocks: slice) -> None:
            for b in range(*blocks.indices(len(starts))):
                start = starts[b]
                part = data[start:start + block + 1]  # one byte more: a CR LF across the edge
                head = part[:block]
                lfs[b] = int(np.count_nonzero(head == 10))
                # CRs counted only in a block that has one (a memchr-speed search of the
                # block: of the whole file, it would keep all its pages in memory)
                if self._raw.find(b"\r", start, start + block) >= 0:
                    crs = head == 13
                    crs_in[b] = n = int(np.count_nonzero(crs))
                    if n:
                        m = min(len(head), len(part) - 1)
                        pairs_in[b] = int(np.count_nonzero(crs[:m] & (part[1:m + 1] == 10)))
                self.release(start, block)

        halves(len(starts), count)
        lf, cr, pairs = sum(lfs), sum(crs_in), sum(pairs_in)
        if cr and lf and not cr == lf == pairs:
            return None
        breaks = lf or cr
        # A line starts after each LF (a CR before it ends the same line), or after each CR
        # of a file of CR line ends.
        self._breaks = _Breaks(10 if lf else 13, lfs if lf else crs_in)
        last = self._raw[size - 1:size]
        return breaks + (0 if last in (b"\n", b"\r") else 1)

    def line_start(self, line: int) -> int | None:
        """The byte offset where ``line`` (1-based) starts, or None when it cannot say.

        Only for a file whose lines all end alike (:meth:`line_count`; None otherwise, or
        past the last line). The breaks of the one block the line starts in are found
        (numpy, kept for the next line asked for), not the whole file's: placing a bad cell
        of a 600 MB file then takes milliseconds, not the second or so of
        :meth:`line_starts`. Line 1 starts after a BOM.
        """
        if line == 1:
            return len(_BOM) if self._raw[:len(_BOM)] == _BOM else 0
        if not self._counted:
            self.line_count()
        return None if self._breaks is None else self._breaks.start(self._raw, line)

    @property
    def break_byte(self) -> int | None:
        """The one byte every line ends with (10: LF, or CR LF; 13: CR), once counted.

        By :meth:`line_count`; None for mixed line ends, or before.
        """
        return None if self._breaks is None else self._breaks.byte

    def line_begin(self, at: int) -> int:
        """Where the LF-ended line holding byte ``at`` starts."""
        return self._raw.rfind(b"\n", 0, at) + 1

    def line_end(self, at: int) -> int:
        """Just after the LF that ends the line holding byte ``at`` (the file's end if none)."""
        found = self._raw.find(b"\n", at)
        return len(self._raw) if found < 0 else found + 1

    def lines_of(self, offsets: Sequence[int]) -> list[int]:
        """The line (1-based) holding each byte of ``offsets``, of a file of LF line ends.

        The LFs before each block are counted already (:meth:`line_count`); of the blocks
        the offsets are in, the LFs are found once each (numpy, kept as for
        :meth:`line_start`), and each offset's line is the count before it.
        """
        import numpy as np

        breaks = self._breaks
        assert breaks is not None and breaks.byte == 10
        lines = []
        for at in offsets:
            block = at // _BLOCK
            found = breaks.block(self._raw, block)
            self.release(block * _BLOCK, _BLOCK)  # its pages read: they may go
            lines.append(int(breaks.before[block])
                         + int(np.searchsorted(found, at - block * _BLOCK)) + 1)
        return lines

    def pieces(self, start: int, size: int) -> Iterator[pa.Buffer] | None:
        """The bytes from ``start`` on, in pieces of about ``size`` cut after a line break.

        For a reader of a file whose lines all end alike (:meth:`line_count`; None
        otherwise), a piece at a time: each is whole lines, pyarrow buffers over the
        mapping (no copy), whose pages are let go when the next is asked for.
        """
        if not self._counted:
            self.line_count()
        if self._breaks is None:
            return None
        return self._pieces(start, size, bytes([self._breaks.byte]))

    def _pieces(self, start: int, size: int, brk: bytes) -> Iterator[pa.Buffer]:
        end = len(self._raw)
        while start < end:
            cut = self._raw.find(brk, min(start + size, end) - 1)
            stop = end if cut < 0 else cut + 1
            yield self.data.slice(start, stop - start)
            self.release(start, stop - start)  # read: its pages may go
            start = stop

    def lines(self) -> Sequence[str] | None:
        """The file's text split at each LF, as ``text.split(LF)``, a line when asked for.

        For showing the line of a diagnostic: a 600 MB file is not decoded (nor split into
        ten million strings, 2 GB) to show five of its lines. None for a file of CR line
        ends, of mixed ones, or not UTF-8: then ``text`` is split.
        """
        if not self._counted:
            self.line_count()
        if self._breaks is None or self._breaks.byte != 10 or self.utf8_error() is not None:
            return None
        return _Lines(self)

    def window(self, start: int, size: int) -> tuple[str, bool]:
        """The text from byte ``start``, ``size`` bytes at least, and whether it is the last.

        Cut just after a line break (never inside a UTF-8 character), so that it decodes
        alone; a BOM at the start of the file is left out.
        """
        raw = self._raw
        end = start + size
        if end >= len(raw):
            end = len(raw)
        else:
            # the CR looked for only up to the LF: a file without CRs was searched to its
            # end for one, for each line shown (0.1 s for five lines of a 600 MB file)
            lf = raw.find(b"\n", end)
            cr = raw.find(b"\r", end, lf if lf >= 0 else len(raw))
            breaks = [at for at in (lf, cr) if at >= 0]
            end = min(breaks) + 1 if breaks else len(raw)
        return raw[start:end].decode("utf-8-sig" if start == 0 else "utf-8"), end == len(raw)

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
            # sorted only when there are lone CRs among the LFs (0.45 s of a 600 MB file)
            both = np.sort(np.concatenate([lf, lone])) if len(lone) else lf
            ends.append(both + (start + 1))
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


class _Breaks:
    """Where a file's lines start, found a block at a time (:meth:`CsvFile.line_start`).

    ``byte``: the one line break (LF, or CR in a file of CR line ends); ``counts``: how many
    each block of :data:`_BLOCK` bytes holds.
    """

    def __init__(self, byte: int, counts: Sequence[int]) -> None:
        import numpy as np

        self.byte = byte
        self.before = np.cumsum([0, *counts])  # breaks before each block
        self._blocks: dict[int, np.ndarray] = {}

    def start(self, raw: mmap.mmap | bytes, line: int) -> int | None:
        """Where ``line`` (2 or more) starts: just after the ``line - 1``-th break."""
        import numpy as np

        nth = line - 1  # 1-based count of the break before the line
        if nth > int(self.before[-1]):
            return None
        block = int(np.searchsorted(self.before, nth)) - 1  # before[block] < nth <= next
        found = self.block(raw, block)
        return block * _BLOCK + int(found[nth - int(self.before[block]) - 1]) + 1

    def block(self, raw: mmap.mmap | bytes, block: int) -> np.ndarray:
        """Where the breaks of block ``block`` are, from its start (found once, then kept)."""
        import numpy as np

        found = self._blocks.get(block)
        if found is None:
            data = np.frombuffer(raw, dtype=np.uint8)[block * _BLOCK:(block + 1) * _BLOCK]
            # kept as 32-bit offsets from the block's start (16 MB): half the memory
            found = self._blocks[block] = np.flatnonzero(data == self.byte).astype(np.int32)
        return found


class _Lines(Sequence[str]):
    """A file's lines as ``text.split(LF)`` gives them, each decoded when asked for."""

    def __init__(self, file: CsvFile) -> None:
        self._file = file
        breaks = file._breaks
        assert breaks is not None
        self._count = int(breaks.before[-1]) + 1

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        raw = self._file._raw
        start = self._file.line_start(index + 1)
        end = self._file.line_start(index + 2) if index + 1 < self._count else len(raw) + 1
        assert start is not None and end is not None
        return raw[start:end - 1].decode("utf-8")
