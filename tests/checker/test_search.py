"""The lines that hold given texts as whole cells (``engine/search.py``), and the places
of the bad cells found from them: the numbered pass's diagnostics whatever the texts
(pattern characters, non-ASCII, look-alikes of good cells in other columns), BOM, line ends,
pieces and blocks of a few bytes, one thread or two; a line's number as Python counts it;
too many lines; pages let go. (First written by the reviewer of this path.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.data import csv_file, twocores
from obc_check.checker.engine import search
from tests.checker.test_csv_engine import _bundle
from tests.checker.test_placing import COLUMNS, EXAMPLES, GOOD, NEEDS_VECTORSCAN, _both

#: Bad texts with regex metacharacters, non-ASCII, look-alikes of good cells.
WEIRD = {"referred_on": ["2016-0[1]-01", "2016-02-30", "$", "^", "né", "2016-05-01 "],
         "treated_on": ["(", "2016-05-0.", "\\x41", "*", "2016-05-01\t"],
         "age": ["3|4", "x", ".", "+", "é", "30 ", " 30", "B1"],
         "first_episode": ["maybe", "?", "Y|N", "City", "ÿ", "Y "],
         "referral_id": [""], "person_id": [""]}


@st.composite
def files(draw: st.DrawFn) -> bytes:
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(COLUMNS)]
    n = draw(st.integers(1, 30))
    for i in range(n):
        row = dict(GOOD, referral_id=f"R{i}", person_id=f"P{i % 5}")
        if draw(st.integers(0, 3)) == 0:
            bad = WEIRD if draw(st.booleans()) else NOEMPTY
            column = draw(st.sampled_from(sorted(bad)))
            row[column] = draw(st.sampled_from(bad[column]))
        if draw(st.integers(0, 5)) == 0:  # a good cell holding a bad-looking text
            row["Team Name"] = draw(st.sampled_from(["x", "maybe", "2016-02-30", "3|4", "("]))
        lines.append(",".join(row[c] for c in COLUMNS))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    last = draw(st.sampled_from([end, ""]))
    return (bom + end.join(lines) + last).encode()


NOEMPTY = {k: v for k, v in WEIRD.items() if v != [""]}


@NEEDS_VECTORSCAN
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=files(), spiece=st.sampled_from([1, 5, 64, 1 << 25]),
       block=st.sampled_from([1, 3, 50, 1 << 24]), spare=st.booleans(),
       first=st.sampled_from([1, 100]))
def test_lines_search_with_small_pieces_and_blocks(text: bytes, spiece: int, block: int,
                                                   spare: bool, first: int,
                                                   tmp_path: Path) -> None:
    data = _bundle(tmp_path, text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PIECE", spiece)
        patch.setattr(csv_file, "_BLOCK", block)
        patch.setattr(twocores, "spare_core", lambda: spare)
        shown, used = _both(data, piece=1 << 26, first=first)
    assert used == ([True] if shown else [])


@NEEDS_VECTORSCAN
def test_lines_that_miss_a_bad_cell_fall_back_to_every_cell(tmp_path: Path) -> None:
    """The lines path disagreeing (a line missing): the pieces read after it, same output."""
    rows = [dict(GOOD, referral_id=f"R{i}") for i in range(60)]
    rows[3]["age"] = "x"
    rows[40]["age"] = "x"
    rows[50]["first_episode"] = "maybe"
    text = "\n".join([",".join(COLUMNS), *(",".join(r[c] for c in COLUMNS) for r in rows)])
    real = search.lines_with
    took: list[int] = []

    def fewer(*args: object) -> search.Lines | None:
        found = real(*args)  # type: ignore[arg-type]
        assert found is not None
        took.append(len(found.numbers))
        keep = found.text.split(b"\n")[1:]
        return search.Lines(found.numbers[1:], b"\n".join(keep))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "lines_with", fewer)
        shown, used = _both(_bundle(tmp_path, text.encode()), piece=1 << 26, first=100)
    assert took == [3] and used == [True]
    assert sorted(int(str(s[2])) for s in shown if s[2]) == [5, 42, 52]


@NEEDS_VECTORSCAN
def test_lines_with_texts_at_file_edges_and_metachars(tmp_path: Path) -> None:
    from obc_check.checker.data.csv_file import CsvFile

    path = tmp_path / "f.csv"
    path.write_bytes("a,b\n$,1\nx,^\n.*,né\n3|4,(\nné".encode())
    file = CsvFile.map(path)
    assert file.line_count() == 6
    for text, want in (("$", [2]), ("^", [3]), (".*", [4]), ("né", [4, 6]), ("(", [5]),
                       ("3|4", [5]), ("x", [3]), (".", [])):
        found = search.lines_with(file, 4, [text])
        assert found is not None and found.numbers == want, text


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"a")),
       block=st.sampled_from([1, 2, 5, 1 << 24]), spare=st.booleans())
def test_lines_of_every_byte_is_pythons(body: bytes, block: int, spare: bool) -> None:
    from obc_check.checker.data.csv_file import CsvFile

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_file, "_BLOCK", block)
        patch.setattr(twocores, "spare_core", lambda: spare)
        file = CsvFile(body)
        file.line_count()
        if b"\n" not in body:
            return  # no LF: counted as a file of CR line ends (break_byte 13)
        offsets = list(range(len(body)))
        assert file.lines_of(offsets) == [body[:at].count(b"\n") + 1 for at in offsets]


@NEEDS_VECTORSCAN
def test_too_many_lines_on_two_threads_is_none(tmp_path: Path) -> None:
    from obc_check.checker.data.csv_file import CsvFile

    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n" + b"x,1\n" * 5000)
    file = CsvFile.map(path)
    file.line_count()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(twocores, "spare_core", lambda: True)
        patch.setattr(search, "PIECE", 100)
        patch.setattr(search, "MOST_LINES", 30)
        assert search.lines_with(file, 4, ["x"]) is None
        patch.setattr(search, "MOST_LINES", 5000)
        found = search.lines_with(file, 4, ["x"])
        assert found is not None and found.numbers == list(range(2, 5002))


def _mapped_rss_kb(path: Path) -> int:
    """The resident kB of this process's mappings of ``path`` (/proc/self/smaps)."""
    rss, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if line[:1].isalnum() and "-" in line.split()[0]:
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            rss += int(line.split()[1])
    return rss


@NEEDS_VECTORSCAN
@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="Linux's /proc only")
def test_the_pages_searched_and_counted_are_let_go(tmp_path: Path) -> None:
    """One bad text in each block of a 4 MB file: after the search, the file's pages are
    not kept in the process's memory (the scanned pieces and the blocks whose LFs were
    found are let go; a found line's own page or two remain)."""
    from obc_check.checker.data.csv_file import CsvFile

    n = 1_000_000
    body = bytearray(b"a,b\n" + b"1,2\n" * n)
    for i in range(0, n, n // 4):
        body[4 + 4 * i + 2] = ord("x")
    path = tmp_path / "big.csv"
    path.write_bytes(bytes(body))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_file, "_BLOCK", 1 << 20)
        patch.setattr(search, "PIECE", 1 << 20)
        file = CsvFile.map(path)
        file.line_count()
        file.release()
        found = search.lines_with(file, 4, ["x"])
        assert found is not None and found.numbers == [2, 250_002, 500_002, 750_002]
        assert _mapped_rss_kb(path) < 256
