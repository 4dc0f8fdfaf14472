"""A dataset's CSV file read by DuckDB's own reader gives what the row reader gives.

The engine reads a dataset's CSV with DuckDB (in parallel, no Python per record) and falls
back to the row reader for a file DuckDB refuses or would read differently. Whichever path
a file takes, the diagnostics (code, words, file, line, column) and the counts must be the
ones the row reader gives: a differential hypothesis test over random CSV text (quotes,
commas, CR/LF, blank and ragged lines, bad cells) holds the two paths equal.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obc_check.checker.data import load_bundle
from obc_check.checker.data.csv_file import CsvFile
from obc_check.checker.engine import duck, measure_datasets
from obc_check.dsl import compile_file
from obc_check.model import Contract

ROOT = Path(__file__).resolve().parents[2]
EIP = ROOT / "contracts" / "eip_records"
HEADER = "referral_id,person_id,referred_on,treated_on,age,first_episode,Team Name"


def _contract() -> Contract:
    compiled = compile_file(EIP / "contract.obc")
    assert compiled.contract is not None
    return compiled.contract


CONTRACT = _contract()


def _bundle(folder: Path, referrals: bytes) -> Path:
    data = folder / "data"
    if not data.exists():
        shutil.copytree(EIP / "data", data)
    (data / "REFERRALS.csv").write_bytes(referrals)
    return data


def _run(data: Path, monkeypatch: pytest.MonkeyPatch, engine: bool
         ) -> tuple[list[tuple[object, ...]], object]:
    """Diagnostics (every field that is printed) and counts, by DuckDB or by the rows."""
    paths: list[str] = []
    real = duck.reads_alike

    def spy(file: CsvFile) -> bool:
        ok = engine and real(file)
        paths.append("duckdb" if ok else "rows")
        return ok

    monkeypatch.setattr(duck, "reads_alike", spy)
    bundle, diags = load_bundle(data, CONTRACT)
    if bundle is not None:
        counts, more = measure_datasets(CONTRACT, bundle.datasets)
        diags = diags + more
    else:
        counts = None
    shown = [(d.code, d.message, d.span.line if d.span else None,
              d.span.column if d.span else None, d.path, d.hint) for d in diags]
    return shown, counts


def _ok_row(i: int) -> str:
    return f"R{i},P{i % 7},2016-0{1 + i % 9}-1{i % 10},,{20 + i},Y,City"


def test_a_plain_file_is_read_by_duckdb_and_its_errors_placed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [_ok_row(i) for i in range(40)]
    rows[5] = "R5,P5,2016-13-01,,30,Y,City"        # not a date
    rows[17] = "R17,P1,2016-05-01,,x1,Y,City"      # not a number
    rows[23] = "R23,P1,2016-05-01,,30,maybe,City"  # not a flag
    rows[31] = "R2,P1,2016-05-01,,30,Y,City"       # a repeated key
    rows[36] = "R36,P1,2016-05-01,,30,Y"           # a cell short
    data = _bundle(tmp_path, ("\n".join([HEADER, *rows]) + "\n").encode())
    used: list[bool] = []
    real = duck.reads_alike
    monkeypatch.setattr(duck, "reads_alike", lambda f: used.append(real(f)) or used[-1])
    bundle, diags = load_bundle(data, CONTRACT)
    assert bundle is not None and not diags
    counts, found = measure_datasets(CONTRACT, bundle.datasets)
    assert used and all(used), "both datasets went through DuckDB's reader"
    assert counts is None
    got = sorted((d.code, d.span.line if d.span else 0, d.span.column if d.span else 0)
                 for d in found)
    assert got == [("D006", 38, 1), ("D007", 19, 20), ("D008", 7, 7),
                   ("D013", 33, 1), ("D042", 25, 23)]
    assert any("has 6 cells but the header has 7" in d.message for d in found)
    assert any("key `R2` is repeated (first in row 4)" in d.message for d in found)


def _five_bad_flags(tmp_path: Path) -> Path:
    """A bundle of 3,000 records (CR LF) with a bad flag at rows 10, 700, 1500, 2200, 2999."""
    rows = [_ok_row(i) for i in range(3000)]
    for n in (10, 700, 1500, 2200, 2999):
        rows[n] = rows[n].replace(",Y,", ",?,")
    return _bundle(tmp_path, ("\r\n".join([HEADER, *rows]) + "\r\n").encode())


def test_five_bad_cells_in_a_long_file_are_all_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _five_bad_flags(tmp_path)
    shown, _ = _run(data, monkeypatch, engine=True)
    assert [(c, line) for c, _, line, *_ in shown] == [
        ("D042", n + 2) for n in (10, 700, 1500, 2200, 2999)]


def test_blank_lines_and_quoted_line_breaks_fall_back_to_the_rows_for_positions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (f"{HEADER}\n{_ok_row(1)}\n\n{_ok_row(2)}\n"
            f'R3,P3,2016-05-01,,30,Y,"City\nCentre"\nR4,P4,2016-05-01,,x,Y,City\n')
    data = _bundle(tmp_path, text.encode())
    shown, _ = _run(data, monkeypatch, engine=True)
    assert [(c, line, col) for c, _, line, col, *_ in shown] == [("D007", 7, 19)]
    assert shown == _run(data, monkeypatch, engine=False)[0]


def test_a_clean_file_gives_the_same_counts_both_ways(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join([HEADER, *(_ok_row(i) for i in range(200))]) + "\n"
    data = _bundle(tmp_path, text.encode())
    by_duckdb = _run(data, monkeypatch, engine=True)
    assert by_duckdb[1] is not None
    assert by_duckdb == _run(data, monkeypatch, engine=False)


# ---- differential: random CSV text, DuckDB's reader against the row reader ---------------
CELLS = ["R1", "R2", "P1", "2016-05-01", "2017-02-29", "2016-5-1", "14", "-3.5", "1e3", "Y",
         "n", "maybe", "", " ", "City", "North, East", '"City"', '""', '"a""b"', '"x\ny"',
         '"x\r\ny"', "é", "a\"b", ' "q"', '"q" ', "\t", "\x01", '"open']
ENDS = ["\n", "\r\n", "\r", "\n\n", ""]


@st.composite
def csv_texts(draw: st.DrawFn) -> bytes:
    """A REFERRALS file: the header, then rows of 5 to 9 random cells, odd line ends."""
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = HEADER + end
    for i in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 3)):
            cells = _ok_row(i).split(",")
        else:
            cells = draw(st.lists(st.sampled_from(CELLS), min_size=5, max_size=9))
        text += ",".join(cells) + (draw(st.sampled_from(ENDS)) if draw(st.booleans()) else end)
    return text.encode()


# A loaded bundle checked twice per example (about 0.1 s): 40 in the default run, 2,000
# with OBC_FUZZ=nightly (`make fuzz` runs it too).
EXAMPLES = 2000 if os.environ.get("OBC_FUZZ") == "nightly" else 40


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=csv_texts())
def test_duckdb_reads_what_the_row_reader_reads(text: bytes, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = _bundle(tmp_path, text)
    assert _run(data, monkeypatch, engine=True) == _run(data, monkeypatch, engine=False)


def test_line_count_is_none_for_mixed_line_ends(tmp_path: Path) -> None:
    for body, lines in ((b"a\nb\n", 2), (b"a\r\nb", 2), (b"a\rb\r", 2), (b"", 0),
                        (b"a\r\nb\n", None), (b"a\nb\rc\n", None), (b'a,"x\ry"\r\n', None)):
        path = tmp_path / "f.csv"
        path.write_bytes(body)
        assert CsvFile.map(path).line_count() == lines, body


@settings(max_examples=200, deadline=None)
@given(body=st.text(alphabet="ab,\r\n", max_size=40), block=st.sampled_from([1, 2, 3, 7]),
       spare=st.booleans())
def test_line_count_in_two_halves_is_the_lines_python_counts(body: str, block: int,
                                                             spare: bool) -> None:
    """The lines counted a block at a time, the halves of the blocks on two threads or on
    one, are the lines of the text when its line ends are all alike (else None), each line
    starts where the text says, and each byte is on the line the text says."""
    from unittest import mock

    from obc_check.checker.data import csv_file, twocores

    raw = body.encode()
    crlf, cr, lf = body.count("\r\n"), body.count("\r"), body.count("\n")
    alike = not cr or not lf or cr == lf == crlf
    ends = "\r\n" if crlf and alike else "\r" if cr else "\n"
    want = (body.count(ends) + (0 if not body or body.endswith(("\n", "\r")) else 1)
            if alike else None)
    with mock.patch.object(csv_file, "_BLOCK", block), \
            mock.patch.object(twocores, "spare_core", lambda: spare):
        file = CsvFile(raw)
        assert file.line_count() == want
        if want:
            starts = [0] + [i + len(ends) for i in range(len(body)) if body.startswith(ends, i)]
            assert [file.line_start(n) for n in range(1, want + 1)] == starts[:want]
        if want and file.break_byte == 10:  # each byte's line, as the text counts it
            assert file.lines_of(range(len(raw))) == [
                body[:at].count("\n") + 1 for at in range(len(raw))]


def test_typed_parquet_columns_are_used_as_they_are(tmp_path: Path) -> None:
    """date32, bool and decimal columns need no checks: the same counts as the CSV's text."""
    import csv as csvmod
    import datetime as dt
    import json
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    from obc_check.checker.check import check_bundle

    def report(data: Path) -> object:
        got, diags = check_bundle(CONTRACT, data, dt.date(2019, 9, 30))
        assert got is not None, diags
        return json.loads(got.to_json())["outcome_payment"]

    folder = tmp_path / "typed"
    shutil.copytree(EIP / "data", folder)
    expected = report(folder)
    for name, flag in (("REFERRALS", "first_episode"), ("DISCHARGES", None)):
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csvmod.reader(fh))
        (folder / f"{name}.csv").unlink()
        arrays = {}
        for i, h in enumerate(rows[0]):
            values = [r[i] or None for r in rows[1:]]
            if h.endswith("_on"):
                arrays[h] = pa.array([dt.date.fromisoformat(v) if v else None for v in values],
                                     pa.date32())
            elif h == "age":
                arrays[h] = pa.array([Decimal(v) if v else None for v in values],
                                     pa.decimal128(6, 2))
            elif h == flag:
                arrays[h] = pa.array([None if v is None else v.lower() in ("y", "yes", "1",
                                                                           "true")
                                      for v in values], pa.bool_())
            else:
                arrays[h] = pa.array(values, pa.string())
        pq.write_table(pa.table(arrays), folder / f"{name}.parquet")
    bundle, _ = load_bundle(folder, CONTRACT)
    assert bundle is not None
    # referred_on, treated_on (date32), age (decimal: 4 digits, 2 places), first_episode (bool)
    assert duck._native_columns(bundle.datasets["REFERRALS"]) == {
        2: (0, 0), 3: (0, 0), 4: (4, 2), 5: (0, 0)}
    assert report(folder) == expected


