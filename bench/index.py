"""Exact radius-31 search at 100k-10M signals: stukje.index vs FAISS and a numpy brute force.

Usage: .venv/bin/python bench/index.py [--sizes 100k,1M,10M] [--queries 2000]
    [--stukje 11:8,8:4] [--methods stukje,faiss-multihash,faiss-flat,numpy-brute]
Prints one table (queries/s single-thread and batched on all cores, p50/p99 latency, memory per
signal, build and load time, recall against the brute force) for random codes and a realistic
mix (see bench/index_codes.py), the bytes per signal of each stukje configuration (tables:
fingerprint bits) by component, and single/batched add and remove rates; writes
bench/out/index.png. Needs the `bench` extra.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import itertools

from bench.index_codes import CodeModel, near_duplicates, real_samples
from stukje.index import SignalIndex

U8 = npt.NDArray[np.uint8]
OUT = Path(__file__).resolve().parent / "out"
RADIUS = 31
DEFAULT_CONFIG = (11, 8)
METHODS = ("stukje", "faiss-multihash", "faiss-flat", "numpy-brute")
Searcher = Callable[[U8], list[set[int]]]


@dataclass
class Row:
    workload: str
    size: int
    method: str
    single_qps: float
    batch_qps: float
    p50_ms: float
    p99_ms: float
    bytes_per_signal: float
    build_s: float
    load_s: float | None
    recall: float


def rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def parse_size(text: str) -> int:
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text.rstrip("kKmM")) * scale)


def brute_force(codes: U8) -> Searcher:
    words = codes.view(np.uint64).reshape(-1, 4)

    def search(queries: U8) -> list[set[int]]:
        out = []
        for query in queries.view(np.uint64).reshape(-1, 4):
            distance = np.bitwise_count(words ^ query).sum(axis=1, dtype=np.int32)
            out.append(set(np.flatnonzero(distance <= RADIUS).tolist()))
        return out

    return search


def faiss_searcher(index: object) -> Searcher:
    def search(queries: U8) -> list[set[int]]:
        lims, _dist, labels = index.range_search(queries, RADIUS + 1)  # type: ignore[attr-defined]
        return [set(labels[lims[i] : lims[i + 1]].tolist()) for i in range(len(queries))]

    return search


def measure(
    search: Searcher,
    queries: U8,
    single: int,
    truth: list[set[int]],
    threads: Callable[[int], None],
) -> tuple[float, float, float, float, float]:
    threads(1)
    search(queries[:2])
    latencies = []
    for query in queries[:single]:
        start = time.perf_counter()
        search(query[None, :])
        latencies.append(time.perf_counter() - start)
    threads(os.cpu_count() or 1)
    start = time.perf_counter()
    found = search(queries)
    batch_qps = len(queries) / (time.perf_counter() - start)
    sample = range(len(truth))
    hits = sum(len(found[i] & truth[i]) for i in sample)
    total = sum(len(truth[i]) for i in sample)
    recall = hits / total if total else 1.0
    lat = np.array(latencies)
    return 1 / lat.mean(), batch_qps, 1e3 * np.median(lat), 1e3 * np.percentile(lat, 99), recall


def run_stukje(
    codes: U8, queries: U8, single: int, truth: list[set[int]], config: tuple[int, int]
) -> Row:
    tables, fingerprint_bits = config
    start = time.perf_counter()
    index = SignalIndex(tables, fingerprint_bits=fingerprint_bits)
    index.add(np.arange(len(codes), dtype=np.int64), codes)
    build = time.perf_counter() - start
    memory = index.memory_bytes() / len(codes)
    print_breakdown(index, len(codes), config)
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        index.save(folder, seq=1)
        del index
        start = time.perf_counter()
        index, _seq = SignalIndex.load(folder, mmap=False)
        load = time.perf_counter() - start

        def search(q: U8) -> list[set[int]]:
            result = index.search(q, RADIUS, parallel=len(q) > 1)
            ids = result.signal_ids.tolist()
            bounds = result.offsets.tolist()
            return [set(ids[a:b]) for a, b in itertools.pairwise(bounds)]

        stats = measure(search, queries, single, truth, lambda _n: None)
        if config == DEFAULT_CONFIG:
            print_update_rates(index, codes)
    name = "stukje" if config == DEFAULT_CONFIG else f"stukje {tables}t/{fingerprint_bits}fp"
    return Row("", len(codes), name, *stats[:4], memory, build, load, stats[4])


def print_breakdown(index: SignalIndex, size: int, config: tuple[int, int]) -> None:
    """Bytes per signal by component, summed over segments."""
    parts = {"codes": 0, "ids": 0, "dead": 0, "entries": 0, "directory": 0}
    for segment in index._view.segments:
        parts["codes"] += segment.codes.nbytes
        parts["ids"] += segment.ids.nbytes()
        parts["dead"] += segment.dead.nbytes
        parts["entries"] += segment.tables.entries.nbytes
        parts["directory"] += segment.tables.dir_high.nbytes + segment.tables.dir_low.nbytes
    shown = " + ".join(f"{name} {value / size:.3f}" for name, value in parts.items())
    widths = sorted({s.tables.width for s in index._view.segments})
    print(
        f"  bytes/signal {config[0]}t/{config[1]}fp at {size:,}: {shown} = "
        f"{sum(parts.values()) / size:.2f} (entry bits {widths})",
        flush=True,
    )


def print_update_rates(index: SignalIndex, codes: U8, removes: int = 5000) -> None:
    """Adds and removes per second, one at a time and in batches of 1,000.

    Adds are timed over enough rows to freeze buffers and run merges (waited for), so the rate
    includes building the tables, not just appending to the buffer.
    """
    rng = np.random.default_rng(0)
    victims = rng.choice(len(codes), size=5 * removes, replace=False)
    adds = {"add 1": 20_000, "add 1000": 100_000}
    fresh = len(codes) + np.arange(sum(adds.values()), dtype=np.int64)
    rates = {}
    start = time.perf_counter()
    for signal_id in victims[:removes].tolist():
        index.remove(signal_id)
    rates["remove 1"] = removes / (time.perf_counter() - start)
    start = time.perf_counter()
    for first in range(removes, len(victims), 1000):
        index.remove(victims[first : first + 1000])
    rates["remove 1000"] = (len(victims) - removes) / (time.perf_counter() - start)
    start = time.perf_counter()
    for row, signal_id in enumerate(fresh[: adds["add 1"]].tolist()):
        index.add(signal_id, codes[row % len(codes)])
    index.wait()
    rates["add 1"] = adds["add 1"] / (time.perf_counter() - start)
    start = time.perf_counter()
    for first in range(adds["add 1"], len(fresh), 1000):
        index.add(fresh[first : first + 1000], codes[np.arange(first, first + 1000) % len(codes)])
    index.wait()
    rates["add 1000"] = adds["add 1000"] / (time.perf_counter() - start)
    shown = ", ".join(f"{name}: {rate:,.0f}/s" for name, rate in rates.items())
    print(f"  updates at {len(codes):,}: {shown}", flush=True)


def run_faiss(kind: str, codes: U8, queries: U8, single: int, truth: list[set[int]]) -> Row:
    import faiss

    before = rss()
    start = time.perf_counter()
    index: Any
    if kind == "flat":
        index = faiss.IndexBinaryFlat(256)
    else:
        index = faiss.IndexBinaryMultiHash(256, 16, 16)
        index.nflip = 1
    index.add(codes)
    build = time.perf_counter() - start
    memory = max(rss() - before, codes.nbytes) / len(codes)
    load = None
    if kind == "flat":
        with tempfile.NamedTemporaryFile(dir=OUT) as handle:
            faiss.write_index_binary(index, handle.name)
            start = time.perf_counter()
            faiss.read_index_binary(handle.name)
            load = time.perf_counter() - start
    stats = measure(faiss_searcher(index), queries, single, truth, faiss.omp_set_num_threads)
    name = "faiss-flat" if kind == "flat" else "faiss-multihash"
    return Row("", len(codes), name, *stats[:4], memory, build, load, stats[4])


def run_numpy(codes: U8, queries: U8, single: int, truth: list[set[int]]) -> Row:
    stats = measure(brute_force(codes), queries, single, truth, lambda _n: None)
    return Row("", len(codes), "numpy-brute", *stats[:4], 32.0, 0.0, None, stats[4])


def workloads(size: int, model: CodeModel, distances: npt.NDArray[np.int64], n_queries: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(size)
    codes = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, (n_queries, 32), dtype=np.uint8)
    queries[::10] = near_duplicates(
        codes[rng.integers(0, size, len(queries[::10]))], distances, rng
    )
    yield "random", codes, queries
    del codes
    codes = model.draw(size, rng)
    queries = model.draw(n_queries, rng)
    queries[::10] = near_duplicates(
        codes[rng.integers(0, size, len(queries[::10]))], distances, rng
    )
    yield "realistic", codes, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100k,1M,10M")
    parser.add_argument("--queries", type=int, default=2000, help="batch size (stukje, faiss-mh)")
    parser.add_argument("--single", type=int, default=1000, help="timed single queries")
    parser.add_argument("--slow-queries", type=int, default=60, help="for the slow methods")
    parser.add_argument("--truth", type=int, default=40, help="queries checked for recall")
    parser.add_argument("--stukje", default="11:8,8:4", help="tables:fingerprint_bits, ...")
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args()
    configs = [(int(t), int(f)) for t, f in (c.split(":") for c in args.stukje.split(","))]
    methods = args.methods.split(",")
    OUT.mkdir(exist_ok=True)
    samples, distances = real_samples()
    distances = distances[distances <= RADIUS + 9]
    model = CodeModel(samples)
    rows: list[Row] = []
    for size in map(parse_size, args.sizes.split(",")):
        for workload, codes, queries in workloads(size, model, distances, args.queries):
            truth_queries = np.concatenate(
                [queries[: args.truth // 2], queries[::10][: args.truth // 2]]
            )
            ordered = np.concatenate([truth_queries, queries])
            truth = brute_force(codes)(truth_queries)
            slow = ordered[: max(args.slow_queries, len(truth))]
            results = [run_stukje(codes, ordered, args.single, truth, c) for c in configs]
            if "faiss-multihash" in methods:
                results.append(run_faiss("multihash", codes, slow, args.slow_queries, truth))
            if "faiss-flat" in methods:
                results.append(run_faiss("flat", codes, slow, args.slow_queries, truth))
            if "numpy-brute" in methods:
                slow_single = min(args.slow_queries, 20)
                results.append(run_numpy(codes, ordered[: len(truth)], slow_single, truth))
            for row in results:
                row.workload = workload
                rows.append(row)
                print_row(row, header=len(rows) == 1)
    plot(rows)


def print_row(row: Row, header: bool) -> None:
    if header:
        print(
            f"{'workload':10} {'signals':>9} {'method':16} {'1-core q/s':>10} {'batch q/s':>10} "
            f"{'p50 ms':>8} {'p99 ms':>8} {'B/signal':>8} {'build s':>8} {'load s':>7} "
            f"{'recall':>6}"
        )
    load = "-" if row.load_s is None else f"{row.load_s:.2f}"
    print(
        f"{row.workload:10} {row.size:>9,} {row.method:16} {row.single_qps:>10,.0f} "
        f"{row.batch_qps:>10,.0f} {row.p50_ms:>8.3f} {row.p99_ms:>8.3f} "
        f"{row.bytes_per_signal:>8.1f} {row.build_s:>8.1f} {load:>7} {row.recall:>6.3f}",
        flush=True,
    )


def plot(rows: list[Row]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for axis, workload in zip(axes, ("random", "realistic"), strict=True):
        for method in sorted({r.method for r in rows}):
            points = [
                (r.size, r.single_qps) for r in rows if (r.method, r.workload) == (method, workload)
            ]
            if points:
                axis.plot(*zip(*points, strict=True), marker="o", label=method)
        axis.set(xscale="log", yscale="log", xlabel="signals", title=f"{workload} codes, r=31")
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("single queries / s (one core)")
    axes[1].legend()
    figure.tight_layout()
    figure.savefig(OUT / "index.png", dpi=120)


if __name__ == "__main__":
    main()
