"""The decision sort and the pooled arrays the claims path is built on.

``stable_order`` takes pyarrow's counting sort digit by digit only for 4,096 keys or more,
which the claim properties (at most 60 claims) never reach: here it is held to numpy's
stable argsort at every key width it cuts differently, with repeated keys.
"""

from __future__ import annotations

import numpy as np
import pytest

from obc_check.checker.data import pooled
from obc_check.checker.data.claims import stable_order


@pytest.mark.parametrize("bits", [1, 11, 12, 13, 16, 24, 32, 33, 36, 47, 48, 49])
def test_stable_order_is_numpys_stable_argsort(bits: int) -> None:
    rng = np.random.default_rng(bits)
    keys = rng.integers(0, 1 << bits, 20_000)
    keys[rng.integers(0, len(keys), 2_000)] = keys[0]  # many equal keys: stability shows
    keys[-1] = (1 << bits) - 1  # the widest key, so the digits are cut at this width
    order = stable_order(keys)
    assert np.array_equal(order, np.argsort(keys, kind="stable"))
    assert np.array_equal(order[np.argsort(order)], np.arange(len(keys)))


def test_stable_order_of_equal_keys_keeps_their_order() -> None:
    keys = np.full(5_000, (1 << 33) + 5, np.int64)
    assert np.array_equal(stable_order(keys), np.arange(len(keys)))


def test_pooled_arrays_are_plain_writable_numpy() -> None:
    values = np.array([5, 6, 7, 8], np.int32)
    got = pooled.take(values, np.array([3, 0, 0], np.int64))
    assert got.dtype == np.int32 and got.tolist() == [8, 5, 5]
    got[0] = 1
    assert got.tolist() == [1, 5, 5]
    filled = pooled.full(3, 4, np.int8)
    assert filled.dtype == np.int8 and filled.tolist() == [4, 4, 4]
    assert pooled.empty(0, np.int64).shape == (0,)
    assert pooled.take(values, np.zeros(0, np.int64)).shape == (0,)


def test_pooled_flatnonzero_is_numpys_at_any_length() -> None:
    rng = np.random.default_rng(5)
    for n in (0, 1, 7, 5_000, 300, 20_000):  # grows its positions, then reuses them
        mask = rng.random(n) < 0.3
        got = pooled.flatnonzero(mask)
        assert got.dtype == np.intp and np.array_equal(got, np.flatnonzero(mask))


def test_pooled_positions_are_a_read_only_arange() -> None:
    got = pooled.positions(10)
    assert got.tolist() == list(range(10)) and not got.flags.writeable
    assert pooled.positions(3).tolist() == [0, 1, 2]
