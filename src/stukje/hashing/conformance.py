"""A small conformance kit: properties every stukje-compatible PDQ hasher must have.

Give :func:`check_hasher` a function from encoded picture bytes to a :class:`PdqHash` and some
upright RGB pixels (benign photos); it returns the list of broken promises (empty when the
hasher conforms). stukje's own tests run it; a port (say, a browser hasher) can run it too.
Copies are made in memory only.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image

from stukje.hashing.normalise import _UNDO_ORIENTATION
from stukje.hashing.signal import PdqHash

__all__ = [
    "FORMAT_TOLERANCE",
    "ORIENTATION_TOLERANCE",
    "check_hasher",
    "format_copies",
    "oriented_copies",
]

#: Most bits an EXIF-oriented copy of a picture may differ from the upright one.
ORIENTATION_TOLERANCE: Final = 4
#: Most bits the same pixels may differ when saved in each format (lossless ones must agree
#: exactly on small pictures; HEIC and AVIF encode colour as YCbCr and lose a little).
FORMAT_TOLERANCE: Final = {"PNG": 0, "WEBP": 0, "TIFF": 0, "BMP": 0, "HEIF": 4, "AVIF": 4}
_EXIF_ORIENTATION: Final = 0x0112

Hasher = Callable[[bytes], PdqHash]


def oriented_copies(pixels: npt.NDArray[np.uint8]) -> dict[int, bytes]:
    """PNG bytes for EXIF orientations 1-8 whose upright view is ``pixels``."""
    upright = Image.fromarray(pixels)
    copies = {}
    for orientation in range(1, 9):
        stored = _store_for(upright, orientation)
        exif = Image.Exif()
        exif[_EXIF_ORIENTATION] = orientation
        copies[orientation] = _encode(stored, "PNG", exif=exif.tobytes())
    return copies


def _store_for(upright: Image.Image, orientation: int) -> Image.Image:
    """How a camera stores an upright picture under an orientation: undoing the undo."""
    undo = _UNDO_ORIENTATION.get(orientation)
    if undo is None:
        return upright
    # Rotations by 90° are each other's inverse; flips and (anti-)transposes are their own.
    inverse = {
        Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270,
        Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
    }.get(undo, undo)
    return upright.transpose(inverse)


def format_copies(pixels: npt.NDArray[np.uint8]) -> dict[str, bytes]:
    """The same pixels encoded losslessly where the format can (HEIC and AVIF at top quality)."""
    image = Image.fromarray(pixels)
    return {
        "PNG": _encode(image, "PNG"),
        "WEBP": _encode(image, "WEBP", lossless=True),
        "TIFF": _encode(image, "TIFF"),
        "BMP": _encode(image, "BMP"),
        "HEIF": _encode_heif(image),
        "AVIF": _encode(image, "AVIF", quality=100, subsampling="4:4:4"),
    }


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _encode_heif(image: Image.Image) -> bytes:
    from pillow_heif import from_pillow

    buffer = io.BytesIO()
    from_pillow(image).save(buffer, quality=-1, chroma=444)  # -1: lossless where supported
    return buffer.getvalue()


def _reference(pixels: npt.NDArray[np.uint8]) -> PdqHash:
    vector, _quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return PdqHash.from_bits(vector)


def check_hasher(hasher: Hasher, pixels: npt.NDArray[np.uint8]) -> list[str]:
    """Every way ``hasher`` breaks the kit's promises on ``pixels`` (empty list: conforms)."""
    problems = []
    upright = hasher(_encode(Image.fromarray(pixels), "PNG"))
    small = max(pixels.shape[:2]) <= 384  # no reduction: must equal pdqhash exactly
    if small and upright != _reference(pixels):
        problems.append("PNG of small pixels: hash differs from pdqhash's")
    for orientation, data in oriented_copies(pixels).items():
        bits = hasher(data).distance(upright)
        if bits > ORIENTATION_TOLERANCE:
            problems.append(f"EXIF orientation {orientation}: {bits} bits from upright")
    for fmt, data in format_copies(pixels).items():
        bits = hasher(data).distance(upright)
        allowed = FORMAT_TOLERANCE[fmt] if small else FORMAT_TOLERANCE[fmt] + 4
        if bits > allowed:
            problems.append(f"{fmt}: {bits} bits from PNG (allowed {allowed})")
    return problems
