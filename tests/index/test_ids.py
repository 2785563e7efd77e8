"""PackedIds against plain sorted arrays: every offset width, duplicates, absent ids."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stukje.index.ids import PackedIds
from stukje.index.segment import alive_mask, new_dead_bits

ID_SETS = [
    pytest.param(np.arange(1000), np.uint8, id="dense"),
    pytest.param(np.arange(1000) * 300, np.uint16, id="sparse"),
    pytest.param(np.arange(1000) * 70_000, np.uint32, id="sparser"),
    pytest.param(np.arange(1000) * (1 << 40), np.uint64, id="huge"),
    pytest.param(np.repeat(np.arange(50), 30), np.uint8, id="duplicates-across-blocks"),
    pytest.param(np.array([], dtype=np.int64), np.uint8, id="empty"),
]


@pytest.mark.parametrize(("ids", "width"), ID_SETS)
def test_encode_round_trips_with_the_narrowest_width(ids: np.ndarray, width: type) -> None:
    packed = PackedIds.encode(ids.astype(np.int64))
    assert packed.offsets.dtype == width
    assert packed.all().tolist() == ids.tolist()
    assert len(packed) == len(ids)
    if len(ids):
        assert (packed.first, packed.last) == (int(ids[0]), int(ids[-1]))


@settings(max_examples=60, deadline=None)
@given(
    ids=st.lists(st.integers(0, 2**62), max_size=300).map(sorted),
    targets=st.lists(st.integers(0, 2**62), max_size=10),
    pick=st.integers(0, 5),
)
def test_mark_dead_kills_exactly_the_rows_of_the_ids(
    ids: list[int], targets: list[int], pick: int
) -> None:
    stored = np.array(ids, dtype=np.int64)
    targets = sorted(set(targets) | set(ids[:pick]))  # some present, some absent
    packed = PackedIds.encode(stored)
    dead = new_dead_bits(len(stored))
    killed = packed.mark_dead(dead, np.array(targets, dtype=np.int64))
    expected = np.isin(stored, targets)
    assert killed == int(expected.sum())
    assert (~alive_mask(dead, len(stored))).tolist() == expected.tolist()
    assert packed.mark_dead(dead, np.array(targets, dtype=np.int64)) == 0


def test_mismatched_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="id blocks"):
        PackedIds(np.zeros(3, dtype=np.int64), np.zeros(10, dtype=np.uint8))
