"""Benchmark: detection quality of plain PDQ vs stukje's submission set, on re-shared variants.

From every corpus photo (scaled to at most ``--size`` pixels on the long side, the size pictures
travel at in chat apps) it makes the re-shared variants of bench/quality_edits.py in memory and
decodes them with stukje's own ``load_picture``. Plain PDQ stores and looks up one hash per
picture; stukje stores ``submission_signals`` and looks up ``query_signals``. At the operating
point (distance <= 31) it reports recall per edit, and false matches over all unrelated pairs:
each original against every variant (and the original) of every other photo, the corpus
README's look-alike pairs counted apart. It then measures the cost: hashes stored per picture,
hashing time, index memory and matching time in a SignalIndex. Writes bench/out/quality.png.

    .venv/bin/python bench/quality.py
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from stukje.hashing import load_picture, query_signals
from stukje.hashing.variants import candidate_signals, labelled_submission_signals

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.quality_edits import EDITS, encode

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "photos"
THRESHOLD = 31
U8 = npt.NDArray[np.uint8]
#: Different pictures that look alike (shared/corpus/README.md); ela_* is one picture retouched.
LOOK_ALIKES = (
    ("opencv_aloeL", "opencv_aloeR"),
    ("opencv_left01", "opencv_left02"),
    ("opencv_leuvenA", "opencv_leuvenB"),
    ("opencv_basketball1", "opencv_basketball2"),
    ("opencv_rubberwhale1", "opencv_rubberwhale2"),
    ("opencv_Blender_Suzanne1", "opencv_Blender_Suzanne2"),
    ("opencv_aero1", "opencv_aero3"),
    ("opencv_graf1", "opencv_graf3"),
    ("skimage_motorcycle_left", "skimage_motorcycle_right"),
)
SAME_PICTURE = (("opencv_ela_original", "opencv_ela_modified"),)
GOALS = {
    "ordinary": 0.99,
    "dihedral": 1.0,
    "framing": 0.95,
    "crop 5%": 0.95,
    "crop 10%": 0.95,
    "crop 20%": 0.80,
    "rotate 4°": 0.80,
    "combination": 0.80,
}
_POPCOUNT = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)


@dataclass
class Photo:
    name: str
    plain: U8  # (32,)
    stored: U8  # (k, 32) the submission set
    labels: list[str]
    unfiltered: U8  # the submission set before the quality filter (for the low-quality check)
    queries: dict[str, tuple[U8, U8]] = field(default_factory=dict)  # edit -> (plain, query set)


def codes(signals: object) -> U8:
    return np.array([np.frombuffer(s.hash.value, dtype=np.uint8) for s in signals])  # type: ignore[attr-defined]


def distances(stored: U8, queries: U8) -> npt.NDArray[np.int32]:
    """(len(stored), len(queries)) Hamming distances between two stacks of 32-byte codes."""
    a = np.ascontiguousarray(stored).view(np.uint64)
    b = np.ascontiguousarray(queries).view(np.uint64)
    table: npt.NDArray[np.int32] = np.bitwise_count(a[:, None, :] ^ b[None, :, :]).sum(
        axis=2, dtype=np.int32
    )
    return table


def master(path: Path, size: int) -> Image.Image:
    image = Image.fromarray(load_picture(path.read_bytes()).pixels)
    scale = size / max(image.size)
    if scale < 1:
        shape = (round(image.width * scale), round(image.height * scale))
        image = image.resize(shape, Image.Resampling.LANCZOS)
    return image


def prepare(paths: list[Path], size: int, timings: dict[str, list[float]]) -> list[Photo]:
    photos = []
    for number, path in enumerate(paths):
        image = master(path, size)
        picture = load_picture(encode(image))
        started = time.perf_counter()
        labelled = labelled_submission_signals(picture)
        timings["submission"].append(time.perf_counter() - started)
        photo = Photo(
            path.stem,
            codes([labelled[0][1]])[0],
            codes([signal for _, signal in labelled]),
            [label for label, _ in labelled],
            codes([signal for _, signal in candidate_signals(picture)]),
        )
        variants = {"original": encode(image)}
        for name, (_, edit) in EDITS.items():
            rng = np.random.default_rng([number, zlib.crc32(name.encode())])
            variants[name] = edit(image, rng)
        for name, data in variants.items():
            variant = load_picture(data)
            started = time.perf_counter()
            query = query_signals(variant)
            timings["query"].append(time.perf_counter() - started)
            photo.queries[name] = (codes(query[:1])[0], codes(query))
        photos.append(photo)
        print(f"  {number + 1}/{len(paths)} {path.name}: {len(photo.stored)} hashes", flush=True)
    return photos


def recall(photos: list[Photo]) -> dict[str, tuple[float, float]]:
    """edit -> (plain PDQ recall, stukje recall) at the threshold."""
    table = {}
    for edit in ["original", *EDITS]:
        plain = [int(_POPCOUNT[p.plain ^ p.queries[edit][0]].sum()) <= THRESHOLD for p in photos]
        ours = [distances(p.stored, p.queries[edit][1]).min() <= THRESHOLD for p in photos]
        table[edit] = (float(np.mean(plain)), float(np.mean(ours)))
    return table


def _pair_kind(a: str, b: str) -> str:
    if (a, b) in SAME_PICTURE or (b, a) in SAME_PICTURE:
        return "same"
    if (a, b) in LOOK_ALIKES or (b, a) in LOOK_ALIKES:
        return "look-alike"
    return "unrelated"


@dataclass
class FalseMatches:
    pairs: Counter[str] = field(default_factory=Counter)  # kind -> pairs checked
    plain: Counter[str] = field(default_factory=Counter)  # kind -> pairs matched by plain PDQ
    ours: Counter[str] = field(default_factory=Counter)  # kind -> pairs matched by stukje
    unfiltered: Counter[str] = field(default_factory=Counter)  # ... without the quality filter
    by_label: Counter[str] = field(default_factory=Counter)  # stored hash kind that matched
    by_pair: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (a, b, plain/ours)
    nearest: dict[str, int] = field(default_factory=dict)  # kind -> smallest stukje distance
    #: (a, b) -> plain PDQ distance and stukje's smallest distance between the two originals
    originals: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


def false_matches(photos: list[Photo]) -> FalseMatches:
    """Each original's stored set against every variant of every other photo."""
    found = FalseMatches()
    for owner in photos:
        for other in photos:
            if other is owner:
                continue
            kind = _pair_kind(owner.name, other.name)
            queries = np.concatenate([q for _, q in other.queries.values()])
            plains = np.stack([p for p, _ in other.queries.values()])
            ours = distances(owner.stored, queries)
            loose = distances(owner.unfiltered, queries).min(axis=0)
            plain = _POPCOUNT[owner.plain[None, :] ^ plains].sum(axis=1)
            found.nearest[kind] = min(found.nearest.get(kind, 256), int(ours.min()))
            offsets = np.cumsum([0] + [len(q) for _, q in other.queries.values()])
            for number, edit in enumerate(other.queries):
                block = ours[:, offsets[number] : offsets[number + 1]]
                if edit == "original":
                    found.originals[owner.name, other.name] = (int(plain[number]), int(block.min()))
                found.pairs[kind] += 1
                found.plain[kind] += int(plain[number] <= THRESHOLD)
                found.by_pair[owner.name, other.name, "plain"] += int(plain[number] <= THRESHOLD)
                found.by_pair[owner.name, other.name, "ours"] += int(block.min() <= THRESHOLD)
                found.unfiltered[kind] += int(
                    loose[offsets[number] : offsets[number + 1]].min() <= THRESHOLD
                )
                if block.min() <= THRESHOLD:
                    found.ours[kind] += 1
                    label = owner.labels[int(block.min(axis=1).argmin())]
                    found.by_label[label.split(" ")[0]] += 1
                    if kind == "unrelated" and len(found.examples) < 10:
                        found.examples.append(f"{owner.name} ~ {other.name} ({edit}) via {label}")
    return found


