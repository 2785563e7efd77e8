"""SignalIndex against a brute-force oracle: planted neighbours, live updates, every search path."""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stukje.errors import InvalidInputError
from stukje.hashing import PdqHash
from stukje.index import Match, SignalIndex

U8 = npt.NDArray[np.uint8]


def random_codes(rng: np.random.Generator, n: int) -> U8:
    return rng.integers(0, 256, (n, 32), dtype=np.uint8)


def flip_bits(rng: np.random.Generator, code: U8, flips: int) -> U8:
    bits = np.unpackbits(code)
    chosen = rng.choice(256, size=flips, replace=False)
    bits[chosen] ^= 1
    return np.packbits(bits)


def oracle(ids: npt.NDArray[np.int64], codes: U8, query: U8, radius: int) -> list[Match]:
    distances = np.unpackbits(codes ^ query, axis=1).sum(axis=1)
    hits = np.flatnonzero(distances <= radius)
    return sorted(
        (Match(int(ids[i]), int(distances[i])) for i in hits),
        key=lambda m: (m.distance, m.signal_id),
    )


def planted(rng: np.random.Generator, base: U8, radius: int) -> tuple[U8, list[int]]:
    """Queries at distance radius-1, radius and radius+1 from stored codes."""
    offsets = [radius - 1, radius, radius + 1]
    rows = rng.choice(len(base), size=len(offsets) * 4, replace=False)
    queries = np.stack(
        [flip_bits(rng, base[row], max(offsets[k % 3], 0)) for k, row in enumerate(rows)]
    )
    return queries, [int(r) for r in rows]


# Small buffers so that every layer (buffer, small and merged segments) is exercised.
INDEX_SHAPES = [
    pytest.param({"buffer_rows": 64, "background": False}, id="small-buffer"),
    pytest.param({"buffer_rows": 100_000, "background": False}, id="buffer-only"),
    pytest.param({"tables": 8, "buffer_rows": 256, "background": False}, id="8-tables"),
    pytest.param({"tables": 16, "buffer_rows": 256, "background": False}, id="16-tables"),
    pytest.param(
        {"tables": 8, "fingerprint_bits": 4, "buffer_rows": 256, "background": False},
        id="8-tables-4-bit-fingerprints",
    ),
    pytest.param({"fingerprint_bits": 0, "buffer_rows": 256, "background": False}, id="no-fp"),
    pytest.param({"fingerprint_bits": 16, "buffer_rows": 256, "background": False}, id="16-bit-fp"),
]


@pytest.mark.parametrize("shape", INDEX_SHAPES)
@pytest.mark.parametrize("radius", [0, 8, 31, 40, 64])
def test_planted_neighbours_match_the_oracle(shape: dict[str, int], radius: int) -> None:
    rng = np.random.default_rng(radius)
    ids = rng.permutation(5_000).astype(np.int64) * 3
    codes = random_codes(rng, len(ids))
    index = SignalIndex(**shape)  # type: ignore[arg-type]
    for start in range(0, len(ids), 700):
        index.add(ids[start : start + 700], codes[start : start + 700])
    queries, _ = planted(rng, codes, radius)
    queries = np.concatenate([queries, random_codes(rng, 4)])
    expected = [oracle(ids, codes, q, radius) for q in queries]
    assert index.query_batch(queries, radius) == expected
    assert [index.query(q, radius) for q in queries] == expected


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    radius=st.integers(1, 64),
    rows=st.integers(1, 600),
    offset=st.sampled_from([-1, 0, 1]),
)
def test_property_planted_at_radius_edges(seed: int, radius: int, rows: int, offset: int) -> None:
    rng = np.random.default_rng(seed)
    codes = random_codes(rng, rows)
    ids = np.arange(rows, dtype=np.int64)
    index = SignalIndex(buffer_rows=128, background=False)
    index.add(ids, codes)
    target = int(rng.integers(rows))
    query = flip_bits(rng, codes[target], radius + offset)
    found = index.query(query, radius)
    assert found == oracle(ids, codes, query, radius)
    assert (target in {m.signal_id for m in found}) == (offset <= 0)


