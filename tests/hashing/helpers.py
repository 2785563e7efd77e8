"""Helpers shared by the hashing tests: pictures as pixels, and encoded in memory."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image


def rgb_pixels(path: Path) -> npt.NDArray[np.uint8]:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def encode(pixels: npt.NDArray[np.uint8], fmt: str, **options: object) -> bytes:
    """Encoded in memory: picture bytes never touch the disk."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **options)
    return buffer.getvalue()
