"""A segment's sorted signal ids in little room: one base per block of 64 rows plus offsets.

Bank signal ids are sequence numbers, so a segment's sorted ids are dense: 64 consecutive rows
usually span fewer than 256 ids, and ``id = base[row >> 6] + offset[row]`` costs one byte per
row plus 8/64 for the bases (1.125 B instead of 8). The offset width is chosen per segment from
the widest block (1, 2, 4 or 8 bytes), so sparse ids cost more room but never lose precision:
there is no id limit beyond the non-negative int64 range that ``SignalIndex`` accepts.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt

__all__ = ["BLOCK_SHIFT", "PackedIds"]

I64 = npt.NDArray[np.int64]
BLOCK_SHIFT = 6
_WIDTHS = (np.uint8, np.uint16, np.uint32, np.uint64)


class PackedIds:
    """Non-decreasing int64 ids, stored as block bases and narrow offsets."""

    def __init__(
        self, base: npt.NDArray[np.int64], offsets: npt.NDArray[np.unsignedinteger]
    ) -> None:
        if len(base) != (len(offsets) + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT:
            raise ValueError(f"{len(base)} id blocks do not fit {len(offsets)} rows")
        self.base = base
        self.offsets = offsets

    @classmethod
    def encode(cls, sorted_ids: I64) -> PackedIds:
        rows = len(sorted_ids)
        base = np.ascontiguousarray(sorted_ids[:: 1 << BLOCK_SHIFT], dtype=np.int64)
        spread = sorted_ids - np.repeat(base, 1 << BLOCK_SHIFT)[:rows]
        widest = int(spread.max()) if rows else 0
        dtype = next(d for d in _WIDTHS if widest <= np.iinfo(d).max)
        return cls(base, spread.astype(dtype))

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def first(self) -> int:
        return int(self.base[0]) if len(self.base) else 0

    @property
    def last(self) -> int:
        return int(self.at(np.array([len(self) - 1]))[0]) if len(self) else -1

    def nbytes(self) -> int:
        return int(self.base.nbytes + self.offsets.nbytes)

    def at(self, rows: I64) -> I64:
        """The ids of ``rows``."""
        ids: I64 = self.base[rows >> BLOCK_SHIFT] + self.offsets[rows].astype(np.int64)
        return ids

    def all(self) -> I64:
        return self.at(np.arange(len(self), dtype=np.int64))

    def mark_dead(self, dead: npt.NDArray[np.uint8], ids: I64) -> int:
        """Set the dead bit of every row holding one of ``ids``; returns how many were alive.

        One compiled call whatever the number of ids, so a single remove costs microseconds.
        """
        newly: int = _mark_dead(self.base, self.offsets, dead, ids)
        return newly


@nb.njit(cache=True, nogil=True, inline="always")
def _first_row_at_least(base, offsets, target, strict):  # type: ignore[no-untyped-def]
    # Binary search over the virtual sorted array base[row >> 6] + offsets[row].
    low, high = 0, offsets.shape[0]
    while low < high:
        mid = (low + high) >> 1
        value = base[mid >> BLOCK_SHIFT] + np.int64(offsets[mid])
        if value < target or (strict and value == target):
            low = mid + 1
        else:
            high = mid
    return low


@nb.njit(cache=True, nogil=True)
def _mark_dead(base, offsets, dead, ids):  # type: ignore[no-untyped-def]
    newly = 0
    for i in range(ids.shape[0]):
        stop = _first_row_at_least(base, offsets, ids[i], True)
        for row in range(_first_row_at_least(base, offsets, ids[i], False), stop):
            bit = np.uint8(1 << (row & 7))
            if not dead[row >> 3] & bit:
                dead[row >> 3] |= bit
                newly += 1
    return newly