@settings(max_examples=300, deadline=None)
@given(body=st.text(alphabet='ab,"\r\n', max_size=40), bom=st.booleans(),
       block=st.integers(1, 8), unicode=st.booleans())
def test_line_starts_in_bulk_are_where_the_origins_search_puts_them(
        body: str, bom: bool, block: int, unicode: bool) -> None:
    """numpy's breaks (a block at a time, CR LF across a block's edge) are the regex's."""
    from obc_check.checker.data.origins import _line_starts

    text = body + ("é" if unicode else "")
    file = CsvFile(("\ufeff" if bom else "").encode() + text.encode())
    got = file.line_starts(block)
    assert (got if got is None else list(got)) == (None if unicode else _line_starts(file.text))


@settings(max_examples=300, deadline=None)
@given(body=st.text(alphabet='ab,"\r\né', max_size=60), bom=st.booleans(),
       block=st.sampled_from([1, 2, 3, 5, 1 << 24]), window=st.integers(1, 6))
def test_cells_placed_from_a_line_start_are_where_the_whole_text_puts_them(
        body: str, bom: bool, block: int, window: int) -> None:
    """A cell placed from its line's start and a window of text (a block of breaks at a
    time) is where the whole decoded text puts it, whatever the line ends, quotes, BOM or
    non-ASCII characters; a file of mixed line ends is placed the old way."""
    from obc_check.checker.data import csv_file
    from obc_check.checker.data.origins import CsvOrigin

    raw = ("\ufeff" if bom else "").encode() + body.encode()
    whole, fast = CsvFile(raw), CsvFile(raw)
    header = ["a", "b", "c", "d"]
    old = CsvOrigin("f.csv", lambda: whole.text, header)
    new = CsvOrigin("f.csv", lambda: fast.text, header, line_start=fast.line_start,
                    window=lambda at, size: fast.window(at, size * window // 4096))
    lines = body.count("\n") + body.count("\r") + 2
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_file, "_BLOCK", block)
        for line in range(1, lines + 1):
            for column in header:
                assert new.span(line, column) == old.span(line, column), (line, column)
    if fast.line_count() is None:
        assert "text" in new.__dict__ or lines == 1  # mixed line ends: the whole text


@settings(max_examples=300, deadline=None)
@given(body=st.text(alphabet='ab,"\r\né', max_size=60), bom=st.booleans(),
       block=st.sampled_from([1, 2, 3, 1 << 24]))
def test_lines_read_when_shown_are_the_text_split_at_each_lf(
        body: str, bom: bool, block: int) -> None:
    """The lines ``render_text`` shows of a CSV file, each read when asked for, are the
    whole text's split at LF (None, and the text split, for CR or mixed line ends)."""
    from obc_check.checker.data import csv_file

    file = CsvFile(("\ufeff" if bom else "").encode() + body.encode())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_file, "_BLOCK", block)
        lines = file.lines()
        want = file.text.split("\n")
        alike = "\r" not in body or body.count("\r\n") == body.count("\r") == body.count("\n")
        assert (lines is None) == ("\n" not in body or not alike)
        if lines is None:
            return
        assert len(lines) == len(want)
        assert [lines[i] for i in range(len(lines))] == want
        assert list(lines[1:3]) == want[1:3] and lines[-1] == want[-1]


