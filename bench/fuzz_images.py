"""Fuzz the picture decoding path (``hash_image``) with atheris, coverage-guided.

The target is what the API runs on an upload: decode in memory under the default limits, orient,
normalise, PDQ-hash. An input passes when it hashes or raises a :class:`stukje.errors.ImageError`
(the API's 4xx); anything else is a crash. An input using over 2 s of CPU is kept as a failure
(slow-cpu-*); libFuzzer enforces the rest: resident memory over 1 GB is an out-of-memory, and
10 s of wall time a hang.

The seeds are small benign pictures in every supported format, made from the photo corpus, plus
the odd corpus (truncated JPEG, palettes, 16-bit); Pillow's own Python plugins and stukje's
decoding code are instrumented so the fuzzer follows new branches in them.

    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python bench/fuzz_images.py --runs 1000000     # writes bench/out/fuzz_images/

libFuzzer stops at the first failing input; this script restarts it (the grown corpus carries
over) until the number of inputs is reached, and keeps every failing input in
bench/out/fuzz_found/. It prints the count of inputs run and of failures; exit 1 if any.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["PIL", "stukje.hashing"]):
    from PIL import Image

    from stukje.errors import ImageError
    from stukje.hashing import DEFAULT_LIMITS, hash_image

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
OUT = REPO / "bench" / "out" / "fuzz_images"
FOUND = REPO / "bench" / "out" / "fuzz_found"
#: The goal is per input CPU time. libFuzzer's own timeout is wall time, which a busy shared
#: machine stretches several-fold, so it is only the hang guard (10 s) here.
CPU_LIMIT_S = 2.0

_SEED_SIZES = ((48, 32), (257, 129), (600, 400))
_SEED_FORMATS: tuple[tuple[str, dict[str, object]], ...] = (
    ("JPEG", {"quality": 80}),
    ("JPEG", {"quality": 60, "progressive": True}),
    ("PNG", {}),
    ("GIF", {}),
    ("WEBP", {"quality": 70}),
    ("BMP", {}),
    ("TIFF", {"compression": "tiff_deflate"}),
    ("HEIF", {"quality": 50}),
    ("AVIF", {"quality": 50}),
)


def make_seeds(folder: Path) -> int:
    """Small seeds in every format, from one corpus photo, plus the odd corpus files."""
    folder.mkdir(parents=True, exist_ok=True)
    photo = min((CORPUS / "photos").iterdir(), key=lambda p: p.stat().st_size)
    count = 0
    with Image.open(photo) as original:
        rgb = original.convert("RGB")
    for width, height in _SEED_SIZES:
        small = rgb.resize((width, height))
        for name, options in _SEED_FORMATS:
            for mode in ("RGB", "L", "RGBA"):
                buffer = io.BytesIO()
                try:
                    small.convert(mode).save(buffer, format=name, **options)
                except (OSError, ValueError, KeyError):
                    continue  # a format that cannot store this mode
                count += 1
                (folder / f"{name.lower()}_{width}x{height}_{mode}_{count}").write_bytes(
                    buffer.getvalue()
                )
    for odd in sorted((CORPUS / "odd").iterdir()):
        (folder / f"odd_{odd.name}").write_bytes(odd.read_bytes())
        count += 1
    return count


def test_one_input(data: bytes) -> None:
    started = time.process_time()
    # A refusal the API turns into a 4xx is the expected outcome for damaged input.
    with contextlib.suppress(ImageError):
        hash_image(data, limits=DEFAULT_LIMITS)
    spent = time.process_time() - started
    if spent > _slowest[0]:
        _slowest[0] = spent
        (OUT / "slowest_cpu_s.txt").write_text(f"{spent:.3f}\n")
    if spent > CPU_LIMIT_S:
        FOUND.mkdir(parents=True, exist_ok=True)
        (FOUND / f"slow-cpu-{hashlib.sha1(data).hexdigest()}").write_bytes(data)


_slowest = [0.0]


def fuzz(runs: int, max_len: int, seed: int, extra: list[str]) -> None:
    """One libFuzzer session in this process; it exits at the first failing input."""
    seeds, work = OUT / "seeds", OUT / "corpus"
    work.mkdir(parents=True, exist_ok=True)
    print(f"{make_seeds(seeds)} seeds in {seeds}", file=sys.stderr)
    argv = [
        sys.argv[0],
        str(work),
        str(seeds),
        f"-runs={runs}",
        f"-max_len={max_len}",
        f"-seed={seed}",
        "-timeout=10",
        "-rss_limit_mb=1024",
        "-print_final_stats=1",
        f"-artifact_prefix={OUT}/",
        *extra,
    ]
    warnings.simplefilter("ignore")  # Pillow warns on damaged metadata; noise at 1M runs
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


def supervise(runs: int, max_len: int, extra: list[str]) -> int:
    """Run sessions until ``runs`` inputs are done, keeping every failing input found."""
    done, session, failures = 0, 0, []
    log = OUT / "fuzz.log"
    OUT.mkdir(parents=True, exist_ok=True)
    while done < runs:
        session += 1
        command = [sys.executable, __file__, "--session", "--runs", str(runs - done)]
        command += ["--max-len", str(max_len), "--seed", str(session), *extra]
        with log.open("a") as out:
            code = subprocess.run(command, stdout=out, stderr=out, check=False).returncode
        text = log.read_text(errors="replace")
        executed = re.findall(r"stat::number_of_executed_units: (\d+)", text)
        done = sum(int(n) for n in executed)
        for artifact in sorted(OUT.glob("*-*")):
            if artifact.name.startswith(("timeout-", "oom-", "crash-", "slow-unit-")):
                kept = FOUND / artifact.name
                FOUND.mkdir(exist_ok=True)
                artifact.replace(kept)
                failures.append(kept)
        print(f"session {session}: exit {code}, {done:,} inputs so far, {len(failures)} found")
        if code != 0 and not executed:
            break  # the session could not start: stop rather than loop
    failures += sorted(FOUND.glob("slow-cpu-*"))
    for failure in failures:
        print(f"found: {failure}")
    slowest = (
        (OUT / "slowest_cpu_s.txt").read_text().strip()
        if (OUT / "slowest_cpu_s.txt").exists()
        else "?"
    )
    print(
        f"{done:,} inputs, {len(failures)} failing (over 2 s CPU, hangs over 10 s, OOM over 1 GB,"
        f" crashes); slowest input {slowest} s CPU in the last session"
    )
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--max-len", type=int, default=65_536, help="largest input, bytes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--session", action="store_true", help=argparse.SUPPRESS)
    args, libfuzzer_args = parser.parse_known_args()
    if args.session:
        fuzz(args.runs, args.max_len, args.seed, libfuzzer_args)
    else:
        sys.exit(supervise(args.runs, args.max_len, libfuzzer_args))


if __name__ == "__main__":
    main()