def test_correlated_codes_with_duplicates_match_the_oracle() -> None:
    # Few distinct codes, many near copies and exact duplicates: skewed buckets.
    rng = np.random.default_rng(7)
    bases = random_codes(rng, 20)
    codes = np.stack([flip_bits(rng, bases[i % 20], int(rng.integers(0, 20))) for i in range(3000)])
    codes[100:200] = codes[0]
    ids = np.arange(3000, dtype=np.int64)
    index = SignalIndex(buffer_rows=500, background=False)
    index.add(ids, codes)
    queries = np.concatenate([bases, codes[:5]])
    assert index.query_batch(queries) == [oracle(ids, codes, q, 31) for q in queries]


def test_skewed_keys_and_sparse_huge_ids_match_the_oracle() -> None:
    # 70k copies of one code crowd one bucket per table (directory overflow rows), and ids
    # spread over 2**60 need 8-byte offsets.
    rng = np.random.default_rng(13)
    codes = np.concatenate(
        [np.repeat(random_codes(rng, 1), 70_000, axis=0), random_codes(rng, 2000)]
    )
    ids = np.sort(rng.choice(2**60, size=len(codes), replace=False)).astype(np.int64)
    index = SignalIndex(buffer_rows=1024, background=False)
    index.add(ids, codes)
    segment = index._view.segments[0]
    assert len(segment.tables.dir_overflow) > 0
    assert segment.ids.offsets.dtype == np.dtype(np.uint64)
    queries = np.stack([flip_bits(rng, codes[0], 5), flip_bits(rng, codes[70_500], 30)])
    queries = np.concatenate([queries, random_codes(rng, 3)])
    assert index.query_batch(queries) == [oracle(ids, codes, q, 31) for q in queries]
    gone = [int(ids[0]), int(ids[70_500])]
    assert [index.remove(i) for i in gone] == [1, 1]
    alive = ~np.isin(ids, gone)
    assert index.query_batch(queries) == [oracle(ids[alive], codes[alive], q, 31) for q in queries]


def test_single_removes_find_ids_in_segments_with_overlapping_ranges() -> None:
    # Batches with interleaved ids give segments whose id ranges overlap.
    rng = np.random.default_rng(17)
    codes = random_codes(rng, 3000)
    ids = rng.permutation(3000).astype(np.int64)
    index = SignalIndex(buffer_rows=400, background=False)
    for start in range(0, 3000, 500):
        index.add(ids[start : start + 500], codes[start : start + 500])
    gone = rng.choice(3000, size=60, replace=False)
    assert sum(index.remove(int(i)) for i in gone) == 60
    assert sum(index.remove(int(i)) for i in gone) == 0
    alive = ~np.isin(ids, gone)
    queries = np.concatenate([codes[::150], random_codes(rng, 3)])
    assert index.query_batch(queries) == [oracle(ids[alive], codes[alive], q, 31) for q in queries]
    assert len(index) == 3000 - 60


def test_remove_is_effective_for_the_next_query_in_every_layer() -> None:
    rng = np.random.default_rng(3)
    codes = random_codes(rng, 2000)
    ids = np.arange(2000, dtype=np.int64)
    index = SignalIndex(buffer_rows=300, background=False)
    index.add(ids[:1500], codes[:1500])  # a segment
    index.add(ids[1500:], codes[1500:])  # segments from the buffer, and the buffer itself
    for row in (0, 1499, 1700, 1999):
        assert index.query(codes[row])[0] == Match(row, 0)
        assert index.remove([row]) == 1
        assert row not in {m.signal_id for m in index.query(codes[row])}
    assert len(index) == 1996
    assert index.remove([0, 123_456]) == 0


def test_readding_a_removed_id_and_duplicates() -> None:
    code = PdqHash(bytes(range(32)))
    index = SignalIndex(buffer_rows=4, background=False)
    index.add(np.arange(10), np.zeros((10, 32), dtype=np.uint8))
    index.add(np.array([7]), np.frombuffer(code.value, dtype=np.uint8)[None, :])
    index.add(8, code)  # two ids, one code
    assert index.query(code) == [Match(7, 0), Match(8, 0)]
    index.remove(7)
    index.add(7, code)
    index.compact()
    assert index.query(code) == [Match(7, 0), Match(8, 0)]
    assert len(index) == 11


