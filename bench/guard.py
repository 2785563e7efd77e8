"""Benchmark: the guard's decision time per phone-size photo, on one core.

For every JPEG photo of the corpus of 4 MP and up, times the whole guard path from file bytes:
decode (reduced scale) -> the query set (as ``POST /v1/guard`` computes it: plain, trimmed, parts)
-> match against an index of ``--bank`` signals -> policy ->
localized message and help resources; once without and once with the NudeNet classifier (on the
picture already decoded for hashing, onnxruntime limited to one thread). The process is pinned to
one core. Prints p50/p99 per photo and over all, against the goals (25 ms without, 80 ms with),
and writes bench/out/guard.png.

    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python bench/guard.py --repeat 30
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from stukje.classify import Classifier
from stukje.classify.nudenet import nudenet_classifier
from stukje.classify.onnx import OnnxClassifier, import_onnxruntime
from stukje.guard import BankMatch, Content, Context, Guard
from stukje.hashing import PdqHash, load_picture, query_signals
from stukje.index import SignalIndex

REPO = Path(__file__).resolve().parent.parent
GOAL_WITHOUT_MS = 25.0
GOAL_WITH_MS = 80.0


def large_jpegs(corpus: Path, min_megapixels: float) -> list[tuple[str, bytes, float]]:
    photos = []
    for path in sorted(corpus.glob("*.jpg")):
        with Image.open(path) as image:
            megapixels = image.width * image.height / 1e6
        if megapixels >= min_megapixels:
            photos.append((path.stem, path.read_bytes(), megapixels))
    return photos


def index_matcher(size: int) -> Callable[[Sequence[PdqHash]], Sequence[BankMatch]]:
    rng = np.random.default_rng(7)
    index = SignalIndex()
    index.add(np.arange(size, dtype=np.int64), rng.integers(0, 256, (size, 32), dtype=np.uint8))
    index.compact()

    def find(signals: Sequence[PdqHash]) -> Sequence[BankMatch]:
        codes = np.frombuffer(b"".join(s.value for s in signals), dtype=np.uint8).reshape(-1, 32)
        found = index.search(codes, 31, parallel=False)
        return [
            BankMatch(distance=d, reference=str(i))
            for i, d in zip(found.signal_ids.tolist(), found.distances.tolist(), strict=True)
        ]

    return find


def one_thread_nudenet() -> Classifier:
    onnxruntime = import_onnxruntime()
    classifier = nudenet_classifier()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(classifier.spec.model), options, providers=["CPUExecutionProvider"]
    )
    return OnnxClassifier(classifier.spec, session=session)


def time_guard(guard: Guard, data: bytes, context: Context, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        picture = load_picture(data)
        signals = tuple(s.hash for s in query_signals(picture))  # as POST /v1/guard does
        decision = guard.decide(Content(signals=signals, pixels=picture.pixels), context)
        times.append((time.perf_counter() - start) * 1000)
        assert decision.verdict
    return times


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpus/photos")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--bank", type=int, default=1_000_000, help="signals in the index")
    parser.add_argument("--min-megapixels", type=float, default=4.0)
    parser.add_argument("--out", type=Path, default=REPO / "bench/out/guard.png")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    photos = large_jpegs(args.corpus, args.min_megapixels)
    print(f"# {len(photos)} JPEG photos >= {args.min_megapixels} MP; bank of {args.bank:,} signals")
    matcher = index_matcher(args.bank)
    context = Context(action="forward", tier="teen", locale="nl-NL", country="NL")
    plain = Guard(matcher=matcher)
    classified = Guard(matcher=matcher, classifier=one_thread_nudenet())
    rows = []
    all_without: list[float] = []
    all_with: list[float] = []
    for name, data, megapixels in photos:
        time_guard(classified, data, context, 2)  # warm up decoders, JIT and the ONNX session
        without = time_guard(plain, data, context, args.repeat)
        with_classifier = time_guard(classified, data, context, args.repeat)
        all_without += without
        all_with += with_classifier
        rows.append((name, megapixels, without, with_classifier))
    header = f"{'photo':<22}{'MP':>6}{'p50 ms':>9}{'p99 ms':>9}{'p50 +cls':>10}{'p99 +cls':>10}"
    print(header)
    for name, megapixels, without, with_classifier in rows:
        print(
            f"{name:<22}{megapixels:>6.1f}{statistics.median(without):>9.1f}"
            f"{percentile(without, 99):>9.1f}{statistics.median(with_classifier):>10.1f}"
            f"{percentile(with_classifier, 99):>10.1f}"
        )
    p50_without, p99_without = statistics.median(all_without), percentile(all_without, 99)
    p50_with, p99_with = statistics.median(all_with), percentile(all_with, 99)
    print(f"{'all':<28}{p50_without:>9.1f}{p99_without:>9.1f}{p50_with:>10.1f}{p99_with:>10.1f}")
    print(
        f"goal: <= {GOAL_WITHOUT_MS:.0f} ms without the classifier "
        f"(p50 {p50_without / GOAL_WITHOUT_MS:.2f}x, p99 {p99_without / GOAL_WITHOUT_MS:.2f}x "
        f"of it), <= {GOAL_WITH_MS:.0f} ms with it "
        f"(p50 {p50_with / GOAL_WITH_MS:.2f}x, p99 {p99_with / GOAL_WITH_MS:.2f}x)"
    )
    plot(rows, args.out)
    print(f"plot: {args.out}")
    print("command: " + shlex.join([sys.executable, *sys.argv]))


def plot(rows: list[tuple[str, float, list[float], list[float]]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.parent.mkdir(parents=True, exist_ok=True)
    names = [r[0] for r in rows]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.bar(x - 0.2, [statistics.median(r[2]) for r in rows], 0.4, label="p50 without classifier")
    ax.bar(x + 0.2, [statistics.median(r[3]) for r in rows], 0.4, label="p50 with NudeNet")
    ax.axhline(GOAL_WITHOUT_MS, linestyle="--", color="C0", label="goal without (25 ms)")
    ax.axhline(GOAL_WITH_MS, linestyle="--", color="C1", label="goal with (80 ms)")
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("ms per photo, one core")
    ax.set_title("stukje guard: decision from file bytes")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


if __name__ == "__main__":
    main()