@dataclass
class Cost:
    pictures: int
    hashes_per_picture: float
    queries_per_picture: float
    memory: tuple[int, int]  # index bytes: plain, stukje
    match_us: tuple[float, float]  # matching time per checked picture: plain, stukje


def index_cost(photos: list[Photo], pictures: int, checks: int = 2000) -> Cost:
    """A SignalIndex of ``pictures`` pictures with 1 hash each vs the submission set's count.

    Codes are drawn from a bit model (bench/index_codes.py) fitted to the real stored hashes.
    """
    from bench.index_codes import CodeModel
    from stukje.index import SignalIndex

    rng = np.random.default_rng(7)
    model = CodeModel(np.concatenate([p.stored for p in photos]))
    per_picture = float(np.mean([len(p.stored) for p in photos]))
    per_query = float(np.mean([len(q) for p in photos for _, q in p.queries.values()]))
    queries = model.draw(round(checks * per_query), rng)
    memory, timing = [], []
    for count in (pictures, round(pictures * per_picture)):
        index = SignalIndex(background=False, workers=1)
        index.add(np.arange(count), model.draw(count, rng))
        index.compact()
        memory.append(index.memory_bytes())
        batch = queries[:checks] if count == pictures else queries
        started = time.perf_counter()
        index.search(batch, THRESHOLD, parallel=False)
        timing.append((time.perf_counter() - started) / checks * 1e6)
    return Cost(pictures, per_picture, per_query, (memory[0], memory[1]), (timing[0], timing[1]))