def test_background_merges_keep_results_exact_while_removing() -> None:
    rng = np.random.default_rng(11)
    codes = random_codes(rng, 6000)
    ids = np.arange(6000, dtype=np.int64)
    index = SignalIndex(buffer_rows=200, background=True)
    for start in range(0, 6000, 150):
        index.add(ids[start : start + 150], codes[start : start + 150])
        index.remove(ids[start : start + 10])
    index.wait()
    alive = np.ones(6000, dtype=bool)
    for start in range(0, 6000, 150):
        alive[start : start + 10] = False
    queries = codes[::97]
    assert index.query_batch(queries) == [oracle(ids[alive], codes[alive], q, 31) for q in queries]
    assert len(index) == int(alive.sum())


def test_readers_run_while_a_writer_applies_changes() -> None:
    rng = np.random.default_rng(5)
    stable = random_codes(rng, 500)
    index = SignalIndex(buffer_rows=128)
    index.add(np.arange(500), stable)
    errors: list[str] = []

    def read() -> None:
        for row in range(0, 500, 5):
            if Match(row, 0) not in index.query(stable[row]):
                errors.append(f"lost {row}")

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    for start in range(1000, 5000, 100):
        index.add(np.arange(start, start + 100), random_codes(rng, 100))
        index.remove(np.arange(start, start + 50))
    for thread in readers:
        thread.join()
    index.wait()
    assert errors == []
    assert len(index) == 500 + 40 * 50


def test_batch_result_offsets_and_parallel_split() -> None:
    rng = np.random.default_rng(9)
    codes = random_codes(rng, 1000)
    index = SignalIndex(buffer_rows=100, background=False, workers=2)
    index.add(np.arange(1000), codes)
    result = index.search(codes[:200])
    assert result.offsets.tolist() == list(range(201))
    assert result.signal_ids.tolist() == list(range(200))


@pytest.mark.parametrize(
    ("ids", "codes"),
    [
        ([1, 2], np.zeros((1, 32), dtype=np.uint8)),
        ([-1], np.zeros((1, 32), dtype=np.uint8)),
        ([1], np.zeros((1, 31), dtype=np.uint8)),
        ([1], np.zeros((1, 32), dtype=np.int64)),
        ([1.5], np.zeros((1, 32), dtype=np.uint8)),
    ],
)
def test_invalid_input_is_rejected(ids: list[float], codes: U8) -> None:
    with pytest.raises(InvalidInputError):
        SignalIndex().add(ids, codes)


@pytest.mark.parametrize("radius", [-1, 257])
def test_invalid_radius_is_rejected(radius: int) -> None:
    with pytest.raises(InvalidInputError):
        SignalIndex().query(bytes(32), radius)


@pytest.mark.parametrize(
    ("bucket_sizes", "spilled"),
    [
        pytest.param([5] * 64, 0, id="even"),
        pytest.param([300] + [1] * 63, 1, id="one-big-bucket"),
        pytest.param([1] * 20 + [70_000] + [1] * 43 + [256] * 3, 2, id="huge-bucket-and-tail"),
        pytest.param([255] + [0] * 15 + [0, 255], 0, id="just-fits"),
    ],
)
def test_directory_keeps_every_bucket_start(bucket_sizes: list[int], spilled: int) -> None:
    from stukje.index.segment import OVERFLOW_FLAG, _split_directory

    starts = np.concatenate([[0], np.cumsum(bucket_sizes)]).astype(np.uint32)[None, :]
    high, low, overflow = _split_directory(starts)
    assert low.dtype == np.dtype(np.uint8)
    assert len(overflow) == spilled
    rebuilt = []
    for bucket in range(starts.shape[1]):
        group_start = int(high[0, bucket >> 4])
        if group_start & OVERFLOW_FLAG:
            rebuilt.append(int(overflow[group_start ^ OVERFLOW_FLAG, bucket & 15]))
        else:
            rebuilt.append(group_start + int(low[0, bucket]))
    assert rebuilt == starts[0].tolist()