def test_bad_cells_are_shown_with_their_lines_read_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's text of five bad cells: the same whether the file is read whole or not."""
    from obc_check.checker.data import load
    from obc_check.diagnostics import render_text

    data = _five_bad_flags(tmp_path)
    bundle, _ = load_bundle(data, CONTRACT)
    assert bundle is not None
    _, found = measure_datasets(CONTRACT, bundle.datasets)
    sources = load.bundle_sources(found)
    assert not isinstance(sources[str(data / "REFERRALS.csv")], str)
    shown = render_text(found, sources)
    monkeypatch.setattr(CsvFile, "lines", lambda self: None)
    assert shown == render_text(found, load.bundle_sources(found))
    assert shown.count("| R1500,P2,2016-07-10,,1520,?,City") == 1


@pytest.mark.parametrize("engine", [True, False])
def test_a_row_of_too_many_cells_is_shown_at_its_first_extra_cell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: bool) -> None:
    """D006 pointed at the row's first character; a row of more cells than the header is
    now shown where the header ends (a row of too few still at its start), by DuckDB's
    reader as by the row reader."""
    lines = (EIP / "data" / "REFERRALS.csv").read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    lines[3] = lines[3].rsplit(",", 1)[0]
    data = _bundle(tmp_path, ("\n".join(lines) + "\n").encode())
    if not engine:  # the row reader reads the file
        monkeypatch.setattr(duck, "reads_alike", lambda file: False)
    bundle, diags = load_bundle(data, CONTRACT)
    found = diags if bundle is None else measure_datasets(CONTRACT, bundle.datasets)[1]
    d006 = [(d.span.line, d.span.column) for d in found if d.code == "D006" and d.span]
    assert d006 == [(3, len(lines[2]) - len("extra") + 1), (4, 1)], found