def goal_of(edit: str) -> float | None:
    group = "original" if edit == "original" else EDITS[edit][0]
    if edit in GOALS:
        return GOALS[edit]
    if group in ("crop", "rotation"):
        return None
    return GOALS.get(group)


def report(table: dict[str, tuple[float, float]], found: FalseMatches, cost: Cost) -> None:
    print("\n| edit | group | plain PDQ | stukje | goal |\n|---|---|---|---|---|")
    for edit, (plain, ours) in table.items():
        group = "-" if edit == "original" else EDITS[edit][0]
        goal = goal_of(edit)
        mark = "" if goal is None or ours >= goal else " (short)"
        shown = "-" if goal is None else f">= {goal:.0%}"
        print(f"| {edit} | {group} | {plain:.1%} | **{ours:.1%}**{mark} | {shown} |")
    print("\n| pairs | checked | plain PDQ matches | stukje matches | without quality filter |")
    print("|---|---|---|---|---|")
    for kind in ("unrelated", "look-alike", "same"):
        print(
            f"| {kind} | {found.pairs[kind]:,} | {found.plain[kind]} | {found.ours[kind]} "
            f"| {found.unfiltered[kind]} |"
        )
    print(f"\nsmallest stukje distance by pair kind: {found.nearest}")
    print(
        "look-alike and same-picture pairs, variants matched (plain PDQ / stukje), and the"
        " distance between the two originals (plain PDQ / stukje's nearest):"
    )
    for first, second in LOOK_ALIKES + SAME_PICTURE:
        for a, b in ((first, second), (second, first)):
            plain, ours = found.by_pair[a, b, "plain"], found.by_pair[a, b, "ours"]
            apart = "{} / {} bits".format(*found.originals[a, b])
            print(f"  {a} stored, variants of {b}: {plain} / {ours}; originals {apart}")
    print(f"false and look-alike matches by stored hash kind: {dict(found.by_label)}")
    for example in found.examples:
        print(f"  unrelated match: {example}")
    plain_mb, ours_mb = (m / 2**20 for m in cost.memory)
    print(
        f"\nhashes stored per picture: {cost.hashes_per_picture:.1f}; "
        f"hashes looked up per checked picture: {cost.queries_per_picture:.2f}"
    )
    print(
        f"index of {cost.pictures:,} pictures: plain {plain_mb:.1f} MiB, stukje {ours_mb:.1f} MiB; "
        f"matching per checked picture (one core): plain {cost.match_us[0]:.0f} us, "
        f"stukje {cost.match_us[1]:.0f} us"
    )


def plot(table: dict[str, tuple[float, float]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(table)
    positions = np.arange(len(names))
    figure, axes = plt.subplots(figsize=(8, 0.3 * len(names) + 1.5))
    axes.barh(positions + 0.2, [table[n][0] for n in names], 0.4, label="plain PDQ")
    axes.barh(positions - 0.2, [table[n][1] for n in names], 0.4, label="stukje")
    axes.set_yticks(positions, names, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel(f"recall at distance <= {THRESHOLD}")
    axes.legend(loc="lower right", fontsize=8)
    axes.set_title("Re-shared variants found: plain PDQ vs stukje's submission set")
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1024, help="long side of the originals")
    parser.add_argument("--limit", type=int, default=None, help="only the first N photos")
    parser.add_argument("--index-pictures", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "quality.png")
    args = parser.parse_args()
    print("$ " + shlex.join([Path(sys.executable).name, *sys.argv]))
    paths = sorted(CORPUS.iterdir())[: args.limit]
    timings: dict[str, list[float]] = {"submission": [], "query": []}
    photos = prepare(paths, args.size, timings)
    table = recall(photos)
    found = false_matches(photos)
    cost = index_cost(photos, args.index_pictures)
    report(table, found, cost)
    print(
        f"hashing (one core, median): submission set {np.median(timings['submission']) * 1e3:.0f}"
        f" ms per picture, query set {np.median(timings['query']) * 1e3:.1f} ms per picture"
    )
    plot(table, args.out)
    print(f"plot: {args.out}")


if __name__ == "__main__":
    main()
