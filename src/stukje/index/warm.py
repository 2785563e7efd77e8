"""Loading the index's compiled kernels before the first search.

Like the hashing steps (:mod:`stukje.hashing.warm`), the index's kernels are numba functions,
loaded (or, on a new machine, compiled) the first time they run in a process. :func:`warm_up`
runs each of them once on a small throwaway index of random codes.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from stukje.hashing.signal import DEFAULT_THRESHOLD, HASH_BITS, HASH_BYTES
from stukje.index.signal_index import SignalIndex

__all__ = ["warm_up"]

_lock = threading.Lock()
_warm = False
_ROWS = 4096


def warm_up() -> float:
    """Build, change and search a small index once; the seconds it took (0.0 once done in this
    process)."""
    global _warm
    with _lock:
        if _warm:
            return 0.0
        started = time.perf_counter()
        codes = np.random.default_rng(0).integers(0, 256, (_ROWS, HASH_BYTES), dtype=np.uint8)
        index = SignalIndex(background=False, workers=1)
        index.add(np.arange(_ROWS), codes)
        index.compact()  # a segment with its tables
        index.add(np.arange(_ROWS, _ROWS + 4), codes[:4])  # and the buffer
        index.remove([0, _ROWS])
        for radius in (0, DEFAULT_THRESHOLD, HASH_BITS // 2):  # table probes and linear scans
            index.search(codes[:8], radius, parallel=False)
        _warm = True
        return time.perf_counter() - started
