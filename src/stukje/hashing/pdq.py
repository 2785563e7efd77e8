"""PDQ signals from pictures: the hash, its quality and, when asked, all 8 dihedral hashes.

The hash is PDQ exactly as pdqhash (Python bindings to Meta's reference C++) computes it, bit for
bit, by stukje's compiled port (:mod:`stukje.hashing._pdq_kernel`, 5-8 times faster; tests and
the conformance kit compare it with pdqhash itself). A reduced :class:`Picture` is first resized
to :func:`pdq_target_size`, which keeps PDQ's own filter in proportion to the full-size picture,
so the hash stays within a few bits of a full-resolution hash at a fraction of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from stukje.errors import UnsupportedFormatError
from stukje.hashing._pdq_kernel import pdq_bits, pdq_dihedral_bits
from stukje.hashing._resample import resize
from stukje.hashing.decode import (
    DEFAULT_LIMITS,
    ImageLimits,
    ImageSource,
    Picture,
    load_picture,
    pdq_target_size,
)
from stukje.hashing.signal import PdqHash

__all__ = [
    "DIHEDRAL_NAMES",
    "LOW_QUALITY",
    "HashResult",
    "PdqSignal",
    "hash_image",
    "hash_picture",
    "hash_pixels",
]

#: Below this quality (0-100) a hash comes from a flat or featureless picture and matches poorly.
LOW_QUALITY: Final = 50

#: The order of :attr:`HashResult.dihedral` (pdqhash's), as operations on the upright picture:
#: unchanged; rotated 90° counter-clockwise; rotated 180°; rotated 90° clockwise; flipped top to
#: bottom; flipped left to right; transposed (mirrored on the main diagonal); anti-transposed.
DIHEDRAL_NAMES: Final = (
    "original",
    "rotate90_ccw",
    "rotate180",
    "rotate90_cw",
    "flip_top_bottom",
    "flip_left_right",
    "transpose",
    "transverse",
)


@dataclass(frozen=True, slots=True)
class PdqSignal:
    """A PDQ hash with its quality (0-100)."""

    hash: PdqHash
    quality: int

    @property
    def low_quality(self) -> bool:
        """True below quality 50: keep the hash, but expect poor matching."""
        return self.quality < LOW_QUALITY


@dataclass(frozen=True, slots=True)
class HashResult:
    """The PDQ signal of one picture, its 8 dihedral variants if asked, and its size."""

    signal: PdqSignal
    dihedral: tuple[PdqSignal, ...] | None
    width: int
    height: int
    format: str = "array"


def hash_pixels(pixels: npt.NDArray[np.generic]) -> PdqSignal:
    """pdqhash's hash of exactly these pixels ((H, W) grey or (H, W, 3) RGB uint8), no resizing."""
    code, quality = pdq_bits(_checked_pixels(pixels))
    return PdqSignal(PdqHash(code), quality)


def hash_picture(picture: Picture, *, dihedral: bool = False) -> HashResult:
    """Hash a decoded picture; a reduced one is first resized to PDQ's target size."""
    pixels = _pdq_input(picture)
    if dihedral:
        codes, quality = pdq_dihedral_bits(_checked_pixels(pixels))
        variants = tuple(PdqSignal(PdqHash(code), quality) for code in codes)
        signal = variants[0]
    else:
        variants = None
        signal = hash_pixels(pixels)
    return HashResult(signal, variants, picture.width, picture.height, picture.format)


def hash_image(
    source: ImageSource, *, dihedral: bool = False, limits: ImageLimits = DEFAULT_LIMITS
) -> HashResult:
    """Decode and hash a picture from bytes, a path, a file object, a PIL image or pixels.

    A numpy array is hashed exactly as given (see :func:`hash_pixels`).
    """
    return hash_picture(load_picture(source, limits=limits), dihedral=dihedral)


def _pdq_input(picture: Picture) -> npt.NDArray[np.uint8]:
    if not picture.reduced:
        return picture.pixels
    return resize(picture.pixels, pdq_target_size(picture.width, picture.height), "bilinear")


def _checked_pixels(pixels: npt.NDArray[np.generic]) -> npt.NDArray[np.uint8]:
    array = np.asarray(pixels)
    if array.dtype != np.uint8:
        raise UnsupportedFormatError(f"pixels must be uint8, got {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, np.newaxis], 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3 or 0 in array.shape:
        raise UnsupportedFormatError(
            f"pixels are (height, width) grey or (height, width, 3) RGB; got shape {array.shape}"
        )
    return np.ascontiguousarray(array)
