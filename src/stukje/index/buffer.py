"""The newest codes, appended in place and searched by a linear scan until they are frozen.

Capacity is fixed at creation so readers never see a reallocation: a reader takes ``count``
once, and rows past it (being written) are ignored. Once full, the index freezes the buffer into
a :class:`~stukje.index.segment.Segment` and starts a new one.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from stukje.index import _kernels
from stukje.index.segment import Hits, _drain, alive_mask, new_dead_bits

__all__ = ["Buffer"]

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]


class Buffer:
    """Up to ``capacity`` codes in arrival order, with a dead flag each."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.ids = np.empty(capacity, dtype=np.int64)
        self.codes = np.zeros((capacity, 32), dtype=np.uint8)
        self.words = self.codes.view(np.uint64).reshape(-1, 4)
        self.dead = new_dead_bits(capacity)
        self.count = 0
        self.alive = 0

    @property
    def room(self) -> int:
        return self.capacity - self.count

    def append(self, ids: I64, codes: U8) -> None:
        """Append rows (at most ``room``); visible to readers once ``count`` moves."""
        start, stop = self.count, self.count + len(ids)
        self.ids[start:stop] = ids
        self.codes[start:stop] = codes
        self.count = stop
        self.alive += len(ids)

    def mark_dead(self, ids: I64) -> int:
        """Mark rows holding one of ``ids`` (sorted) dead; returns how many were alive."""
        newly: int = _kernels.mark_ids_dead(self.ids, self.count, self.dead, ids)
        self.alive -= newly
        return newly

    def alive_rows(self) -> tuple[I64, U8]:
        keep = alive_mask(self.dead, self.count)
        return self.ids[: self.count][keep], self.codes[: self.count][keep]

    def search(self, query_words: npt.NDArray[np.uint64], radius: int) -> Hits:
        count = self.count

        def run(first: int, out_q: I64, out_r: I64, out_d: I64) -> tuple[int, int]:
            result: tuple[int, int] = _kernels.search_brute(
                self.words, self.dead, count, radius, query_words, first, out_q, out_r, out_d
            )
            return result

        return _drain(len(query_words), run)
