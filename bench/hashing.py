"""Benchmark: stukje's PDQ hashing vs python-threatexchange's, side by side in one run.

For every large photo (default: 4 MP and up) of the corpus it times, from file bytes in memory,
``threatexchange.signal_type.pdq.pdq_hasher.pdq_from_bytes`` (full resolution) and
``stukje.hashing.hash_image`` (reduced-scale decode), interleaved, on one core; reports images/s
per core, the ratio, and the Hamming distance of stukje's hash to the full-resolution one. Writes
a plot to bench/out/hashing.png. ``--upscale 2`` adds 2x upscaled JPEG copies (made in memory)
of the photos, for larger inputs than the corpus has.

    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python bench/hashing.py --repeat 5
"""

from __future__ import annotations

import argparse
import io
import shlex
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes

from stukje.hashing import PdqHash, hash_image

REPO = Path(__file__).resolve().parent.parent


Photo = tuple[str, bytes, float]  # name, file bytes, megapixels


@dataclass(frozen=True)
class Row:
    name: str
    megapixels: float
    reference_s: float
    stukje_s: float
    distance: int


def _large_photos(corpus: Path, min_megapixels: float) -> list[Photo]:
    photos = []
    for path in sorted(corpus.iterdir()):
        with Image.open(path) as image:
            megapixels = image.width * image.height / 1e6
        if megapixels >= min_megapixels:
            photos.append((path.name, path.read_bytes(), megapixels))
    return photos


def _upscaled(
    photos: list[tuple[str, bytes, float]], factor: int
) -> list[tuple[str, bytes, float]]:
    copies = []
    for name, data, megapixels in photos:
        with Image.open(io.BytesIO(data)) as image:
            size = (image.width * factor, image.height * factor)
            bigger = image.convert("RGB").resize(size, Image.Resampling.BICUBIC)
        buffer = io.BytesIO()
        bigger.save(buffer, "JPEG", quality=90)
        copies.append((f"{name} x{factor}", buffer.getvalue(), megapixels * factor * factor))
    return copies


def _measure(name: str, data: bytes, megapixels: float, repeat: int) -> Row:
    reference_times, stukje_times = [], []
    for _ in range(repeat):  # interleaved, so both see the same machine load
        started = time.perf_counter()
        reference_hex, _quality = pdq_from_bytes(data)
        reference_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        ours = hash_image(data).signal.hash
        stukje_times.append(time.perf_counter() - started)
    return Row(
        name,
        megapixels,
        statistics.median(reference_times),
        statistics.median(stukje_times),
        ours.distance(PdqHash.from_hex(reference_hex)),
    )


def _report(rows: list[Row]) -> None:
    print(
        f"{'photo':34} {'MP':>5} {'threatexchange ms':>18} {'stukje ms':>10} {'x':>6} {'bits':>5}"
    )
    for row in rows:
        ratio = row.reference_s / row.stukje_s
        print(
            f"{row.name:34} {row.megapixels:5.1f} {row.reference_s * 1e3:18.1f} "
            f"{row.stukje_s * 1e3:10.1f} {ratio:6.1f} {row.distance:5d}"
        )
    reference_rate = len(rows) / sum(r.reference_s for r in rows)
    stukje_rate = len(rows) / sum(r.stukje_s for r in rows)
    distances = [r.distance for r in rows]
    print()
    print(f"images: {len(rows)}; throughput per core (images/s, from file bytes):")
    print(f"  threatexchange pdq_from_bytes (full resolution): {reference_rate:8.2f}")
    print(f"  stukje hash_image (reduced-scale decode):        {stukje_rate:8.2f}")
    print(f"  ratio: {stukje_rate / reference_rate:.1f}x  (goal >= 10x)")
    print(
        f"distance to the full-resolution hash: mean {statistics.mean(distances):.2f} bits, "
        f"max {max(distances)} bits  (goal mean <= 4, max <= 12)"
    )


def _plot(rows: list[Row], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.parent.mkdir(parents=True, exist_ok=True)
    figure, (speed, bits) = plt.subplots(1, 2, figsize=(12, 0.45 * len(rows) + 2))
    labels = [r.name for r in rows]
    positions = range(len(rows))
    speed.barh(
        [p + 0.2 for p in positions],
        [1 / r.reference_s for r in rows],
        0.4,
        label="threatexchange (full resolution)",
    )
    speed.barh([p - 0.2 for p in positions], [1 / r.stukje_s for r in rows], 0.4, label="stukje")
    speed.set_xscale("log")
    speed.set_yticks(list(positions), labels)
    speed.set_xlabel("images/s per core (log)")
    speed.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08 - 1.5 / len(rows)), ncol=2)
    bits.barh(list(positions), [r.distance for r in rows], color="tab:gray")
    bits.axvline(12, color="tab:red", linestyle="--", label="max goal (12)")
    bits.set_yticks(list(positions), [""] * len(rows))
    bits.set_xlabel("bits from the full-resolution hash")
    bits.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    print(f"plot: {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpus/photos")
    parser.add_argument("--min-megapixels", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3, help="timings per image (median)")
    parser.add_argument("--upscale", type=int, default=0, help="also N-times upscaled copies")
    parser.add_argument("--out", type=Path, default=REPO / "bench/out/hashing.png")
    args = parser.parse_args(argv)
    print("command:", shlex.join([".venv/bin/python", "bench/hashing.py", *sys.argv[1:]]))
    photos = _large_photos(args.corpus, args.min_megapixels)
    if args.upscale > 1:
        photos += _upscaled(photos, args.upscale)
    hash_image(photos[0][1])  # warm up: plugin registration, first-call costs
    pdq_from_bytes(photos[0][1])
    rows = [_measure(name, data, mp, args.repeat) for name, data, mp in photos]
    _report(rows)
    _plot(rows, args.out)


if __name__ == "__main__":
    main()
