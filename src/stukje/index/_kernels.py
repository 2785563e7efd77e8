"""Compiled inner loops of the index: key extraction, table building and the two search paths.

Everything here is numba with ``nogil=True`` (queries in other threads keep running while a table
is built) and ``cache=True`` (compiled once per machine, then loaded from disk). Arrays only, no
objects: the Python side (segment.py) owns shapes, validation and the choice of path.

Codes are read as four native uint64 words for the distance; the bit order inside a word does not
matter for XOR + popcount, so the big-endian byte layout of PdqHash needs no swapping.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["build_tables", "search_brute", "search_tables", "substring_keys"]


@nb.njit(cache=True, nogil=True, inline="always")
def _popcount64(x: np.uint64) -> int:
    # Branch-free SWAR popcount; LLVM turns it into a single POPCNT instruction.
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@nb.njit(cache=True, nogil=True, inline="always")
def _distance(words, row, query):  # type: ignore[no-untyped-def]
    return (
        _popcount64(words[row, 0] ^ query[0])
        + _popcount64(words[row, 1] ^ query[1])
        + _popcount64(words[row, 2] ^ query[2])
        + _popcount64(words[row, 3] ^ query[3])
    )


@nb.njit(cache=True, nogil=True, inline="always")
def _is_dead(dead, row):  # type: ignore[no-untyped-def]
    # One bit per row (dead is a bitset): 1/8 byte of memory per signal.
    return (dead[row >> 3] >> (row & 7)) & 1


@nb.njit(cache=True, nogil=True)
def substring_keys(codes, lut, lengths, bucket_bits, fp_bits, buckets, fps):  # type: ignore[no-untyped-def]
    """Fill buckets[t, row] (top bucket_bits of key t) and fps[t, row] (its next fp_bits[t])."""
    tables = lut.shape[2]
    keys = np.zeros(tables, dtype=np.uint32)
    for row in range(codes.shape[0]):
        keys[:] = 0
        for byte in range(32):
            value = codes[row, byte]
            for t in range(tables):
                keys[t] |= lut[byte, value, t]
        for t in range(tables):
            low = lengths[t] - bucket_bits
            buckets[t, row] = keys[t] >> np.uint32(low)
            fp_low = low - fp_bits[t]
            fps[t, row] = (keys[t] >> np.uint32(fp_low)) & np.uint32((1 << fp_bits[t]) - 1)


@nb.njit(cache=True, nogil=True)
def build_tables(buckets, fps, directory, entries):  # type: ignore[no-untyped-def]
    """Counting sort of each table's rows by bucket: directory[t, b] is bucket b's first slot.

    An entry is the row number (low 24 bits) with the key's fingerprint in the high 8 bits, so
    one 4-byte read both filters and locates.
    """
    tables, rows = buckets.shape
    n_buckets = directory.shape[1] - 1
    for t in range(tables):
        counts = np.zeros(n_buckets + 1, dtype=np.int64)
        for row in range(rows):
            counts[buckets[t, row] + 1] += 1
        for b in range(n_buckets):
            counts[b + 1] += counts[b]
        for b in range(n_buckets + 1):
            directory[t, b] = counts[b]
        for row in range(rows):
            slot = counts[buckets[t, row]]
            counts[buckets[t, row]] += 1
            entries[t, slot] = np.uint32(row) | (np.uint32(fps[t, row]) << np.uint32(24))


@nb.njit(cache=True, nogil=True, inline="always")
def _query_keys(code, lut, lengths, bucket_bits, fp_bits, t):  # type: ignore[no-untyped-def]
    key = np.uint32(0)
    for byte in range(32):
        key |= lut[byte, code[byte], t]
    low = lengths[t] - bucket_bits
    bucket = key >> np.uint32(low)
    fp = (key >> np.uint32(low - fp_bits[t])) & np.uint32((1 << fp_bits[t]) - 1)
    return bucket, fp


@nb.njit(cache=True, nogil=True)
def search_tables(  # type: ignore[no-untyped-def]
    words,
    dead,
    directory,
    entries,
    lut,
    lengths,
    bucket_bits,
    fp_bits,
    limits,
    masks,
    mask_start,
    mask_flips,
    table_masks,
    radius,
    queries,
    query_words,
    first_query,
    out_query,
    out_row,
    out_distance,
):
    """Multi-index search of queries[first_query:] in one segment.

    Table t probes every bucket within limits[t] flips of the query's bucket, keeps entries whose
    fingerprint stays within the remaining flips, and checks the full distance of those. A match
    is reported only by the first table that can find it (table_masks: the bits each table
    filters on), so no set is needed to drop duplicates. When the output is full, the matches of
    the current query are dropped and (that query, matches of the earlier ones) is returned, so
    the caller can drain or grow the output and resume; otherwise (number of queries, written).
    """
    capacity = out_row.shape[0]
    written = 0
    tables = limits.shape[0]
    n_queries = queries.shape[0]
    for qi in range(first_query, n_queries):
        mark = written
        query = query_words[qi]
        for t in range(tables):
            limit = limits[t]
            if limit < 0:
                continue
            bucket, fp = _query_keys(queries[qi], lut, lengths, bucket_bits, fp_bits, t)
            for k in range(mask_start[t], mask_start[t + 1]):
                spare = limit - mask_flips[k]
                probe = bucket ^ masks[k]
                for slot in range(directory[t, probe], directory[t, probe + 1]):
                    entry = entries[t, slot]
                    if _popcount64(np.uint64((entry >> np.uint32(24)) ^ fp)) > spare:
                        continue
                    row = entry & np.uint32(0xFFFFFF)
                    if _is_dead(dead, row):
                        continue
                    dist = _distance(words, row, query)
                    if dist > radius:
                        continue
                    earlier = False
                    for u in range(t):
                        if limits[u] < 0:
                            continue
                        masked = (
                            _popcount64((words[row, 0] ^ query[0]) & table_masks[u, 0])
                            + _popcount64((words[row, 1] ^ query[1]) & table_masks[u, 1])
                            + _popcount64((words[row, 2] ^ query[2]) & table_masks[u, 2])
                            + _popcount64((words[row, 3] ^ query[3]) & table_masks[u, 3])
                        )
                        if masked <= limits[u]:
                            earlier = True
                            break
                    if earlier:
                        continue
                    if written == capacity:
                        return qi, mark
                    out_query[written] = qi
                    out_row[written] = row
                    out_distance[written] = dist
                    written += 1
    return n_queries, written


@nb.njit(cache=True, nogil=True)
def search_brute(  # type: ignore[no-untyped-def]
    words, dead, count, radius, query_words, first_query, out_query, out_row, out_distance
):
    """Linear scan of the first ``count`` rows; same contract as search_tables."""
    capacity = out_row.shape[0]
    written = 0
    n_queries = query_words.shape[0]
    for qi in range(first_query, n_queries):
        mark = written
        query = query_words[qi]
        for row in range(count):
            if _is_dead(dead, row):
                continue
            dist = _distance(words, row, query)
            if dist <= radius:
                if written == capacity:
                    return qi, mark
                out_query[written] = qi
                out_row[written] = row
                out_distance[written] = dist
                written += 1
    return n_queries, written
