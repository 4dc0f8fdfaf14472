"""The compiled claims kernels (``obc_check/checker/data/kernels``) against their references.

The decision sort against numpy's lexsort (day, price, person, then position), at the
edges of its bit widths, in one run and in two merged runs; the five rules against the
plain loop (:func:`decide_in_order`) on drawn inputs with a claim window; the wrappers'
checks of what they pass to C; and the loader's refusals. The modules that test the rest
of the claims path run each test both with the kernels and with numpy (``claim_paths``).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import obc_check.checker.data.claims as claims_data
from obc_check.checker.data import kernels, twocores
from obc_check.checker.rules.claims import Inputs, decide, decide_in_order

ROOT = Path(__file__).resolve().parents[2]
needs_kernels = pytest.mark.skipif(not kernels.available(),
                                   reason="the compiled claims kernels are not built")


def _sorted_by_kernels(day: np.ndarray, price: np.ndarray, person: np.ndarray, p: int, q: int,
                       split: bool) -> claims_data._Merged | None:
    with mock.patch.object(twocores, "SPLIT_AT", 2), \
            mock.patch.object(twocores, "spare_core", lambda: True):
        return claims_data._kernel_sorted(day, price, person, int(day.min(initial=0)), p, q,
                                          split)


@needs_kernels
@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 90), p=st.integers(1, 6), q=st.integers(1, 12),
       span=st.sampled_from([0, 1, 2, 7, 8, 2047, 2048, 1 << 20]),
       first=st.integers(-30_000, 30_000), split=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_the_kernel_sort_is_lexsort_by_day_price_person_then_position(
        n: int, p: int, q: int, span: int, first: int, split: bool, seed: int) -> None:
    """Repeated rows (equal keys) in position order; keys of 0 bits (one price, person, day)
    up to several radix passes; one run, and two runs merged from both ends at once."""
    rng = np.random.default_rng(seed)
    day = (first + rng.integers(0, span + 1, n)).astype(np.int32)
    price = rng.integers(0, p, n).astype(np.int32)
    person = rng.integers(0, q, n).astype(np.int32)
    merged = _sorted_by_kernels(day, price, person, p, q, split)
    assert merged is not None
    order = np.lexsort((np.arange(n), person, price, day))
    assert merged.order.tolist() == order.tolist()
    assert merged.day.tolist() == day[order].tolist()
    assert merged.price.tolist() == price[order].tolist()
    assert merged.person.tolist() == person[order].tolist()
    keys = list(zip(day.tolist(), price.tolist(), person.tolist(), strict=True))
    assert merged.repeats == (len(set(keys)) < n)


@needs_kernels
def test_a_repeat_only_across_the_middle_of_the_merge_is_found() -> None:
    day = np.array([6, 4, 0, 8, 2, 4, 1, 7, 3, 5], np.int32)  # sorted: 0 1 2 3 4 | 4 5 6 7 8
    zeros = np.zeros(10, np.int32)
    merged = _sorted_by_kernels(day, zeros, zeros, 1, 1, True)
    assert merged is not None and merged.repeats
    day[5] = 9
    merged = _sorted_by_kernels(day, zeros, zeros, 1, 1, True)
    assert merged is not None and not merged.repeats


@st.composite
def windowed_inputs(draw: st.DrawFn) -> Inputs:
    """Claims in decision order with a claim window, people with no start among them."""
    n = draw(st.integers(0, 80))
    p = draw(st.integers(1, 4))
    q = draw(st.integers(1, 7))
    day = np.sort(np.array(draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)),
                           np.int32))
    started = np.array(draw(st.lists(st.sampled_from([np.iinfo(np.int32).min, 0, 5, 12, 30]),
                                     min_size=q, max_size=q)), np.int32)
    length = draw(st.sampled_from([0, 3, 10, 60]))
    window_end = np.where(started == np.iinfo(np.int32).min, np.iinfo(np.int32).max,
                          started + length).astype(np.int32)
    return Inputs(
        price=np.array(draw(st.lists(st.integers(0, p - 1), min_size=n, max_size=n)), np.int32),
        person=np.array(draw(st.lists(st.integers(0, q - 1), min_size=n, max_size=n)),
                        np.int32),
        day=day, started=started, window_end=window_end,
        amounts=np.array(draw(st.lists(st.sampled_from([0, 1, 50, 100, 250, 999]),
                                       min_size=p, max_size=p)), np.int64),
        once=np.array(draw(st.lists(st.booleans(), min_size=p, max_size=p)), bool),
        limit=np.array(draw(st.lists(st.sampled_from([-1, -1, 0, 1, 2]), min_size=p,
                                     max_size=p)), np.int64),
        person_cap=draw(st.one_of(st.none(), st.sampled_from([0, 1, 100, 150, 300]))),
        term_cap=draw(st.sampled_from([0, 1, 100, 250, 500, 2_000])),
        term=(draw(st.integers(0, 5)), draw(st.integers(25, 40))),
        as_of=draw(st.integers(10, 40)), window=draw(st.booleans()))


@needs_kernels
@settings(max_examples=500, deadline=None)
@given(x=windowed_inputs())
def test_the_kernel_rules_are_the_loop(x: Inputs) -> None:
    """Every rule: the term and as-of date, the window either side, repeats, the price
    limit, the person cap (a £0 price too) and the term cap, each met exactly."""
    fast, slow = decide(x), decide_in_order(x)
    with kernels.numpy_only():
        columns = decide(x)
    assert fast[0].tolist() == slow[0].tolist() == columns[0].tolist()
    assert fast[1].tolist() == slow[1].tolist() == columns[1].tolist()
    assert fast[0].dtype == slow[0].dtype and fast[1].dtype == slow[1].dtype


@needs_kernels
def test_the_wrappers_refuse_what_the_c_code_would_misread() -> None:
    day = np.zeros(4, np.int32)
    out = np.zeros(4, np.int64)
    with pytest.raises(ValueError, match="int32"):
        kernels.sort_claims(day.astype(np.int64), day, day, 0, (0, 0, 2, 0), 0, out)
    with pytest.raises(ValueError, match="contiguous"):
        kernels.sort_claims(np.zeros(8, np.int32)[::2], day, day, 0, (0, 0, 2, 0), 0, out)
    with pytest.raises(ValueError, match="bits"):
        kernels.sort_claims(day, day, day, 0, (0, 0, 20, 44), 0, out)
    reason, amount = np.zeros(4, np.int8), np.zeros(4, np.int64)
    one = np.zeros(1, np.int64)
    with pytest.raises(ValueError, match="out of range"):
        kernels.decide(day, np.array([0, 0, 0, 1], np.int32), day, np.zeros(1, np.int32),
                       np.zeros(1, np.int32), one, np.zeros(1, bool), one - 1, None, 10,
                       (0, 9), 9, False, reason, amount)


@needs_kernels
@settings(max_examples=300, deadline=None)
@given(width=st.integers(1, 16), alphabet=st.sampled_from(["AB", "P0123456789", "\x00\xff",
                                                          "aé", "Zz9"]),
       n=st.integers(1, 60), offset=st.integers(0, 3), split=st.booleans(),
       data=st.data())
def test_the_kernel_person_codes_and_ranks_are_numpys(width: int, alphabet: str, n: int,
                                                      offset: int, split: bool,
                                                      data: st.DataObject) -> None:
    """Identifiers of one length in bytes (odd and even, up to 16; bytes 0x00 and 0xff; a
    slice that starts past the buffer's first string): the same codes, book and ranks."""
    letters = [c for c in alphabet if len(c.encode()) == 1] or ["A"]
    values = data.draw(st.lists(st.text(alphabet=letters, min_size=width, max_size=width),
                                min_size=n + offset, max_size=n + offset))
    array = pa.array(values, pa.string()).slice(offset)
    with mock.patch.object(twocores, "SPLIT_AT", 2), \
            mock.patch.object(twocores, "spare_core", lambda: True):
        native = claims_data._book_codes(array, split)
        ranks = claims_data.person_ranks(array, split)
        with kernels.numpy_only():
            plain = claims_data._book_codes(array, split)
            plain_ranks = claims_data.person_ranks(array, split)
    assert (native is None) == (plain is None)
    if native is not None and plain is not None:
        assert native[0].tolist() == plain[0].tolist()
        assert native[1].span == plain[1].span and native[1].fixed == plain[1].fixed
        assert np.array_equal(native[1].seen, plain[1].seen)
        assert [(a, r, d.tolist()) for a, r, d in native[1].kept] == \
            [(a, r, d.tolist()) for a, r, d in plain[1].kept]
    assert ranks[0].tolist() == plain_ranks[0].tolist()
    assert ranks[1].to_pylist() == plain_ranks[1].to_pylist() == sorted(set(array.to_pylist()))


@needs_kernels
def test_the_persons_wrappers_refuse_what_the_c_code_would_misread() -> None:
    data = np.zeros(8, np.uint8)
    seen = np.zeros((2, kernels.PAIRS), bool)
    with pytest.raises(ValueError, match="bytes of 3-byte"):
        kernels.mark_symbols(data, 3, seen)
    with pytest.raises(ValueError, match="expected bool"):
        kernels.mark_symbols(data, 4, np.zeros((2, kernels.PAIRS), np.uint8))
    with pytest.raises(ValueError, match="past the strings' width"):
        kernels.fill_codes(data, 4, np.array([2], np.int64), np.array([2], np.int64),
                           np.zeros((1, kernels.PAIRS), np.int32), np.zeros(2, np.int64))
    code = np.array([0, 5], np.int64)
    with pytest.raises(ValueError, match=r"outside 0\.\.4"):
        kernels.code_table(code, 5, np.zeros(5, np.int64), np.zeros(2, np.int64))
    with pytest.raises(ValueError, match=r"outside 0\.\.4"):
        kernels.take_ranks(code, np.zeros(5, np.int64), np.zeros(2, np.int32))


@needs_kernels
def test_the_wrappers_refuse_2d_read_only_and_wrapping_arrays() -> None:
    """Found by the review: a (4, 0) array has len 4 and no bytes; an output over immutable
    bytes; an int64 code of 2**32 + 1 that a cast to int32 would make 1."""
    day = np.zeros(4, np.int32)
    with pytest.raises(ValueError, match="expected int32"):
        kernels.sort_claims(np.zeros((4, 0), np.int32), day, day, 0, (0, 0, 2, 0), 0,
                            np.zeros(4, np.int64))
    frozen = np.frombuffer(b"\0" * 32, np.int64)
    with pytest.raises(ValueError, match="writable"):
        kernels.sort_claims(np.arange(4, dtype=np.int32), day, day, 0, (0, 0, 2, 2), 0, frozen)
    with pytest.raises(ValueError, match="beyond int32"):
        kernels.as_int32(np.array([0, 2**32 + 1], np.int64))
    assert kernels.as_int32(np.array([0, 7], np.int64)).tolist() == [0, 7]
    same = np.arange(3, dtype=np.int32)
    assert kernels.as_int32(same) is same


@needs_kernels
def test_numpy_only_switches_the_kernels_off_and_back() -> None:
    with kernels.numpy_only():
        assert not kernels.available()
        with kernels.numpy_only():
            assert not kernels.available()
        assert not kernels.available()
    assert kernels.available()


def test_a_missing_library_is_a_quiet_fallback_unless_required(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(kernels, "LIBRARY", tmp_path / "_claims.so")
    monkeypatch.setenv("OBC_NATIVE", "")
    assert kernels._load() is None
    monkeypatch.setenv("OBC_NATIVE", "require")
    with pytest.raises(kernels.KernelsMissingError, match="was not built"):
        kernels._load()
    monkeypatch.setenv("OBC_NATIVE", "0")
    assert kernels._load() is None


def test_a_library_of_another_version_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    """A library left by an older build (its version differs) is not used."""
    source = tmp_path / "old.c"
    source.write_text("long long obc_kernels_version(void) { return 0; }\n")
    library = tmp_path / "_claims.so"
    try:
        subprocess.run(["cc", "-shared", "-fPIC", "-o", str(library), str(source)], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no C compiler")
    monkeypatch.setattr(kernels, "LIBRARY", library)
    monkeypatch.setenv("OBC_NATIVE", "")
    assert kernels._load() is None
    monkeypatch.setenv("OBC_NATIVE", "require")
    with pytest.raises(kernels.KernelsMissingError, match="version 0, not"):
        kernels._load()


def test_a_library_built_from_another_text_of_the_source_is_refused(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """claims.c edited since the build (its digest differs from the library's): refused."""
    library = tmp_path / "_claims.so"
    try:
        subprocess.run(["cc", "-shared", "-fPIC", '-DOBC_SOURCE="0123456789abcdef"', "-o",
                        str(library), str(kernels.SOURCE)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no C compiler")
    monkeypatch.setattr(kernels, "LIBRARY", library)
    monkeypatch.setenv("OBC_NATIVE", "require")
    with pytest.raises(kernels.KernelsMissingError, match=r"another text of claims\.c"):
        kernels._load()
    digest = kernels.source_digest(kernels.SOURCE.read_bytes())
    library = tmp_path / "_claims_built.so"  # another path: dlopen keeps the first by name
    subprocess.run(["cc", "-shared", "-fPIC", f'-DOBC_SOURCE="{digest}"', "-o", str(library),
                    str(kernels.SOURCE)], check=True, capture_output=True)
    monkeypatch.setattr(kernels, "LIBRARY", library)
    assert kernels._load() is not None


@pytest.mark.slow
def test_the_wheel_carries_the_compiled_kernels(tmp_path: Path) -> None:
    """``pip wheel`` runs hatch_build.py: the library is in the wheel, tagged for the
    platform (not py3-none-any), and the source beside it."""
    if subprocess.run(["cc", "--version"], capture_output=True).returncode:
        pytest.skip("no C compiler")
    built = kernels.LIBRARY.stat().st_mtime_ns if kernels.LIBRARY.exists() else None
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(tmp_path), str(ROOT)], capture_output=True, text=True)
    if done.returncode and "hatchling" in done.stderr and "No matching" in done.stderr:
        pytest.skip("hatchling is not reachable to build a wheel")
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("obc_check-*.whl")
    # for the platform, any Python 3: the library uses no Python API
    assert "-py3-none-" in wheel.name and not wheel.name.endswith("-any.whl"), wheel.name
    # compiled outside the source tree: the editable install's library is left alone
    assert (kernels.LIBRARY.stat().st_mtime_ns if kernels.LIBRARY.exists() else None) == built
    names = zipfile.ZipFile(wheel).namelist()
    assert "obc_check/checker/data/kernels/_claims.so" in names
    assert "obc_check/checker/data/kernels/claims.c" in names
