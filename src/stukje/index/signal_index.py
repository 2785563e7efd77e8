"""SignalIndex: exact Hamming-radius search over PDQ signals, updated live.

Layout (an LSM tree in miniature): a small append-only :class:`Buffer` for the newest signals,
scanned linearly, and a list of immutable :class:`Segment` objects with multi-index tables.
When the buffer fills it is frozen into a segment; segments of similar size are merged in a
background thread (binary-counter policy: O(log n) segments, each row rewritten O(log n) times),
and a segment with many dead rows is rewritten without them. Removing a signal sets its dead
flag at once, wherever it is, so a withdrawal takes effect for the next query.

Threads: one writer (add, remove, save; serialised by a lock) and any number of readers. A
reader takes the current ``_View`` (an immutable tuple, swapped atomically) and never locks.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from stukje.errors import InvalidInputError
from stukje.hashing.signal import DEFAULT_THRESHOLD, HASH_BITS, HASH_BYTES, PdqHash
from stukje.index.buffer import Buffer
from stukje.index.layout import DEFAULT_TABLES, BitLayout
from stukje.index.segment import (
    DEFAULT_FINGERPRINT_BITS,
    MAX_SEGMENT_ROWS,
    SearchPlan,
    Segment,
)

__all__ = ["BatchResult", "Match", "SignalIndex"]

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
DEFAULT_BUFFER_ROWS = 16_384
# Rewrite a segment once this share of its rows is dead.
_DEAD_SHARE_TO_REWRITE = 0.25
_PARALLEL_BATCH = 64
_MAX_ID = int(np.iinfo(np.int64).max)


class Match(NamedTuple):
    """One stored signal within the radius of a query."""

    signal_id: int
    distance: int


@dataclass(frozen=True)
class BatchResult:
    """Matches of a batch, flat: query i's matches are ``[offsets[i]:offsets[i + 1]]``.

    Within a query, matches are sorted by distance, then signal_id.
    """

    offsets: I64
    signal_ids: I64
    distances: I64

    def to_lists(self) -> list[list[Match]]:
        ids = self.signal_ids.tolist()
        dists = self.distances.tolist()
        bounds = self.offsets.tolist()
        return [
            [Match(i, d) for i, d in zip(ids[a:b], dists[a:b], strict=True)]
            for a, b in itertools.pairwise(bounds)
        ]


@dataclass(frozen=True)
class _View:
    segments: tuple[Segment, ...]
    buffer: Buffer


class SignalIndex:
    """Exact search of all stored PDQ codes within a Hamming radius; live add and remove."""

    def __init__(
        self,
        tables: int = DEFAULT_TABLES,
        *,
        fingerprint_bits: int = DEFAULT_FINGERPRINT_BITS,
        buffer_rows: int = DEFAULT_BUFFER_ROWS,
        background: bool = True,
        workers: int | None = None,
        layout: BitLayout | None = None,
    ) -> None:
        self._plan = SearchPlan(layout or BitLayout.spread(tables), fingerprint_bits)
        self._buffer_rows = buffer_rows
        self._background = background
        self._workers = workers or min(os.cpu_count() or 1, 8)
        self._lock = threading.RLock()
        self._view = _View((), Buffer(buffer_rows))
        self._merging: threading.Thread | None = None
        self._removed_while_merging: list[I64] = []
        self._pool: ThreadPoolExecutor | None = None

    # ---- writing -------------------------------------------------------------------------

    def add(self, ids: npt.ArrayLike | int, codes: npt.ArrayLike | PdqHash | bytes) -> None:
        """Store codes under signal ids; visible to the next query.

        An id may be added more than once (each add is one more entry); ``remove`` drops all.
        """
        id_array, code_array = _as_ids(ids), _as_codes(codes)
        if len(id_array) != len(code_array):
            raise InvalidInputError(f"{len(id_array)} ids for {len(code_array)} codes")
        with self._lock:
            if len(id_array) >= self._buffer_rows:
                built = tuple(
                    Segment.build(
                        self._plan,
                        id_array[i : i + MAX_SEGMENT_ROWS],
                        code_array[i : i + MAX_SEGMENT_ROWS],
                    )
                    for i in range(0, len(id_array), MAX_SEGMENT_ROWS)
                )
                self._publish(self._view.segments + built, self._view.buffer)
            else:
                self._append(id_array, code_array)
            self._maybe_merge()

    def remove(self, ids: npt.ArrayLike | int) -> int:
        """Withdraw every entry with one of these ids; returns how many entries went."""
        id_array = _as_ids(ids)
        if len(id_array) > 1:
            id_array = np.unique(id_array)
        if not len(id_array):
            return 0
        low, high = int(id_array[0]), int(id_array[-1])
        with self._lock:
            view = self._view
            # Segments cover narrow id ranges (bank ids grow with time), so most are skipped
            # without any numpy call: a single remove costs a few microseconds.
            touched = [
                s for s in view.segments if s.alive and s.first_id <= high and low <= s.last_id
            ]
            removed = sum(s.mark_dead(id_array) for s in touched)
            removed += view.buffer.mark_dead(id_array)
            if self._merging is not None:
                self._removed_while_merging.append(id_array)
            if any(_mostly_dead(s) for s in touched):
                self._maybe_merge()
            return removed

    def compact(self) -> None:
        """Merge everything into one segment now (waits for a running merge first)."""
        self.wait()
        with self._lock:
            view = self._view
            ids, codes = _alive_rows(view.segments, view.buffer)
            segments = tuple(
                Segment.build(
                    self._plan, ids[i : i + MAX_SEGMENT_ROWS], codes[i : i + MAX_SEGMENT_ROWS]
                )
                for i in range(0, len(ids), MAX_SEGMENT_ROWS)
            )
            self._publish(segments, Buffer(self._buffer_rows))

    def wait(self) -> None:
        """Block until the background merge (if any) is done."""
        while (thread := self._merging) is not None:
            thread.join()

    def _append(self, ids: I64, codes: U8) -> None:
        start = 0
        while start < len(ids):
            buffer = self._view.buffer
            take = min(buffer.room, len(ids) - start)
            buffer.append(ids[start : start + take], codes[start : start + take])
            start += take
            if buffer.room == 0:
                self._freeze()

    def _freeze(self) -> None:
        view = self._view
        ids, codes = view.buffer.alive_rows()
        segments = view.segments
        if len(ids):
            segments = (*segments, Segment.build(self._plan, ids, codes))
        self._publish(segments, Buffer(self._buffer_rows))

    def _publish(self, segments: tuple[Segment, ...], buffer: Buffer) -> None:
        self._view = _View(segments, buffer)

    # ---- background merging --------------------------------------------------------------

    def _merge_candidates(self) -> tuple[int, int] | None:
        """The [start, stop) run of segments to merge next, or None."""
        segments = self._view.segments
        for i, segment in enumerate(segments):
            if _mostly_dead(segment):
                return i, i + 1
        stop = len(segments)
        start = stop - 1
        while start >= 1:
            run = _run_size(segments[start:stop])
            earlier = segments[start - 1].alive
            if earlier > 2 * run or earlier + run > MAX_SEGMENT_ROWS:
                break
            start -= 1
        return (start, stop) if stop - start >= 2 else None

    def _maybe_merge(self) -> None:
        if self._merging is not None:
            return
        run = self._merge_candidates()
        if run is None:
            return
        inputs = self._view.segments[run[0] : run[1]]
        self._removed_while_merging = []
        if not self._background:
            self._finish_merge(inputs, _merge(self._plan, inputs))
            return
        thread = threading.Thread(target=self._merge_in_background, args=(inputs,), daemon=True)
        # Started before it is published, so wait() never joins an unstarted thread; it cannot
        # finish first, because finishing takes the lock that our caller holds.
        thread.start()
        self._merging = thread

    def _merge_in_background(self, inputs: tuple[Segment, ...]) -> None:
        merged = _merge(self._plan, inputs)
        with self._lock:
            self._finish_merge(inputs, merged)
            self._merging = None
            self._maybe_merge()

    def _finish_merge(self, inputs: tuple[Segment, ...], merged: Segment | None) -> None:
        if merged is not None:
            for ids in self._removed_while_merging:
                merged.mark_dead(ids)
        self._removed_while_merging = []
        segments = list(self._view.segments)
        first = next(i for i, s in enumerate(segments) if s is inputs[0])
        replacement = [merged] if merged is not None and merged.alive else []
        segments[first : first + len(inputs)] = replacement
        self._view = _View(tuple(segments), self._view.buffer)

    # ---- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        view = self._view
        return sum(s.alive for s in view.segments) + view.buffer.alive

    def query(
        self, code: npt.ArrayLike | PdqHash | bytes, radius: int = DEFAULT_THRESHOLD
    ) -> list[Match]:
        """All stored signals within ``radius`` of one code, nearest first."""
        return self.search(code, radius, parallel=False).to_lists()[0]

    def query_batch(
        self, codes: npt.ArrayLike, radius: int = DEFAULT_THRESHOLD
    ) -> list[list[Match]]:
        """``query`` for each row of an (m, 32) uint8 array."""
        return self.search(codes, radius).to_lists()

    def search(
        self,
        codes: npt.ArrayLike | PdqHash | bytes,
        radius: int = DEFAULT_THRESHOLD,
        *,
        parallel: bool = True,
    ) -> BatchResult:
        """The flat, fastest form of ``query_batch``; spreads big batches over threads."""
        queries = _as_codes(codes)
        if not 0 <= radius <= HASH_BITS:
            raise InvalidInputError(f"a radius is between 0 and {HASH_BITS}, got {radius}")
        view = self._view
        if not parallel or len(queries) < _PARALLEL_BATCH or self._workers == 1:
            return _search_view(view, queries, radius)
        chunks = np.array_split(queries, self._workers)
        parts = list(self._executor().map(lambda q: _search_view(view, q, radius), chunks))
        return _concat_results(parts)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="stukje-index")
        return self._pool

    def memory_bytes(self) -> int:
        """Bytes held by stored codes, ids, flags and tables (not the fixed-size buffer)."""
        return sum(s.nbytes() for s in self._view.segments) + self._view.buffer.alive * 41

    # ---- persistence ---------------------------------------------------------------------

    def save(self, directory: str | os.PathLike[str], seq: int) -> Path:
        """Write a snapshot reflecting change-feed position ``seq``; atomic (see persist.py)."""
        from stukje.index import persist

        with self._lock:
            view = self._view
            return persist.save(Path(directory), seq, self._plan, view.segments, view.buffer)

    @classmethod
    def load(cls, directory: str | os.PathLike[str], mmap: bool = True) -> tuple[SignalIndex, int]:
        """The index of the newest snapshot in ``directory``, and the seq it reflects."""
        from stukje.index import persist

        snapshot = persist.load(Path(directory), mmap=mmap)
        index = cls(layout=snapshot.layout, fingerprint_bits=snapshot.fingerprint_bits)
        segments = tuple(
            persist.restore_segment(index._plan, arrays, meta) for arrays, meta in snapshot.segments
        )
        index._view = _View(segments, Buffer(index._buffer_rows))
        if len(snapshot.buffer_ids):
            index._append(snapshot.buffer_ids, snapshot.buffer_codes)
        return index, snapshot.seq


def _mostly_dead(segment: Segment) -> bool:
    return len(segment) - segment.alive > _DEAD_SHARE_TO_REWRITE * len(segment)


def _run_size(segments: Iterable[Segment]) -> int:
    return sum(s.alive for s in segments)


def _alive_rows(segments: Iterable[Segment], buffer: Buffer | None = None) -> tuple[I64, U8]:
    parts = [s.alive_rows() for s in segments]
    if buffer is not None:
        parts.append(buffer.alive_rows())
    if not parts:
        return np.empty(0, dtype=np.int64), np.empty((0, HASH_BYTES), dtype=np.uint8)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _merge(plan: SearchPlan, inputs: tuple[Segment, ...]) -> Segment | None:
    ids, codes = _alive_rows(inputs)
    return Segment.build(plan, ids, codes) if len(ids) else None


def _search_view(view: _View, queries: U8, radius: int) -> BatchResult:
    query_words = queries.view(np.uint64).reshape(-1, 4)
    q_parts: list[I64] = []
    id_parts: list[I64] = []
    d_parts: list[I64] = []
    for segment in view.segments:
        hits = segment.search(queries, query_words, radius)
        q_parts.append(hits.query)
        id_parts.append(segment.ids.at(hits.row))
        d_parts.append(hits.distance)
    hits = view.buffer.search(query_words, radius)
    q_parts.append(hits.query)
    id_parts.append(view.buffer.ids[hits.row])
    d_parts.append(hits.distance)
    query_of = np.concatenate(q_parts)
    ids = np.concatenate(id_parts)
    distances = np.concatenate(d_parts)
    order = np.lexsort((ids, distances, query_of))
    offsets = np.zeros(len(queries) + 1, dtype=np.int64)
    np.cumsum(np.bincount(query_of, minlength=len(queries)), out=offsets[1:])
    return BatchResult(offsets, ids[order], distances[order])


def _concat_results(parts: list[BatchResult]) -> BatchResult:
    offsets = [np.zeros(1, dtype=np.int64)]
    base = 0
    for part in parts:
        offsets.append(part.offsets[1:] + base)
        base += int(part.offsets[-1])
    return BatchResult(
        np.concatenate(offsets),
        np.concatenate([p.signal_ids for p in parts]),
        np.concatenate([p.distances for p in parts]),
    )


def _as_ids(ids: npt.ArrayLike | int) -> I64:
    if type(ids) is int and 0 <= ids <= _MAX_ID:  # the change feed's usual case, kept cheap
        return np.array([ids], dtype=np.int64)
    array = np.atleast_1d(np.asarray(ids))
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise InvalidInputError("signal ids are a 1-d array of integers")
    array = array.astype(np.int64, copy=False)
    if array.size and int(array.min()) < 0:
        raise InvalidInputError("signal ids are non-negative")
    return array


def _as_codes(codes: npt.ArrayLike | PdqHash | bytes) -> U8:
    if isinstance(codes, PdqHash):
        codes = codes.value
    if isinstance(codes, bytes):
        codes = np.frombuffer(codes, dtype=np.uint8)
    array = np.asarray(codes)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or array.shape[1] != HASH_BYTES or array.dtype != np.uint8:
        raise InvalidInputError(f"codes are a uint8 array of shape (n, {HASH_BYTES})")
    if not array.flags.writeable:
        # One kind of array for the kernels: numba compiles (and loads) each kind apart, and
        # codes read from bytes (np.frombuffer) are read-only.
        return array.copy()
    return np.ascontiguousarray(array)
