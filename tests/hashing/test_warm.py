"""Warming up: every compiled kernel a service uses runs once before the first request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stukje.warm import warm_up

#: In a new process: warm up, note which kernels have run with which argument types, then do
#: real work; print any kernel (or argument types) that ran for the first time after it.
_SCRIPT = """
import sys
import numba
import numpy as np
from stukje.warm import warm_up
from stukje.hashing import load_picture, query_signals, submission_signals
from stukje.index import SignalIndex
import stukje.hashing._dc_decode, stukje.hashing._pdq_kernel, stukje.hashing._progressive
import stukje.hashing._resample, stukje.hashing.regions, stukje.hashing.variants
import stukje.index._kernels, stukje.index.ids

def ran():
    # Each kernel with each argument types it has run with (new types: a new compile).
    found = set()
    for name, module in list(sys.modules.items()):
        if name.startswith("stukje."):
            for attribute, value in vars(module).items():
                if isinstance(value, numba.core.registry.CPUDispatcher):
                    found |= {f"{name}.{attribute}{signature}" for signature in value.signatures}
    return found

warm_up()
before = ran()
for path in sys.argv[1:]:
    picture = load_picture(open(path, "rb").read())
    submission_signals(picture)
    codes = np.array([np.frombuffer(s.hash.value, np.uint8) for s in query_signals(picture)])
    index = SignalIndex(background=False, workers=1)
    rng = np.random.default_rng(1)
    index.add(np.arange(200_000), rng.integers(0, 256, (200_000, 32), dtype=np.uint8))
    index.compact()
    index.add(np.arange(200_000, 200_010), codes[:10])
    index.remove([3, 200_001])
    index.search(codes, 31, parallel=False)
    index.search(np.frombuffer(codes.tobytes(), np.uint8).reshape(-1, 32), 31)  # read-only
print(sorted(ran() - before))
"""


def test_warm_up_runs_once_per_process() -> None:
    warm_up()
    assert warm_up() == 0.0


def test_after_warming_up_real_work_needs_no_kernel_that_did_not_run(photos_dir: Path) -> None:
    photos = [photos_dir / "TwoWings.jpg", photos_dir / "Elephants_5640x3172.jpg"]
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *map(str, photos)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
