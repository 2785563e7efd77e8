"""One immutable batch of stored codes with its multi-index tables, plus a mutable dead mask.

Rows are kept in signal_id order, so removing an id is a binary search, and the ids pack into
about a byte each (:class:`~stukje.index.ids.PackedIds`). Each of the m tables sorts the rows by
the top ``bucket_bits`` of its substring key (a counting sort) behind a two-level directory of
bucket starts, and holds one bit-packed entry per row: the row number in ``row_bits`` (just
enough for this segment) and a fingerprint of the key's next bits, which discards most entries
of a probed bucket without touching their codes. A segment holds at most 2**24 rows; bigger
indexes have several segments.

Memory per signal at 10M rows, m tables, f fingerprint bits (docs/index.md has the table):
32 (code) + 1.125 (id, dense ids) + 1/8 (dead bit) + m * (24 + f) / 8 (entries)
+ m * 1.25 * 2**bucket_bits / n (directory: 1.25 bytes per bucket, bucket_bits about
log2(n) - 3, plus 64 bytes per group of 16 buckets holding 256 rows or more).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from stukje.index import _kernels
from stukje.index.ids import PackedIds
from stukje.index.layout import BitLayout, flip_masks, thresholds

__all__ = ["DEFAULT_FINGERPRINT_BITS", "Hits", "SearchPlan", "Segment"]

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
DEFAULT_FINGERPRINT_BITS = 8
MAX_FINGERPRINT_BITS = 16
MAX_SEGMENT_ROWS = 1 << 24
# Directory: a uint32 start per group of 16 buckets, a byte per bucket (see _split_directory).
GROUP_SHIFT = 4
OVERFLOW_FLAG = 1 << 31
# Relative costs (one sequential distance check = 1) used to pick the faster search path.
_BUCKET_VISIT_COST = 12.0
_FINGERPRINT_COST = 0.5
_INITIAL_CAPACITY = 1024


@dataclass(frozen=True)
class SearchPlan:
    """What a layout needs at query time, computed once per layout."""

    layout: BitLayout
    max_fingerprint_bits: int = DEFAULT_FINGERPRINT_BITS
    lut: npt.NDArray[np.uint32] = field(init=False)
    lengths: I64 = field(init=False)

    def __post_init__(self) -> None:
        if not 0 <= self.max_fingerprint_bits <= MAX_FINGERPRINT_BITS:
            raise ValueError(
                f"fingerprint_bits is 0-{MAX_FINGERPRINT_BITS}, got {self.max_fingerprint_bits}"
            )
        object.__setattr__(
            self, "lut", np.ascontiguousarray(self.layout.lookup_tables().transpose(1, 2, 0))
        )
        object.__setattr__(self, "lengths", self.layout.lengths())

    def bucket_bits_for(self, rows: int) -> int:
        # About 4-8 rows per bucket: measured faster than coarser buckets at 1M-10M rows.
        wanted = max(0, rows.bit_length() - 3)
        return min(wanted, int(self.lengths.min()))

    def fingerprint_bits(self, bucket_bits: int) -> I64:
        return np.minimum(self.max_fingerprint_bits, self.lengths - bucket_bits)


@dataclass
class Hits:
    """Flat search results: for each match, the query number, row and distance."""

    query: I64
    row: I64
    distance: I64


@dataclass(frozen=True)
class Tables:
    """The multi-index tables of a segment: two-level directory and packed entries."""

    dir_high: npt.NDArray[np.uint32]
    dir_low: npt.NDArray[np.uint8]
    dir_overflow: npt.NDArray[np.uint32]
    entries: npt.NDArray[np.uint64]
    row_bits: int
    width: int

    @property
    def bucket_bits(self) -> int:
        return int(self.dir_low.shape[1] - 1).bit_length() - 1

    def nbytes(self) -> int:
        arrays = (self.dir_high, self.dir_low, self.dir_overflow, self.entries)
        return sum(int(a.nbytes) for a in arrays)


class Segment:
    """Stored codes sorted by signal_id, with multi-index tables over them."""

    def __init__(
        self, plan: SearchPlan, ids: PackedIds, codes: npt.NDArray[Any], dead: U8, tables: Tables
    ) -> None:
        self.plan = plan
        self.ids = ids
        self.codes = codes
        self.dead = dead
        self.tables = tables
        self.bucket_bits = tables.bucket_bits
        self.first_id, self.last_id = ids.first, ids.last
        self.alive = len(ids) - int(np.unpackbits(dead, bitorder="little")[: len(ids)].sum())
        self._plans: dict[int, _Prepared | None] = {}

    @classmethod
    def build(cls, plan: SearchPlan, ids: I64, codes: U8) -> Segment:
        rows = len(ids)
        if rows > MAX_SEGMENT_ROWS:
            raise ValueError(f"a segment holds at most {MAX_SEGMENT_ROWS} rows, got {rows}")
        order = np.argsort(ids, kind="stable")
        codes = np.ascontiguousarray(codes[order])
        return cls(
            plan, PackedIds.encode(ids[order]), codes, new_dead_bits(rows), _tables(plan, codes)
        )

    def __len__(self) -> int:
        return len(self.ids.offsets)

    @cached_property
    def words(self) -> npt.NDArray[np.uint64]:
        return self.codes.view(np.uint64).reshape(-1, 4)

    def nbytes(self) -> int:
        return self.ids.nbytes() + self.codes.nbytes + self.dead.nbytes + self.tables.nbytes()

    def mark_dead(self, ids: I64) -> int:
        """Mark every row carrying one of ``ids`` (sorted) dead; returns how many were alive."""
        newly = self.ids.mark_dead(self.dead, ids)
        self.alive -= newly
        return newly

    def alive_rows(self) -> tuple[I64, U8]:
        keep = np.flatnonzero(alive_mask(self.dead, len(self)))
        return self.ids.at(keep), self.codes[keep]

    def search(self, queries: U8, query_words: npt.NDArray[np.uint64], radius: int) -> Hits:
        if radius not in self._plans:
            self._plans[radius] = self._prepare(radius)
        prepared = self._plans[radius]
        if prepared is None:
            return _drain(len(queries), self._brute_search(query_words, radius))
        return _drain(len(queries), self._table_search(queries, query_words, radius, prepared))

    def _prepare(self, radius: int) -> _Prepared | None:
        """Probe masks and filters for this radius, or None when a linear scan is cheaper."""
        limits = thresholds(radius, self.plan.lengths)
        if self._table_cost(limits) >= len(self):
            return None
        fp_bits = self.plan.fingerprint_bits(self.bucket_bits)
        masks, starts, flips = _probe_masks(self.bucket_bits, limits)
        table_masks = self.plan.layout.masks(self.bucket_bits + fp_bits).view(np.uint64)
        return limits, fp_bits, masks, starts, flips, table_masks

    def _table_cost(self, limits: I64) -> float:
        per_bucket = len(self) / (1 << self.bucket_bits)
        visits = sum(
            math.comb(self.bucket_bits, f)
            for limit in limits.tolist()
            for f in range(min(limit, self.bucket_bits) + 1)
        )
        return visits * (_BUCKET_VISIT_COST + per_bucket * _FINGERPRINT_COST)

    def _table_search(
        self, queries: U8, query_words: npt.NDArray[np.uint64], radius: int, prepared: _Prepared
    ) -> _Kernel:
        limits, fp_bits, masks, starts, flips, table_masks = prepared

        tables = self.tables

        def run(first: int, out_q: I64, out_r: I64, out_d: I64) -> tuple[int, int]:
            result: tuple[int, int] = _kernels.search_tables(
                self.words, self.dead, tables.dir_high, tables.dir_low, tables.dir_overflow,
                tables.entries,
                tables.width, tables.row_bits, self.plan.lut, self.plan.lengths,
                self.bucket_bits, fp_bits, limits,
                masks, starts, flips, table_masks, radius, queries, query_words,
                first, out_q, out_r, out_d,
            )  # fmt: skip
            return result

        return run

    def _brute_search(self, query_words: npt.NDArray[np.uint64], radius: int) -> _Kernel:
        def run(first: int, out_q: I64, out_r: I64, out_d: I64) -> tuple[int, int]:
            result: tuple[int, int] = _kernels.search_brute(
                self.words, self.dead, len(self), radius, query_words, first, out_q, out_r, out_d
            )
            return result

        return run


_Kernel = Callable[[int, I64, I64, I64], tuple[int, int]]


def _tables(plan: SearchPlan, codes: U8) -> Tables:
    rows, tables = len(codes), plan.layout.tables
    bucket_bits = plan.bucket_bits_for(rows)
    fp_bits = plan.fingerprint_bits(bucket_bits)
    row_bits = max(1, (rows - 1).bit_length())
    width = row_bits + int(fp_bits.max())
    buckets = np.empty((tables, rows), dtype=np.uint32)
    fps = np.empty((tables, rows), dtype=np.uint16)
    _kernels.substring_keys(codes, plan.lut, plan.lengths, bucket_bits, fp_bits, buckets, fps)
    directory = np.empty((tables, (1 << bucket_bits) + 1), dtype=np.uint32)
    entries = np.zeros((tables, (rows * width + 63) // 64 + 1), dtype=np.uint64)
    _kernels.build_tables(buckets, fps, row_bits, width, directory, entries)
    del buckets, fps
    return Tables(*_split_directory(directory), entries, row_bits, width)


def _split_directory(
    directory: npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
    """Bucket starts as (group starts, byte offsets, overflow rows): 1.25 B per bucket.

    Group g's start is high[t, g] and bucket b's is that plus low[t, b]. A group that holds 256
    entries or more (skewed keys: a popular bucket) cannot use byte offsets; its high value is
    then OVERFLOW_FLAG | k, and overflow[k] lists the exact starts of its 16 buckets. Starts
    are below 2**25, so the flag bit is free and nothing is ever truncated.
    """
    tables, starts = directory.shape
    group = 1 << GROUP_SHIFT
    groups = (starts + group - 1) >> GROUP_SHIFT
    padded = np.empty((tables, groups * group), dtype=np.uint32)
    padded[:, :starts] = directory
    padded[:, starts:] = directory[:, -1:]
    by_group = padded.reshape(tables, groups, group)
    low = by_group - by_group[:, :, :1]
    spilled = low[:, :, -1] > np.iinfo(np.uint8).max
    high = np.ascontiguousarray(by_group[:, :, 0])
    high[spilled] = OVERFLOW_FLAG | np.arange(int(spilled.sum()), dtype=np.uint32)
    overflow = np.ascontiguousarray(by_group[spilled])
    low[spilled] = 0
    low_bytes = np.ascontiguousarray(low.reshape(tables, -1)[:, :starts].astype(np.uint8))
    return high, low_bytes, overflow


def new_dead_bits(rows: int) -> U8:
    """A dead-flag bitset for ``rows`` rows, all alive (bit r % 8 of byte r // 8)."""
    return np.zeros((rows + 7) // 8, dtype=np.uint8)


def alive_mask(dead: U8, rows: int) -> npt.NDArray[np.bool_]:
    mask: npt.NDArray[np.bool_] = np.unpackbits(dead, bitorder="little")[:rows] == 0
    return mask


_Prepared = tuple[I64, I64, npt.NDArray[np.uint32], I64, I64, npt.NDArray[np.uint64]]


def _probe_masks(bucket_bits: int, limits: I64) -> tuple[npt.NDArray[np.uint32], I64, I64]:
    """Concatenated flip masks of all tables, with each table's start (and an end sentinel)."""
    parts = [flip_masks(bucket_bits, max(int(limit), 0)) for limit in limits.tolist()]
    sizes = [0 if limit < 0 else len(p[0]) for p, limit in zip(parts, limits.tolist(), strict=True)]
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    starts[1:] = np.cumsum(sizes)
    masks = np.concatenate([p[0][:s] for p, s in zip(parts, sizes, strict=True)])
    flips = np.concatenate([p[1][:s] for p, s in zip(parts, sizes, strict=True)])
    return masks, starts, flips


def _drain(n_queries: int, kernel: _Kernel) -> Hits:
    """Run a search kernel to the end, growing the output when one query overflows it."""
    capacity = _INITIAL_CAPACITY
    chunks: list[tuple[I64, I64, I64]] = []
    first = 0
    while first < n_queries:
        out_q = np.empty(capacity, dtype=np.int64)
        out_r = np.empty(capacity, dtype=np.int64)
        out_d = np.empty(capacity, dtype=np.int64)
        next_query, written = kernel(first, out_q, out_r, out_d)
        chunks.append((out_q[:written], out_r[:written], out_d[:written]))
        if next_query == first and written == 0:
            capacity *= 8
        first = next_query
    if len(chunks) == 1:
        return Hits(*chunks[0])
    return Hits(*(np.concatenate(parts) for parts in zip(*chunks, strict=True)))
