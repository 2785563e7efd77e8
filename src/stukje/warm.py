"""Loading the compiled kernels before the first request.

Decoding, PDQ, the resizes, trimming, the region hashes and the index are numba kernels. Each is
compiled the first time it runs on a machine (and cached on disk), and loaded from that cache the
first time it runs in a process: about 0.4 s for all of them in a new process, about 20 s on a
machine that has not compiled them yet. A service that did nothing about it made its first
requests wait that long. :func:`warm_up` runs every kernel once, on small made-up pictures (in
memory only) and a small throwaway index, so a service pays this at start-up.
"""

from __future__ import annotations

import io
import threading
import time

import numpy as np
import numpy.typing as npt
from PIL import Image

from stukje.hashing._dc_decode import dc_pixels
from stukje.hashing._resample import resize
from stukje.hashing.decode import load_picture
from stukje.hashing.pdq import hash_picture
from stukje.hashing.signal import DEFAULT_THRESHOLD, HASH_BITS, HASH_BYTES
from stukje.hashing.variants import query_signals, submission_signals
from stukje.index import SignalIndex

__all__ = ["warm_up"]

_lock = threading.Lock()
_warm = False
_INDEX_ROWS = 4096


def warm_up() -> float:
    """Run every compiled kernel of hashing and of the index once; the seconds it took (0.0
    once done in this process)."""
    global _warm
    with _lock:
        if _warm:
            return 0.0
        started = time.perf_counter()
        _hashing()
        _index()
        _warm = True
        return time.perf_counter() - started


def _hashing() -> None:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (600, 800, 3), dtype=np.uint8)
    pixels[:, :150] = 255  # a flat border (trimming) and bright pixels
    small = np.ascontiguousarray(pixels[::6, ::6])
    # Numba compiles once per kind of array (writable or not): pixels given as an array, and a
    # large JPEG, decoded at reduced scale into read-only pixels as uploads are.
    for picture in (load_picture(small), load_picture(_encoded(pixels, "RGB"))):
        submission_signals(picture)
        query_signals(picture)
        hash_picture(picture, dihedral=True)
    frozen = small.copy()
    frozen.setflags(write=False)
    for source in (small, frozen):  # a large picture's working pixels are shrunk (BOX)
        resize(source, (64, 48), "box")
    for mode in ("RGB", "L"):  # the DC-only decoder of progressive JPEGs
        dc_pixels(_encoded(small, mode, progressive=True))


def _index() -> None:
    """Build, change and search a small index of random codes."""
    codes = np.random.default_rng(0).integers(0, 256, (_INDEX_ROWS, HASH_BYTES), dtype=np.uint8)
    index = SignalIndex(background=False, workers=1)
    index.add(np.arange(_INDEX_ROWS), codes)
    index.compact()  # a segment with its tables
    index.add(np.arange(_INDEX_ROWS, _INDEX_ROWS + 4), codes[:4])  # and the buffer
    index.remove([0, _INDEX_ROWS])
    for radius in (0, DEFAULT_THRESHOLD, HASH_BITS // 2):  # table probes and linear scans
        index.search(codes[:8], radius, parallel=False)


def _encoded(pixels: npt.NDArray[np.uint8], mode: str, *, progressive: bool = False) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(out, "JPEG", progressive=progressive)
    return out.getvalue()
