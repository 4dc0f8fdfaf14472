"""The ``claims`` and ``participants`` tables (RECORDS.md), held as columns.

A person-level rate card is paid from claims, and a bundle may hold a million of them: they
are kept as pyarrow columns from the load to the report, never as one Python object a row.
Each table comes from one file (or sheet, or JSON key), so a row's origin is that file and
its row number, kept in the ``row`` column (CSV and XLSX count the header as row 1; JSON
counts from 1).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data import kernels, pooled, twocores
from obc_check.checker.data.tables import RowRef

CLAIMS_SCHEMA = pa.schema([("price", pa.string()), ("person", pa.string()),
                           ("achieved_on", pa.date32()), ("row", pa.int64())])
PARTICIPANTS_SCHEMA = pa.schema([("person", pa.string()), ("started_on", pa.date32()),
                                 ("row", pa.int64())])


@dataclass(frozen=True)
class ClaimTable:
    """``claims``: one row per outcome one person achieved, as columns, in file order."""

    table: pa.Table
    file: str = "claims"
    sheet: str | None = None
    codes: ClaimCodes | None = field(default=None, compare=False, repr=False)
    """The claims encoded and sorted (:func:`claim_codes`), when the loader has done it."""
    rows_from: int | None = field(default=None, compare=False, repr=False)
    """When the ``row`` column is ``rows_from, rows_from + 1, …`` in table order (a CSV
    read in bulk): a claim's row is then its position plus this, with no look-up."""

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def ref(self, row: int) -> RowRef:
        """Where row number ``row`` (as the ``row`` column gives it) stands."""
        return RowRef(self.file, row, self.sheet)

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, dt.date]], file: str = "claims",
           sheet: str | None = None, first_row: int = 2) -> ClaimTable:
        """Claims from ``(price, person, achieved_on)`` tuples (tests, converters)."""
        listed = list(rows)
        return cls(pa.table({
            "price": pa.array([r[0] for r in listed], pa.string()),
            "person": pa.array([r[1] for r in listed], pa.string()),
            "achieved_on": pa.array([r[2] for r in listed], pa.date32()),
            "row": pa.array(range(first_row, first_row + len(listed)), pa.int64()),
        }, schema=CLAIMS_SCHEMA), file, sheet, rows_from=first_row)


@dataclass(frozen=True)
class ParticipantTable:
    """``participants``: one row per person, the day they started, as columns."""

    table: pa.Table
    file: str = "participants"
    sheet: str | None = None
    unread: frozenset[str] = frozenset()
    """Persons whose row is there but could not be read (a bad start date, a repeat): they
    are in participants, so a claim for them is not also "not in participants" (D061)."""
    coded: PersonCodes | None = field(default=None, compare=False, repr=False)
    """The persons' position codes (:func:`person_codes`), when the fast loader made them
    to find repeats: :func:`with_starts` codes the claimed persons by the same book
    instead of coding both tables again."""

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def ref(self, row: int) -> RowRef:
        """Where row number ``row`` stands."""
        return RowRef(self.file, row, self.sheet)

    @classmethod
    def of(cls, rows: Iterable[tuple[str, dt.date]], file: str = "participants",
           sheet: str | None = None, first_row: int = 2) -> ParticipantTable:
        """Participants from ``(person, started_on)`` tuples (tests, converters)."""
        listed = list(rows)
        return cls(pa.table({
            "person": pa.array([r[0] for r in listed], pa.string()),
            "started_on": pa.array([r[1] for r in listed], pa.date32()),
            "row": pa.array(range(first_row, first_row + len(listed)), pa.int64()),
        }, schema=PARTICIPANTS_SCHEMA), file, sheet)


_DIGIT_BITS = 12
"""The widest digit :func:`stable_order` sorts in one pass: pyarrow sorts integers whose
range is at most 4,096 by counting (about 3 ms a million, where numpy's 16-bit radix sort
takes 10 ms), and by comparison beyond."""


