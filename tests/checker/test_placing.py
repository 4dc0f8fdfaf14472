"""A plain CSV file's bad records placed by pyarrow give the numbered pass's diagnostics.

When DuckDB's scan finds bad cells in a plain file (no quote character, a line per record,
no ragged rows), the engine reads the cells the bad kinds test with pyarrow, a piece at a
time, and tests each piece with the numbered pass's own SQL (``engine/placing.py``), instead
of numbering every record on one thread. The diagnostics (every field printed) must be the
numbered pass's: a differential hypothesis test over random files with bad cells of every
kind and repeated keys, at any rows, with pieces of a few lines and a small cap of first
rows (so that pieces, the merge and the early end are all used), runs both ways; and each
condition that sends a file back to the numbered pass is tested on its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.data import load_bundle
from obc_check.checker.engine import duck, measure_datasets, placing, search
from obc_check.dsl import compile_file
from obc_check.model import Contract
from tests.checker.test_csv_engine import _bundle

ROOT = Path(__file__).resolve().parents[2]
EIP = ROOT / "contracts" / "eip_records"
#: The declared columns out of their fields' order, and an undeclared one between them.
COLUMNS = ["person_id", "referred_on", "gp_practice", "referral_id", "treated_on", "age",
           "first_episode", "Team Name"]


def _contract() -> Contract:
    compiled = compile_file(EIP / "contract.obc")
    assert compiled.contract is not None
    return compiled.contract


CONTRACT = _contract()
GOOD = {"person_id": "P1", "referred_on": "2016-05-01", "gp_practice": "B1",
        "referral_id": "R1", "treated_on": "", "age": "30", "first_episode": "Y",
        "Team Name": "City"}
#: Bad cells of every kind the engine reports, by column (D007, D008, D042, D021).
BAD = {"referred_on": ["2016-13-01", "2017-02-29", "2016-5-1", "x", "10000-01-01"],
       "treated_on": ["2016-02-30", "01/02/2016", " 2016-05-01"],
       "age": ["x", "1e3", "3.", "-", " 4"],
       "first_episode": ["maybe", "?", "TRUEISH", "né"],
       "referral_id": [""], "person_id": [""]}


@st.composite
def plain_files(draw: st.DrawFn) -> bytes:
    """A REFERRALS file with no quote: good rows, bad cells anywhere, repeated keys."""
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(COLUMNS)]
    repeats = draw(st.booleans())  # without: the reading may end early
    for i in range(draw(st.integers(1, 40))):
        row = dict(GOOD, referral_id=f"R{i}", person_id=f"P{i % 5}")
        if draw(st.booleans()):  # a cell's column counts characters, not bytes
            row["person_id"] = f"Pé{i % 5}"
        for column in draw(st.lists(st.sampled_from(sorted(BAD)), max_size=3)):
            row[column] = draw(st.sampled_from(BAD[column]))
        if i and repeats and draw(st.integers(0, 6)) == 0:  # a key an earlier record has
            row["referral_id"] = f"R{draw(st.integers(0, i - 1))}"
        lines.append(",".join(row[c] for c in COLUMNS))
    last = draw(st.sampled_from([end, ""]))  # with or without a last line break
    return (end.join(lines) + last).encode()


@contextmanager
def _paths(fast: bool, piece: int = placing.PIECE, first: int = duck.FIRST_ERRORS,
           lines: bool = True) -> Iterator[list[bool]]:
    """The placing on or off, its pieces and the first rows kept, the lines that hold the
    bad texts looked for or not (``search``); what ``place`` gave."""
    used: list[bool] = []
    real = placing.place

    def spy(*args: object, **kwargs: object) -> placing.Placed | None:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        used.append(found is not None)
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(placing, "ENABLED", fast)
        patch.setattr(search, "ENABLED", lines)
        patch.setattr(placing, "PIECE", piece)
        patch.setattr(placing, "place", spy)
        patch.setattr(duck, "FIRST_ERRORS", first)
        yield used


def _diagnostics(data: Path) -> list[tuple[object, ...]]:
    bundle, diags = load_bundle(data, CONTRACT)
    assert bundle is not None, diags
    _, found = measure_datasets(CONTRACT, bundle.datasets)
    return [(d.code, d.message, d.span.line if d.span else None,
             d.span.column if d.span else None, d.path, d.hint) for d in diags + found]


def _both(data: Path, piece: int, first: int, lines: bool = True
          ) -> tuple[list[tuple[object, ...]], list[bool]]:
    with _paths(True, piece, first, lines) as used:
        fast = _diagnostics(data)
    with _paths(False, piece, first) as unused:
        numbered = _diagnostics(data)
    assert not unused
    assert fast == numbered
    return fast, used


# A bundle checked twice per example (about 0.3 s): 25 in the default run, 1,000 with
# OBC_FUZZ=nightly (`make fuzz`).
EXAMPLES = 1000 if os.environ.get("OBC_FUZZ") == "nightly" else 25


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=plain_files(), piece=st.sampled_from([1, 40, 200, 1 << 26]),
       first=st.sampled_from([1, 2, 100]), lines=st.booleans())
def test_placed_by_pyarrow_as_by_the_numbered_pass(text: bytes, piece: int, first: int,
                                                    lines: bool, tmp_path: Path) -> None:
    data = _bundle(tmp_path, text)
    shown, used = _both(data, piece, first, lines)
    # a file with any error took the fast path (and gave the numbered pass's diagnostics)
    assert used == ([True] if shown else []), (used, shown[:3])


def test_five_bad_cells_and_a_repeated_key_in_pieces(tmp_path: Path) -> None:
    rows = [dict(GOOD, referral_id=f"R{i}") for i in range(300)]
    rows[3]["age"] = "x"
    rows[150]["referred_on"] = "2016-02-30"
    rows[151]["first_episode"] = "maybe"
    rows[298]["treated_on"] = "2018-13-01"
    rows[299]["age"] = "1e3"
    rows[200]["referral_id"] = "R7"
    text = "\r\n".join([",".join(COLUMNS), *(",".join(r[c] for c in COLUMNS) for r in rows)])
    shown, used = _both(_bundle(tmp_path, text.encode()), piece=500, first=100)
    assert used == [True]
    assert sorted((code, line) for code, _, line, *_ in shown) == [
        ("D007", 5), ("D007", 301), ("D008", 152), ("D008", 300), ("D013", 202),
        ("D042", 153)]


def test_the_first_of_every_kind_found_early_end_the_reading(tmp_path: Path) -> None:
    """Every fourth date bad: the first pieces hold the first three, the rest is not read."""
    import pyarrow.csv as pacsv

    rows = [dict(GOOD, referral_id=f"R{i}", referred_on="2016-02-30" if i % 4 == 0 else
                 GOOD["referred_on"]) for i in range(400)]
    text = "\n".join([",".join(COLUMNS), *(",".join(r[c] for c in COLUMNS) for r in rows)])
    data = _bundle(tmp_path, text.encode())
    pieces: list[int] = []
    real = pacsv.read_csv

    def counted(*args: object, **kwargs: object) -> object:
        convert = kwargs.get("convert_options")
        if isinstance(convert, pacsv.ConvertOptions) and all(
                name.startswith("x") for name in convert.include_columns):
            pieces.append(1)  # a piece of the placing's (not a table the loader reads)
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pacsv, "read_csv", counted)
        shown, used = _both(data, piece=200, first=3, lines=False)
    assert used == [True]
    assert 2 <= len(pieces) < len(text) // 200 // 2  # a few pieces, not the whole file
    assert [line for _, _, line, *_ in shown if line] == [2, 6, 10]
    assert "97 more D008" in shown[-1][1]


def _only_numbered(data: Path) -> list[bool]:
    """The paths ``place`` took for this file (none: the numbered pass only)."""
    shown, used = _both(data, piece=1 << 26, first=100)
    assert shown
    return used


def test_a_quote_anywhere_is_placed_by_the_numbered_pass(tmp_path: Path) -> None:
    rows = [",".join(GOOD[c] for c in COLUMNS)] * 2
    text = "\n".join([",".join(COLUMNS), rows[0].replace("30", "x"),
                      rows[1].replace("City", '"City"')])
    assert _only_numbered(_bundle(tmp_path, text.encode())) == []


def test_a_ragged_row_is_placed_by_the_numbered_pass(tmp_path: Path) -> None:
    good = ",".join(GOOD[c] for c in COLUMNS)
    text = "\n".join([",".join(COLUMNS), good.replace("30", "x"), good, good.rsplit(",", 1)[0]])
    assert _only_numbered(_bundle(tmp_path, text.encode())) == []


def test_a_blank_line_is_placed_by_the_numbered_pass_or_the_row_reader(tmp_path: Path) -> None:
    good = ",".join(GOOD[c] for c in COLUMNS)
    text = "\n".join([",".join(COLUMNS), good.replace("30", "x"), "", good])
    assert _only_numbered(_bundle(tmp_path, text.encode())) == []


def test_counts_that_differ_from_the_scan_send_it_to_the_numbered_pass(
        tmp_path: Path) -> None:
    """pyarrow reading other records than DuckDB did, or other bad cells: numbered pass."""
    good = ",".join(GOOD[c] for c in COLUMNS)
    text = "\n".join([",".join(COLUMNS), good.replace("30", "x"), good, good.replace("Y", "?")])
    data = _bundle(tmp_path, text.encode())
    real = placing.place
    for change in ({"rows": 4}, {"totals": [1, 2]}, {"totals": [2, 1]}):

        def wrong(*args: object, change: dict[str, object] = change) -> object:
            names = ["con", "n", "csv", "fields", "tested", "key", "rows", "checks",
                     "aggregates", "tests", "totals", "first", "values"]
            given_ = dict(zip(names, args, strict=True))
            given_.update(change)
            return real(**given_)  # type: ignore[arg-type]

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(placing, "place", wrong)
            with _paths(True) as used:
                fast = _diagnostics(data)
        assert used == [False], change
        with _paths(False):
            assert fast == _diagnostics(data)


def test_pyarrow_refusing_a_piece_sends_it_to_the_numbered_pass(tmp_path: Path) -> None:
    import pyarrow as pa

    good = ",".join(GOOD[c] for c in COLUMNS)
    text = "\n".join([",".join(COLUMNS), good.replace("30", "x"), good])
    data = _bundle(tmp_path, text.encode())

    def refuse(*args: object, **kwargs: object) -> object:
        raise pa.ArrowInvalid("CSV parse error: Expected 8 columns, got 9")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pyarrow.csv.read_csv", refuse)
        with _paths(True) as used:
            fast = _diagnostics(data)
    assert used == [False]
    with _paths(False):
        assert fast == _diagnostics(data)


def test_known_bad_texts_test_only_the_records_that_have_them(tmp_path: Path) -> None:
    """The scan's least and most bad text of each kind say them all: only the records with
    them are tested. Three unlike bad ages: not known, every record of a piece is tested."""
    import pyarrow.compute as pc

    picked: list[int] = []
    real = placing._having

    def spy(*args: object) -> object:
        mask = real(*args)  # type: ignore[arg-type]
        picked.append(int(pc.sum(mask).as_py() or 0))
        return mask

    for ages, want in ((["x", "x", "x"], [5]), (["x", "1e3", "x"], None),
                       (["x", "1e3", "-"], None)):
        rows = [dict(GOOD, referral_id=f"R{i}") for i in range(300)]
        rows[150]["referred_on"] = "2016-02-30"
        rows[151]["first_episode"] = "maybe"
        for at, age in zip((3, 200, 299), ages, strict=True):
            rows[at]["age"] = age
        text = "\n".join([",".join(COLUMNS), *(",".join(r[c] for c in COLUMNS) for r in rows)])
        data = _bundle(tmp_path / "-".join(ages), text.encode())
        picked.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(placing, "_having", spy)
            shown, used = _both(data, piece=1 << 26, first=100, lines=False)
        assert used == [True]
        assert (picked or None) == want, ages
        assert sorted(int(str(line)) for _, _, line, *_ in shown) == [5, 152, 153, 202, 301]


def test_the_bad_texts_a_kind_has_are_known_from_its_least_and_most() -> None:
    assert duck._known_values(0, None, None) == ()
    assert duck._known_values(1, "x", "x") == ("x",)
    assert duck._known_values(2, "1e3", "x") == ("1e3", "x")
    assert duck._known_values(7, "", "") == ("",)
    assert duck._known_values(3, "1e3", "x") is None  # a third may lie between
    assert duck._known_values(2, None, None) is None


#: The lines are found by Vectorscan, which has no wheel for Linux on ARM (nor is installed
#: there): without it every cell is read, as the differential test checks both ways.
NEEDS_VECTORSCAN = pytest.mark.skipif(search._engine() is None,
                                      reason="the hyperscan bindings are not installed")


def _rows_text(rows: list[dict[str, str]], end: str = "\n", last: str = "\n") -> bytes:
    return (end.join([",".join(COLUMNS), *(",".join(r[c] for c in COLUMNS) for r in rows)])
            + last).encode()


@NEEDS_VECTORSCAN
def test_the_lines_that_hold_the_bad_texts_are_all_that_is_read(tmp_path: Path) -> None:
    """Known bad texts: the lines holding them are found by one search and only they are
    read and tested, a line holding a text in another column among them; CR LF line ends
    and a last line without a break, as the numbered pass places them."""
    import pyarrow.csv as pacsv

    rows = [dict(GOOD, referral_id=f"R{i}") for i in range(300)]
    rows[3]["age"] = "x"
    rows[40]["Team Name"] = "x"  # a good cell with a bad text of another column's
    rows[150]["referred_on"] = "2016-02-30"
    rows[299]["first_episode"] = "maybe"
    read: list[int] = []
    real = pacsv.read_csv

    def counted(*args: object, **kwargs: object) -> object:
        table = real(*args, **kwargs)
        convert = kwargs.get("convert_options")
        if isinstance(convert, pacsv.ConvertOptions) and all(
                name.startswith("x") for name in convert.include_columns):
            read.append(table.num_rows)
        return table

    for end in ("\n", "\r\n"):
        data = _bundle(tmp_path / str(len(end)), _rows_text(rows, end, last=""))
        read.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pacsv, "read_csv", counted)
            shown, used = _both(data, piece=1 << 26, first=100)
        assert used == [True]
        assert read == [4], end  # the four lines, not the 300
        assert sorted((str(code), int(str(line))) for code, _, line, *_ in shown) == [
            ("D007", 5), ("D008", 152), ("D042", 301)]


@NEEDS_VECTORSCAN
def test_the_lines_are_not_looked_for_when_that_cannot_say(tmp_path: Path) -> None:
    """No search, every cell read (the same diagnostics): an empty text (an empty key is
    everywhere a cell is empty), more lines than are worth picking, no Vectorscan."""
    from obc_check.checker.data.csv_file import CsvFile

    rows = [dict(GOOD, referral_id=f"R{i}") for i in range(50)]
    for at in (3, 30):
        rows[at]["age"] = "x"
    path = tmp_path / "f.csv"
    path.write_bytes(_rows_text(rows))
    file = CsvFile.map(path)
    assert file.line_count() == 51
    start = file.line_start(2)
    assert start is not None
    found = search.lines_with(file, start, ["x"])
    assert found is not None and found.numbers == [5, 32]
    assert found.text.count(b"\n") == 2 and found.text.startswith(b"P1,")
    assert search.lines_with(file, start, ["x", ""]) is None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "MOST_LINES", 1)
        assert search.lines_with(file, start, ["x"]) is None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "_engine", lambda: None)
        assert search.lines_with(file, start, ["x"]) is None
        shown, used = _both(_bundle(tmp_path / "b", _rows_text(rows)), piece=1 << 26, first=100)
    assert used == [True] and [line for _, _, line, *_ in shown] == [5, 32]
    cr = tmp_path / "cr.csv"
    cr.write_bytes(_rows_text(rows, "\r", "\r"))
    other = CsvFile.map(cr)
    assert other.line_count() == 51 and other.break_byte == 13
    assert search.lines_with(other, 0, ["x"]) is None


@NEEDS_VECTORSCAN
def test_a_bad_text_is_found_as_a_whole_cell_only(tmp_path: Path) -> None:
    """A text is looked for between its cell's delimiters: ``x`` is not found in ``xx`` or
    ``ax``, and the bytes of a text are never a pattern's (``.`` is not any character)."""
    from obc_check.checker.data.csv_file import CsvFile

    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\nxx,1\nax,x\nx,2\n3.5,q\n345,r\nx\n")
    file = CsvFile.map(path)
    assert file.line_count() == 7
    found = search.lines_with(file, 4, ["x"])
    assert found is not None and found.numbers == [3, 4, 7]
    dots = search.lines_with(file, 4, ["3.5"])
    assert dots is not None and dots.numbers == [5]
