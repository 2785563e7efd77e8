"""How the 256 bits of a code are split into substrings, and how far each one is searched.

Multi-index hashing rests on the generalised pigeonhole principle: cut the code into m disjoint
substrings and give substring i a threshold t_i with sum(t_i + 1) >= r + 1. Then any code within
Hamming distance r of the query is within t_i of it on at least one substring i (otherwise the
distance would be at least sum(t_i + 1) > r). A threshold of -1 means the substring is not probed.

Substrings are contiguous runs of a fixed bit permutation. Real PDQ bits are correlated with their
neighbours in the 16x16 DCT grid, so the permutation spreads each substring over the grid, which
keeps the substring keys close to uniform and the buckets short.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, pairwise

import numpy as np
import numpy.typing as npt

from stukje.hashing.signal import HASH_BITS

__all__ = [
    "DEFAULT_TABLES",
    "BitLayout",
    "flip_masks",
    "thresholds",
]

#: Eleven substrings of 23-24 bits: measured as the fastest exact r=31 split at 1M-10M signals.
DEFAULT_TABLES = 11
_PERMUTATION_SEED = 20240531
MAX_KEY_BITS = 32


@dataclass(frozen=True)
class BitLayout:
    """The bit positions (big-endian: 0 is the first byte's high bit) of each substring."""

    substrings: tuple[tuple[int, ...], ...]

    @classmethod
    def spread(cls, tables: int = DEFAULT_TABLES) -> BitLayout:
        """``tables`` substrings of near-equal length over a fixed pseudo-random bit order."""
        if not HASH_BITS // MAX_KEY_BITS <= tables <= HASH_BITS:
            raise ValueError(f"tables must be between 8 and 256, got {tables}")
        order = np.random.default_rng(_PERMUTATION_SEED).permutation(HASH_BITS)
        bounds = np.linspace(0, HASH_BITS, tables + 1).round().astype(int)
        return cls(
            tuple(tuple(int(b) for b in order[start:stop]) for start, stop in pairwise(bounds))
        )

    @property
    def tables(self) -> int:
        return len(self.substrings)

    def lengths(self) -> npt.NDArray[np.int64]:
        return np.array([len(s) for s in self.substrings], dtype=np.int64)

    def lookup_tables(self) -> npt.NDArray[np.uint32]:
        """lut[t, p, v]: the bits that byte value v at byte p adds to substring t's key.

        The key's first bit (most significant) is the substring's first listed bit.
        """
        lut = np.zeros((self.tables, HASH_BITS // 8, 256), dtype=np.uint32)
        values = np.arange(256, dtype=np.uint32)
        for table, bits in enumerate(self.substrings):
            length = len(bits)
            for rank, bit in enumerate(bits):
                byte, shift = divmod(bit, 8)
                present = (values >> np.uint32(7 - shift)) & np.uint32(1)
                lut[table, byte] |= present << np.uint32(length - 1 - rank)
        return lut

    def masks(self, bits_per_table: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
        """Per table, a 32-byte mask of the first ``bits_per_table[t]`` bits of its key."""
        out = np.zeros((self.tables, HASH_BITS // 8), dtype=np.uint8)
        for table, bits in enumerate(self.substrings):
            for bit in bits[: int(bits_per_table[table])]:
                out[table, bit // 8] |= np.uint8(0x80 >> (bit % 8))
        return out

    def to_array(self) -> npt.NDArray[np.int16]:
        """Flat form for a snapshot: -1 separates substrings."""
        flat: list[int] = []
        for bits in self.substrings:
            flat.extend(bits)
            flat.append(-1)
        return np.array(flat, dtype=np.int16)

    @classmethod
    def from_array(cls, flat: npt.NDArray[np.int16]) -> BitLayout:
        substrings: list[tuple[int, ...]] = []
        current: list[int] = []
        for value in flat.tolist():
            if value < 0:
                substrings.append(tuple(current))
                current = []
            else:
                current.append(int(value))
        layout = cls(tuple(substrings))
        if sorted(b for s in layout.substrings for b in s) != list(range(HASH_BITS)):
            raise ValueError("a bit layout must use each of the 256 bits exactly once")
        return layout


def thresholds(radius: int, lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Per-substring thresholds with sum(t_i + 1) == radius + 1 (the pigeonhole bound).

    The extra units go to the longest substrings first: more bits per probe, fewer false hits.
    """
    tables = len(lengths)
    base, extra = divmod(radius + 1, tables)
    out = np.full(tables, base - 1, dtype=np.int64)
    longest_first = np.argsort(-lengths, kind="stable")
    out[longest_first[:extra]] += 1
    return out


@lru_cache(maxsize=64)
def flip_masks(bits: int, max_flips: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """All ``bits``-bit masks with at most ``max_flips`` bits set, and their popcounts."""
    masks: list[int] = []
    counts: list[int] = []
    for flips in range(min(max_flips, bits) + 1):
        for chosen in combinations(range(bits), flips):
            masks.append(sum(1 << c for c in chosen))
            counts.append(flips)
    return np.array(masks, dtype=np.uint32), np.array(counts, dtype=np.int64)