def stable_order(keys: np.ndarray, split: bool = True) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative int64 keys, digit by digit.

    A key of up to 48 bits is cut into as few digits of at most :data:`_DIGIT_BITS` bits as
    it needs, of equal width (a million claims over a few years make 33 bits: three digits
    of 11), and sorted from the lowest digit up, each pass by pyarrow's stable counting
    sort: a million keys in three passes of about 5 ms, where one comparison sort takes
    100 ms. Only the 2-byte digits are gathered into the order so far, never the keys, and
    the orders and gathered digits live in pyarrow's pool (:mod:`pooled`). The order is
    int32 on this path (below 2**31 keys), int64 (numpy's) for short ones.

    Around each counting sort, the digits are cut and gathered, and the order gathered, in
    two halves of the output at once (:func:`twocores.halves`, from :data:`twocores.SPLIT_AT` keys
    and ``split``): each half writes only its own positions, so the result is the same.
    """
    n = len(keys)
    top = int(keys.max()) if n else 0
    if n < 4096 or top >= 1 << 48:
        return np.argsort(keys, kind="stable")
    bits = max(top.bit_length(), 1)
    passes = -(-bits // _DIGIT_BITS)
    width = -(-bits // passes)
    together = split and n >= twocores.SPLIT_AT
    shifted = pooled.empty(n, np.int64)
    cut = pooled.empty(n, np.uint16)  # each key's digit of this pass, by position
    digit = pooled.empty(n, np.uint16)  # those digits in the order so far
    # the order so far as int32: gathering it in the order of a counting sort's output
    # moved 8 MB a pass as int64 (a million keys: 4-10 ms), half as int32 (about 2 ms)
    small = np.int32 if n < 1 << 31 else np.int64
    perm, spare = pooled.empty(n, small), pooled.empty(n, small)

    def cut_digits(k: int, at: slice) -> None:
        np.right_shift(keys[at], k * width, out=shifted[at])
        np.copyto(cut[at], shifted[at], casting="unsafe")  # a wrapping cast: the low 16 bits
        cut[at] &= (1 << width) - 1

    def follow(at: slice, k: int, step: np.ndarray, perm: np.ndarray, out: np.ndarray
               ) -> None:
        """The order after pass ``k`` (``step`` taken from ``perm``), and the next digits."""
        if k == 0:
            np.copyto(out[at], step[at], casting="unsafe")  # positions below n: exact
        else:
            np.take(perm, step[at], out=out[at], mode="clip")
        if k + 1 < passes:
            cut_digits(k + 1, at)

    def gather(at: slice, perm: np.ndarray) -> None:
        np.take(cut, perm[at], out=digit[at], mode="clip")

    twocores.halves(n, lambda at: cut_digits(0, at), together)
    for k in range(passes):
        step = np.asarray(pc.sort_indices(pa.array(cut if k == 0 else digit))).view(np.int64)
        twocores.halves(n, functools.partial(follow, k=k, step=step, perm=perm, out=spare),
                        together)
        perm, spare = spare, perm
        if k + 1 < passes:
            twocores.halves(n, functools.partial(gather, perm=perm), together)
    return perm


@dataclass(frozen=True)
class ClaimCodes:
    """The claims as integer columns, and their decision order (RECORDS.md).

    ``price`` is each claim's place in the rate card (in ``prices``); ``person`` the rank of
    its person among the distinct ``persons``, which are sorted by code point (pyarrow
    compares UTF-8 bytes, which is code-point order), so that comparing ranks compares
    persons; ``day`` is ``achieved_on`` in days since 1970-01-01. The three are in decision
    order (``achieved_on``, then price, then person), the order the rules and the report
    take them in; ``order[i]`` is the table position of the ``i``-th claim in that order.
    ``repeats`` is true when two claims have the same price, person and day. The three
    codes are int32 (half the memory to move in every look-up of a million claims);
    anything that multiplies them widens to int64 first.
    """

    price: np.ndarray
    person: np.ndarray
    persons: pa.Array
    day: np.ndarray
    order: np.ndarray
    prices: tuple[str, ...]
    repeats: bool
    started: np.ndarray | None = None
    """Each distinct person's ``started_on`` (days), :data:`NO_START` when not a
    participant; None until :func:`with_starts` has looked them up."""


NO_START = np.iinfo(np.int64).min // 4
"""The start of a person who is not in participants (sorts before every real day)."""


def with_starts(codes: ClaimCodes, people: ParticipantTable) -> ClaimCodes:
    """``codes`` with each distinct person's start looked up in ``people`` (once)."""
    return replace(codes, started=starts_of(codes.persons, people))


def starts_of(persons: pa.Array, people: ParticipantTable) -> np.ndarray:
    """Each of the distinct ``persons``' ``started_on`` (days), :data:`NO_START` if none.

    The distinct claimed persons and the participants are coded together by position
    (:func:`_position_codes`), so the look-up is two array lookups into a table by code;
    identifiers too long for that are matched by pyarrow's hash (``pc.index_in``). It
    needs only the distinct persons, not the claims' order, so the fast loader runs it
    beside the claims' sort (``columnar_claims.claims``).
    """
    days = people.table.column("started_on").combine_chunks()
    starts = (np.asarray(days.cast(pa.int32()), np.int64) if len(days)
              else np.zeros(0, np.int64))
    q = len(persons)
    mine = _encode(people.coded, persons) if people.coded is not None else None
    if mine is not None:
        assert people.coded is not None
        claimed, known = mine
        by_code = np.full(people.coded.book.span, NO_START, np.int64)
        by_code[people.coded.code] = starts
        started = np.take(by_code, claimed)
        started[~known] = NO_START
        return started
    listed = people.table.column("person").combine_chunks()
    both = pa.concat_arrays([persons.cast(pa.string()), listed.cast(pa.string())])
    joint = _position_codes(both)
    if joint is not None:
        code, span, _width = joint
        by_code = np.full(span, NO_START, np.int64)
        by_code[code[q:]] = starts
        out: np.ndarray = by_code[code[:q]]
        return out
    at = pc.index_in(persons, value_set=listed)
    known = np.asarray(at.is_valid(), bool)
    started = np.full(q, NO_START, np.int64)
    started[known] = starts[np.asarray(at.drop_null(), np.int64)]
    return started


def has_repeats(values: pa.Array | pa.ChunkedArray, coded: PersonCodes | None = None) -> bool:
    """True when a string occurs twice (by position codes, else ``pc.unique``).

    ``coded`` is :func:`person_codes` of ``values`` when the caller has made them.
    """
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if coded is None:
        coded = person_codes(array)
    if coded is None:
        return len(pc.unique(array)) != len(array)
    return bool(np.bincount(coded.code, minlength=coded.book.span).max(initial=0) > 1)


@dataclass(frozen=True)
class CodeBook:
    """How :func:`_position_codes` coded one column: its positions, radices and digits.

    Enough to code other strings the same way (:func:`_encode`): a string of the column
    gets its code there, and one with a symbol the column never has at some position is
    none of the column's strings.
    """

    seen: np.ndarray  # (positions, symbols) bool: the symbols that occur at each position
    kept: tuple[tuple[int, int, np.ndarray], ...]  # (position, radix, symbol -> digit)
    fixed: bool
    longest: int
    span: int


@dataclass(frozen=True)
class PersonCodes:
    """A column's position codes (one int64 a row, below ``book.span``) and their book."""

    code: np.ndarray
    book: CodeBook


def person_codes(persons: pa.Array | pa.ChunkedArray) -> PersonCodes | None:
    """The position codes of a string column and their book, or None.

    None for the columns :func:`_position_codes` does not code (long or very varied
    identifiers, nulls): their repeats and matches are found by pyarrow's hash.
    """
    array = persons.combine_chunks() if isinstance(persons, pa.ChunkedArray) else persons
    coded = _book_codes(array)
    return None if coded is None else PersonCodes(*coded)


def _encode(coded: PersonCodes, strings: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """``strings`` coded by ``coded``'s book: the codes, and which strings it can code.

    A string it cannot code (another length, or a symbol the book's column never has at a
    position) is none of that column's strings; its code is 0, to be ignored. Only books of
    strings of one length code others here (the usual identifiers); otherwise, or when
    ``strings`` are not all that long, None: the caller codes both columns together.
    """
    book = coded.book
    n = len(strings)
    if not book.fixed or strings.null_count or not pa.types.is_string(strings.type):
        return None
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, bool)
    pieces = [_Piece(strings.slice(at, _PIECE)) for at in range(0, n, _PIECE)]
    if any(p.longest != book.longest or p.shortest != book.longest for p in pieces):
        return None
    code = np.zeros(n, np.int64)
    known = np.ones(n, bool)
    radix_of = {at: (radix, digit) for at, radix, digit in book.kept}
    done = 0
    for piece in pieces:
        part, fits = code[done:done + piece.rows], known[done:done + piece.rows]
        for at in range(len(book.seen)):
            symbol = piece.symbol(at, True, book.longest)
            fits &= book.seen[at][symbol]
            if at in radix_of:
                radix, digit = radix_of[at]
                part *= radix
                part += digit[symbol]
        done += piece.rows
    code[~known] = 0  # an unseen symbol's digit is its neighbour's (or -1): not a code
    return code, known


def person_ranks(persons: pa.Array | pa.ChunkedArray, split: bool = True
                 ) -> tuple[np.ndarray, pa.Array]:
    """Each value's rank among the distinct values by code point, and those values in order.

    Identifiers are short, so the fast way (:func:`_position_codes`) reads them byte by
    byte from the column's buffers, without hashing a million strings or sorting text;
    long or very varied identifiers take pyarrow's hash and sort instead. Both give the
    same ranks (a property test holds them together). ``split``: see :func:`_book_codes`.
    """
    array = persons.combine_chunks() if isinstance(persons, pa.ChunkedArray) else persons
    codes = _position_codes(array, split)
    if codes is None:
        return _hashed_ranks(array)
    code, span, width = codes
    if kernels.available() and len(code) < 1 << 31:
        return _kernel_ranks(array, code, span, width, split)
    # any row of each value (all are equal), -1 for codes that do not occur: one scatter
    # of a million rows marks the codes that occur and finds a row of each
    one = pooled.full(span, -1, np.int64)
    one[code] = pooled.positions(len(code))
    present = np.greater_equal(one, 0, out=pooled.empty(span, bool))
    rank_of = np.cumsum(present, dtype=np.int32, out=pooled.empty(span, np.int32))
    rank_of -= 1
    ranks = pooled.empty(len(code), np.int32)
    half = len(code) // 2 if split and len(code) >= twocores.SPLIT_AT else 0
    twocores.both(lambda: np.take(rank_of, code[half:], out=ranks[half:], mode="clip"),
                  lambda: np.take(rank_of, code[:half], out=ranks[:half], mode="clip"),
                  together=half > 0)
    return ranks, _rows_of(array, one[present], width)


def _kernel_ranks(array: pa.Array, code: np.ndarray, span: int, width: int, split: bool
                  ) -> tuple[np.ndarray, pa.Array]:
    """:func:`person_ranks` from the position codes, by the compiled kernels.

    One pass marks a row of each code in a table by code and the table is then read in
    order for the ranks (one thread: two would write the same entries); the rows take
    their ranks from it in two halves at once.
    """
    table = pooled.empty(span, np.int64)
    rows = pooled.empty(len(code), np.int64)
    distinct = kernels.code_table(code, span, table, rows)
    ranks = pooled.empty(len(code), np.int32)
    together = split and len(code) >= twocores.SPLIT_AT
    twocores.halves(len(code), lambda at: kernels.take_ranks(code[at], table, ranks[at]),
                    together)
    return ranks, _rows_of(array, rows[:distinct], width)


def _rows_of(array: pa.Array, rows: np.ndarray, width: int) -> pa.Array:
    """``array.take(rows)``; for strings all ``width`` bytes long, copied as fixed items.

    Identifiers of one length (``P0000001``) are the usual case, and copying them as
    ``width``-byte items into a new string array is a few times faster than a general take.
    """
    if not width or (len(rows) + 1) * width >= 1 << 31 or not len(rows):
        return array.take(pa.array(rows))
    _validity, offsets_buf, data_buf = array.buffers()
    first = int(np.frombuffer(offsets_buf, np.int32, 1, array.offset * 4)[0])
    items = np.frombuffer(data_buf, np.dtype(f"V{width}"), len(array), first)
    data = pooled.take(items, rows)
    offsets = np.arange(0, (len(rows) + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), len(rows),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _hashed_ranks(array: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """:func:`person_ranks` by pyarrow: hash into distinct values, sort those by code point."""
    encoded = pc.dictionary_encode(array)
    dictionary = encoded.dictionary
    by_text = np.asarray(pc.sort_indices(dictionary), np.int64)
    rank = np.empty(len(dictionary), np.int32)
    rank[by_text] = np.arange(len(dictionary), dtype=np.int32)
    person = rank[np.asarray(encoded.indices, np.int64)] if len(array) \
        else np.zeros(0, np.int32)
    return person, dictionary.take(pa.array(by_text, pa.int64()))


MAX_BYTES = 16
"""The longest identifier (in UTF-8 bytes) that :func:`_position_codes` reads by position."""


_PIECE = 1 << 16
"""Rows per piece in :func:`_position_codes`: each pass's temporaries stay in the cache."""


def _position_codes(array: pa.Array, split: bool = True) -> tuple[np.ndarray, int, int] | None:
    """Order-preserving integer codes of the strings, their bound and fixed length; or None.

    :func:`_book_codes`, with the book reduced to the bound and the length.
    """
    coded = _book_codes(array, split)
    if coded is None:
        return None
    code, book = coded
    return code, book.span, book.longest if book.fixed else 0


def _book_codes(array: pa.Array, split: bool = True) -> tuple[np.ndarray, CodeBook] | None:
    """Order-preserving integer codes of the strings and how they were made; or None.

    The third item is the strings' length in bytes when all have one length, else 0.

    A string is its bytes followed by an end mark, and strings compare as those sequences
    (code-point order is UTF-8 byte order; a prefix comes first). Position by position,
    the symbols that occur are numbered in order (the end mark before every byte) and the
    string's code is its symbols' numbers read as one mixed-radix number, most significant
    first, with each position's radix the count of its symbols; a position where every
    string has the same symbol is left out. Distinct strings get distinct codes in the
    same order, from a few passes over the bytes. None when a string is longer than
    :data:`MAX_BYTES`, or the codes would not fit a small table (:func:`person_ranks`
    makes one entry per possible code).

    The column is read in pieces of :data:`_PIECE` rows (zero-copy slices): first which
    symbols occur at each position, then each piece's codes, so that the temporaries of
    each pass (a million rows would make several of 8 MB) stay small and warm. From
    :data:`twocores.SPLIT_AT` rows (and ``split``), each pass runs over the two halves of the
    pieces at once, on two threads (:mod:`twocores`): the marks are OR-ed, the codes of
    each half written into its own rows.
    """
    n = len(array)
    if not n or array.null_count or not pa.types.is_string(array.type):
        return None
    pieces = [_Piece(array.slice(at, _PIECE)) for at in range(0, n, _PIECE)]
    longest = max(piece.longest for piece in pieces)
    if longest > MAX_BYTES:
        return None
    fixed = all(piece.shortest == longest for piece in pieces)
    positions = (longest + 1) // 2 if fixed else longest
    width = 1 << 16 if fixed else 257  # byte pairs, else a byte plus one (0 = the end)
    # which symbols occur, marked in place: a bincount a piece and position would make (and
    # zero, and add up) a fresh table of 65,536 counts each time, 64 of them for a million
    def mark(some: list[_Piece]) -> np.ndarray:
        seen = np.zeros((positions, width), bool)
        for piece in some:
            for at in range(positions):
                seen[at][piece.symbol(at, fixed, longest)] = True
        return seen

    # from twocores.SPLIT_AT rows each pass runs over the two halves of the pieces at once
    half = len(pieces) // 2 if split and n >= twocores.SPLIT_AT else 0
    if fixed and longest and kernels.available():
        return _kernel_book_codes(array, longest, positions, half > 0)
    seen, also = twocores.both(lambda: mark(pieces[half:]), lambda: mark(pieces[:half]),
                               together=half > 0)
    seen |= also
    book = _book(seen, n)
    if book is None:
        return None
    kept, span = book  # (position, radix, symbol -> digit) of each position that varies
    code = pooled.full(n, 0, np.int64)

    def fill(some: list[_Piece], done: int) -> None:
        for piece in some:
            part = code[done:done + piece.rows]
            for at, radix, digit in kept:
                part *= radix
                part += digit[piece.symbol(at, fixed, longest)]
            done += piece.rows

    twocores.both(lambda: fill(pieces[half:], half * _PIECE), lambda: fill(pieces[:half], 0),
                  together=half > 0)
    return code, CodeBook(seen, tuple(kept), fixed, longest, span)


def _book(seen: np.ndarray, n: int) -> tuple[list[tuple[int, int, np.ndarray]], int] | None:
    """The positions that vary (position, radix, symbol -> digit) and the codes' bound.

    None when the codes would not fit a small table (:func:`_book_codes`).
    """
    limit = max(1 << 22, 8 * n)
    kept: list[tuple[int, int, np.ndarray]] = []
    span = 1
    for at in range(len(seen)):
        radix = int(seen[at].sum())
        if radix == 1:
            continue
        span *= radix
        if span > limit:
            return None
        kept.append((at, radix, np.cumsum(seen[at]) - 1))
    return kept, span


def _kernel_book_codes(array: pa.Array, longest: int, positions: int, together: bool
                       ) -> tuple[np.ndarray, CodeBook] | None:
    """:func:`_book_codes` of strings all ``longest`` bytes long, by the compiled kernels.

    The same marks, book and codes, from the column's bytes in one pass each (the two halves
    of the rows at once when ``together``), where numpy makes a few passes a position over
    pieces of the column.
    """
    n = len(array)
    _validity, offsets_buf, data_buf = array.buffers()
    first = int(np.frombuffer(offsets_buf, np.int32, 1, array.offset * 4)[0])
    data = np.frombuffer(data_buf, np.uint8, n * longest, first)

    def mark(at: slice) -> np.ndarray:
        seen = np.zeros((positions, 1 << 16), bool)
        kernels.mark_symbols(data[at.start * longest:at.stop * longest], longest, seen)
        return seen

    marks = twocores.halves(n, mark, together)
    seen = marks[0]
    for other in marks[1:]:
        seen |= other
    book = _book(seen, n)
    if book is None:
        return None
    kept, span = book
    where = np.array([at for at, _radix, _digit in kept], np.int64)
    radix = np.array([r for _at, r, _digit in kept], np.int64)
    digits = (np.stack([d.astype(np.int32) for _at, _r, d in kept]) if kept
              else np.zeros((0, 1 << 16), np.int32))
    code = pooled.empty(n, np.int64)

    def fill(at: slice) -> None:
        kernels.fill_codes(data[at.start * longest:at.stop * longest], longest, where, radix,
                           digits, code[at])

    twocores.halves(n, fill, together)
    return code, CodeBook(seen, tuple(kept), True, longest, span)


class _Piece:
    """A slice of a string column, read as byte (or byte-pair) symbols by position.

    It holds only views of the column's buffers: all the pieces of a million rows are
    alive at once, and a copy of each piece's offsets would be 16 MB of fresh heap a check.
    """

    def __init__(self, array: pa.Array) -> None:
        self.rows = len(array)
        _validity, offsets_buf, data_buf = array.buffers()
        self.offsets = np.frombuffer(offsets_buf, np.int32, self.rows + 1, array.offset * 4)
        self.data = (np.frombuffer(data_buf, np.uint8) if data_buf is not None
                     else np.zeros(1, np.uint8))
        lengths = np.diff(self.offsets)
        self.longest = int(lengths.max())
        self.shortest = int(lengths.min())
        self.first, self.last = int(self.offsets[0]), int(self.offsets[-1])

    def symbol(self, at: int, fixed: bool, longest: int) -> np.ndarray:
        """Position ``at``'s symbol of each row as intp (what bincount and take index by).

        Fixed: the big-endian byte pair ``2 at, 2 at + 1`` (a last odd byte alone);
        otherwise the byte at ``at`` plus one, or 0 past the string's end.
        """
        if not fixed:
            return _with_end(self.data, self.offsets[:-1], np.diff(self.offsets),
                             at).astype(np.intp)
        matrix = self.data[self.first:self.last].reshape(self.rows, longest)
        if 2 * at + 1 < longest:
            return matrix[:, :longest - longest % 2].view(">u2")[:, at].astype(np.intp)
        return matrix[:, 2 * at].astype(np.intp)


def _with_end(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray, at: int
              ) -> np.ndarray:
    """The byte at ``at`` of each string plus one, or 0 (the end mark) past its end."""
    inside = lengths > at
    symbol = np.zeros(len(starts), np.uint16)
    symbol[inside] = data[starts[inside] + at].astype(np.uint16) + 1
    return symbol


def claim_codes(table: pa.Table, prices: tuple[str, ...],
                price_index: pa.Array | pa.ChunkedArray | None = None,
                ranks: tuple[np.ndarray, pa.Array] | None = None,
                split: bool = True) -> ClaimCodes:
    """Encode ``table`` (every price must be one of ``prices``) and sort it once.

    ``price_index`` is ``pc.index_in`` of the prices in ``prices``, and ``ranks``
    :func:`person_ranks` of the persons, when the caller has them.
    The sort key packs the three fields as ``day × P × Q + price × Q + person``, one int64 a
    claim, so one numpy sort orders a million claims; equal keys are repeated rows, found
    as neighbours equal in all three codes once those are in order (the key itself is
    dropped, never gathered). From :data:`twocores.SPLIT_AT` claims the key is built, and the
    codes taken into the order, in two halves at once (:func:`twocores.halves`), as in
    :func:`stable_order`; ``split=False`` does all on this thread (the tests hold the two
    equal).
    """
    n = table.num_rows
    person, persons = ranks if ranks is not None else person_ranks(table.column("person"))
    if price_index is None:
        price_index = pc.index_in(table.column("price"), value_set=pa.array(prices, pa.string()))
    if isinstance(price_index, pa.ChunkedArray):
        price_index = price_index.combine_chunks()
    price = np.asarray(price_index.fill_null(0), np.int32) if n else np.zeros(0, np.int32)
    days = table.column("achieved_on").combine_chunks()
    day = np.asarray(days.cast(pa.int32()), np.int32) if n else np.zeros(0, np.int32)
    q = max(len(persons), 1)
    together = split and n >= twocores.SPLIT_AT
    # ((day - first) × P + price) × Q + person, built in place: one claim-sized array
    first = int(day.min(initial=0))
    if kernels.available():
        sorted_ = _kernel_sorted(day, price, person, first, len(prices), q, together)
        if sorted_ is not None:
            return ClaimCodes(sorted_.price, sorted_.person, persons, sorted_.day,
                              sorted_.order, prices, sorted_.repeats)
    if together and twocores.spare_core():
        merged = _merged_halves(day, price, person, first, len(prices), q)
        if merged is not None:
            return ClaimCodes(merged.price, merged.person, persons, merged.day, merged.order,
                              prices, merged.repeats)

    def fill_key(at: slice, key: np.ndarray) -> None:
        part = key[at]
        np.subtract(day[at], first, out=part, dtype=np.int64)
        part *= max(len(prices), 1)
        part += price[at]
        part *= q
        part += person[at]

    key = pooled.empty(n, np.int64)
    twocores.halves(n, functools.partial(fill_key, key=key), together)
    narrow = stable_order(key, split)
    del key
    person_o, price_o, day_o = (pooled.empty(n, person.dtype), pooled.empty(n, np.int32),
                                pooled.empty(n, np.int32))
    # the order widened to int64 once, a half at a time: the codes keep it, and numpy
    # would widen int32 indices for each of the three look-ups below
    order = narrow if narrow.dtype == np.int64 else pooled.empty(n, np.int64)

    def gather(at: slice) -> bool:
        """The codes taken into the order for positions ``at``; a repeat among them."""
        mine = order[at]
        if order is not narrow:
            np.copyto(mine, narrow[at], casting="same_kind")
        np.take(person, mine, out=person_o[at], mode="clip")
        np.take(price, mine, out=price_o[at], mode="clip")
        np.take(day, mine, out=day_o[at], mode="clip")
        # each claim against the one before it (the first half's last against the second's
        # first is done after both)
        same = day_o[at][1:] == day_o[at][:-1]
        same &= price_o[at][1:] == price_o[at][:-1]
        same &= person_o[at][1:] == person_o[at][:-1]
        return bool(same.any())

    repeats = any(twocores.halves(n, gather, together))
    if together and 0 < n // 2 < n:
        h = n // 2
        repeats |= bool(day_o[h - 1] == day_o[h] and price_o[h - 1] == price_o[h]
                        and person_o[h - 1] == person_o[h])
    return ClaimCodes(price_o, person_o, persons, day_o, order, prices, repeats)


@dataclass(frozen=True)
class _Merged:
    """The codes in decision order, from :func:`_merged_halves`."""

    order: np.ndarray
    person: np.ndarray
    price: np.ndarray
    day: np.ndarray
    repeats: bool


def _merged_halves(day: np.ndarray, price: np.ndarray, person: np.ndarray, first: int,
                   p: int, q: int) -> _Merged | None:
    """The decision order of :func:`claim_codes`: each half sorted on its own core, merged.

    Each claim's day, price, person and position are packed into the bits of one int64
    (most significant first), so sorting the packed values orders the claims by decision
    key and, for equal keys (repeated rows), by position, as the stable sort of the keys
    does. Each half of the claims is sorted on its own thread by :func:`stable_order`
    (500,000 keys sort in less than half the time of a million: their digits and orders
    stay in the cache), and numpy's stable sort (a timsort) merges the two sorted runs in
    one pass. The codes are then read back from the bits: no gather of the three codes
    into the order. None when the fields do not fit in 63 bits (or the key in
    :func:`stable_order`'s 48): the caller then sorts the whole key at once.
    """
    n = len(day)
    span = int(day.max(initial=first)) - first
    pb, qb, nb = max(p - 1, 0).bit_length(), max(q - 1, 0).bit_length(), max(n - 1, 0).bit_length()
    kb = span.bit_length() + pb + qb
    if kb > 47 or kb + nb > 63:
        return None
    keys = pooled.empty(n, np.int64)
    packed = pooled.empty(n, np.int64)

    def sort_half(at: slice) -> None:
        key = keys[at]
        np.subtract(day[at], first, out=key, dtype=np.int64)
        key <<= pb
        key |= price[at]
        key <<= qb
        key |= person[at]
        order = stable_order(key, split=False)
        out = packed[at]
        np.take(key, order, out=out, mode="clip")
        out <<= nb
        out |= order
        out += at.start

    twocores.halves(n, sort_half)
    packed = _merge_runs(packed, n // 2)
    order = pooled.empty(n, np.int64)
    person_o, price_o, day_o = (pooled.empty(n, person.dtype), pooled.empty(n, np.int32),
                                pooled.empty(n, np.int32))
    rest = pooled.empty(n, np.int64)

    def decode(at: slice) -> bool:
        """The codes of positions ``at``; a repeat among them (equal neighbouring keys)."""
        mine, field_ = packed[at], rest[at]
        np.bitwise_and(mine, (1 << nb) - 1, out=order[at])
        np.right_shift(mine, nb, out=field_)
        same = field_[1:] == field_[:-1]
        np.bitwise_and(field_, (1 << qb) - 1, out=person_o[at], casting="unsafe")
        field_ >>= qb
        np.bitwise_and(field_, (1 << pb) - 1, out=price_o[at], casting="unsafe")
        field_ >>= pb
        field_ += first
        np.copyto(day_o[at], field_, casting="unsafe")
        return bool(same.any())

    repeats = any(twocores.halves(n, decode))
    h = n // 2
    if 0 < h < n:
        repeats |= bool(packed[h - 1] >> nb == packed[h] >> nb)
    return _Merged(order, person_o, price_o, day_o, repeats)


def _kernel_sorted(day: np.ndarray, price: np.ndarray, person: np.ndarray, first: int,
                   p: int, q: int, together: bool) -> _Merged | None:
    """The decision order of :func:`claim_codes` by the compiled kernels (:mod:`.kernels`).

    The same packing as :func:`_merged_halves` (day, price, person and position in the bits
    of one int64), sorted by a radix sort in C: each half of the claims on its own core
    (``together``), then the two runs merged and decoded into the codes, the first half of
    the output from the runs' fronts and the second from their ends at once. None when the
    fields do not fit 63 bits.
    """
    n = len(day)
    span = int(day.max(initial=first)) - first
    pb, qb, nb = max(p - 1, 0).bit_length(), max(q - 1, 0).bit_length(), max(n - 1, 0).bit_length()
    kb = span.bit_length() + pb + qb
    if kb + nb > 63:
        return None
    day, price, person = (kernels.as_int32(a) for a in (day, price, person))
    packed = pooled.empty(n, np.int64)

    def sort_run(at: slice) -> None:
        kernels.sort_claims(day[at], price[at], person[at], first, (pb, qb, nb, kb), at.start,
                            packed[at])

    runs = twocores.halves(n, sort_run, together)
    cut = n // 2 if len(runs) == 2 else n
    order = pooled.empty(n, np.int64)
    person_o, price_o, day_o = (pooled.empty(n, np.int32), pooled.empty(n, np.int32),
                                pooled.empty(n, np.int32))

    def merge(front: bool) -> bool:
        return kernels.merge_decode(packed, cut, front, first, (pb, qb, nb), order, person_o,
                                    price_o, day_o)

    back, front = twocores.both(lambda: merge(False), lambda: merge(True), together)
    repeats = back or front
    h = n // 2
    if 0 < h < n:
        repeats |= bool(day_o[h - 1] == day_o[h] and price_o[h - 1] == price_o[h]
                        and person_o[h - 1] == person_o[h])
    return _Merged(order, person_o, price_o, day_o, repeats)


def _merge_runs(values: np.ndarray, cut: int) -> np.ndarray:
    """``values`` sorted, where ``values[:cut]`` and ``values[cut:]`` are each sorted.

    The values are distinct. The merged run's first half comes from a prefix of each run
    (found by a binary search of the two: the ``n // 2`` least values are the first ``i``
    of one and the first ``n // 2 - i`` of the other), so the two halves of the output are
    merged at once, each by numpy's stable sort (a timsort, which merges two sorted runs in
    one pass), on two cores.
    """
    n = len(values)
    a, b = values[:cut], values[cut:]
    k = n // 2
    # the least i in [max(0, k - len(b)), min(k, len(a))] with a[i] > b[k - i - 1]: the
    # first k of the merge are a[:i] and b[:k - i]
    low, high = max(0, k - len(b)), min(k, len(a))
    while low < high:
        i = (low + high) // 2
        if a[i] > b[k - i - 1]:
            high = i
        else:
            low = i + 1
    i = low
    out = pooled.empty(n, np.int64)

    def merge(at: slice, left: np.ndarray, right: np.ndarray) -> None:
        part = out[at]
        part[:len(left)], part[len(left):] = left, right
        part.sort(kind="stable")

    twocores.both(lambda: merge(slice(k, n), a[i:], b[k - i:]),
                  lambda: merge(slice(0, k), a[:i], b[:k - i]))
    return out
