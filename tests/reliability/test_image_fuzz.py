"""Hostile pictures: damaged, mutated and oddly shaped inputs hash or get a clear ImageError.

The long, coverage-guided run (a million inputs, libFuzzer's 2 s and 1 GB limits) is
``bench/fuzz_images.py``; this is its short, deterministic cousin for the default suite, plus the
inputs that run found.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from stukje.errors import ImageError
from stukje.hashing import hash_image, hash_pixels, load_picture

# Pillow warns about the damaged metadata these tests feed it on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _encoded(image: Image.Image, format_name: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def _seed_pictures() -> list[bytes]:
    gradient = np.add.outer(np.arange(48), np.arange(64)).astype(np.uint8) * 2
    rgb = Image.fromarray(np.dstack([gradient, gradient[::-1], 255 - gradient]))
    return [
        _encoded(rgb, "JPEG", quality=80),
        _encoded(rgb, "JPEG", quality=60, progressive=True),
        _encoded(rgb, "PNG"),
        _encoded(rgb.convert("P"), "GIF"),
        _encoded(rgb, "WEBP"),
        _encoded(rgb, "BMP"),
        _encoded(rgb, "TIFF", compression="tiff_deflate"),
    ]


SEEDS = _seed_pictures()


@st.composite
def mutated_pictures(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "byte", "cut", "insert"]))
        if kind == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[position] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[position : position + draw(st.integers(1, 64))]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        if not data:
            break
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_pictures())
def test_mutated_pictures_hash_or_raise_an_image_error(data: bytes) -> None:
    try:
        hash_image(data)
    except ImageError as refused:
        message = refused.message
    else:
        message = "hashed"
    assert message


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_raise_an_image_error(data: bytes) -> None:
    with pytest.raises(ImageError):
        hash_image(data)


@pytest.mark.parametrize(("width", "height"), [(16000, 60), (60, 16000), (20000, 300)])
@pytest.mark.parametrize("mode", ["P", "RGB", "L"])
def test_very_wide_or_tall_pictures_are_reduced_and_hash_faithfully(
    photos_dir: Path, width: int, height: int, mode: str
) -> None:
    # bench/fuzz_images.py found a 1.7 KB GIF of 65328 x 255 pixels that took 2.5 s to hash:
    # one axis too short to reduce the picture uniformly kept it at full size.
    smallest = min(photos_dir.iterdir(), key=lambda path: path.stat().st_size)
    with Image.open(smallest) as photo:
        image = photo.convert("RGB").resize((width, height)).convert(mode)
    data = _encoded(image, "PNG")
    picture = load_picture(data)
    assert picture.pixels.shape[0] * picture.pixels.shape[1] < width * height / 10
    reference = hash_pixels(np.asarray(image.convert("RGB")))
    assert reference.quality > 50
    assert hash_image(data).signal.hash.distance(reference.hash) <= 16


def test_the_corpus_of_odd_pictures_hashes_or_is_refused(odd_dir: Path) -> None:
    for path in sorted(odd_dir.iterdir()):
        with contextlib.suppress(ImageError):
            hash_image(path.read_bytes())
