"""Loading the compiled steps of hashing before the first picture arrives.

The decoders, PDQ, the resizes, trimming and the region hashes are numba kernels. Each is
compiled the first time it runs on a machine (and cached on disk), and loaded from that cache
the first time it runs in a process: about 0.3 s for all of them in a new process, 9-12 s on a
machine that has not compiled them yet. A service that did nothing about it made its first
requests wait that long. :func:`warm_up` runs every kernel once on small made-up pictures (in
memory only), so a service pays this at start-up, before it takes requests.
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
from stukje.hashing.variants import query_signals, submission_signals

__all__ = ["warm_up"]

_lock = threading.Lock()
_warm = False


def warm_up() -> float:
    """Run every compiled step of hashing once; the seconds it took (0.0 once done in this
    process)."""
    global _warm
    with _lock:
        if _warm:
            return 0.0
        started = time.perf_counter()
        rng = np.random.default_rng(0)
        pixels = rng.integers(0, 256, (600, 800, 3), dtype=np.uint8)
        pixels[:, :150] = 255  # a flat border (trimming) and bright pixels
        small = np.ascontiguousarray(pixels[::6, ::6])
        # Numba compiles once per kind of array (writable or not): pixels given as an array,
        # and a large JPEG, decoded at reduced scale into read-only pixels as uploads are.
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
        _warm = True
        return time.perf_counter() - started


def _encoded(pixels: npt.NDArray[np.uint8], mode: str, *, progressive: bool = False) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(out, "JPEG", progressive=progressive)
    return out.getvalue()
