"""Turning any decoded picture into upright 8-bit RGB pixels.

Rules (documented in docs/hashing.md):

- EXIF orientation is applied, so a photo hashes the same whichever way the camera stored it.
- Transparency (RGBA, LA, PA, palette with a transparent colour) is flattened onto white, as most
  viewers and chat apps show such pictures; the colour stored under fully transparent pixels
  therefore never changes the hash.
- Palette, bilevel and grey pictures become RGB with equal channels; CMYK and YCbCr go through
  Pillow's conversion (embedded ICC profiles are not applied).
- 16- and 32-bit integer grey keeps its 8 most significant bits of 16 when any value exceeds 255,
  and is taken as 8-bit data otherwise (8-bit pictures saved in a 16-bit container are common);
  float grey in [0, 1] is scaled to [0, 255]; all are clipped.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = ["WHITE", "flatten_alpha", "orientation_of", "to_rgb_array", "upright"]

WHITE: Final = (255, 255, 255)
_EXIF_ORIENTATION: Final = 0x0112
# What undoes each EXIF orientation (1 = already upright).
_UNDO_ORIENTATION: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SIXTEEN_BIT_GREY: Final = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I;16S"})
_WITH_ALPHA: Final = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})


def orientation_of(image: Image.Image) -> int:
    """The EXIF orientation (1-8) from the header; 1 when absent or invalid."""
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # a damaged EXIF block must not stop the hash; treat it as upright
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def upright(image: Image.Image, orientation: int) -> Image.Image:
    """The picture turned upright for the given EXIF orientation."""
    method = _UNDO_ORIENTATION.get(orientation)
    return image if method is None else image.transpose(method)


def flatten_alpha(image: Image.Image) -> Image.Image:
    """An RGBA picture composited onto white, as RGB."""
    background = Image.new("RGBA", image.size, (*WHITE, 255))
    return Image.alpha_composite(background, image).convert("RGB")


def to_rgb_array(image: Image.Image) -> npt.NDArray[np.uint8]:
    """Any Pillow mode as a C-contiguous (H, W, 3) uint8 array (see the module's rules)."""
    mode = image.mode
    if mode == "RGB":
        rgb = np.asarray(image, dtype=np.uint8)
    elif mode in _SIXTEEN_BIT_GREY or mode in {"I", "F"}:
        rgb = _grey_to_rgb(_deep_grey_to_uint8(np.asarray(image), mode))
    elif mode in {"1", "L"}:
        rgb = _grey_to_rgb(np.asarray(image.convert("L"), dtype=np.uint8))
    elif mode in _WITH_ALPHA or (mode == "P" and "transparency" in image.info):
        rgb = np.asarray(flatten_alpha(image.convert("RGBA")), dtype=np.uint8)
    else:
        rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb)


def _deep_grey_to_uint8(values: npt.NDArray[np.generic], mode: str) -> npt.NDArray[np.uint8]:
    if mode == "F":
        floats = values.astype(np.float64)
        top = float(np.nanmax(floats)) if floats.size else 0.0
        scaled = floats * 255.0 if top <= 1.0 else floats
        return np.clip(np.nan_to_num(scaled), 0, 255).round().astype(np.uint8)
    wide = values.astype(np.int64)
    if wide.size and int(wide.max()) > 255:
        return (np.clip(wide, 0, 65535) >> 8).astype(np.uint8)
    return np.clip(wide, 0, 255).astype(np.uint8)


def _grey_to_rgb(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    return np.repeat(grey[:, :, np.newaxis], 3, axis=2)
