"""Region hashes: PDQ-compatible hashes of many parts of one picture at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stukje.hashing import hash_picture, load_picture
from stukje.hashing.regions import region_signals
from stukje.hashing.variants import _cut, hash_window, working_pixels

PHOTOS = ("opencv_fruits.jpg", "skimage_astronaut.png", "GreenMeadow.jpg", "opencv_graf1.png")
#: Parts of the picture, as shares of its width and height (left, top, right, bottom).
PARTS = (
    (0.0, 0.0, 1.0, 1.0),
    (0.05, 0.05, 0.95, 0.95),
    (0.0, 0.2, 0.8, 1.0),
    (0.13, 0.07, 0.78, 0.91),
    (0.3, 0.3, 0.7, 0.7),
)


@pytest.mark.parametrize("name", PHOTOS)
def test_a_region_hash_is_close_to_pdq_of_the_same_part(photos_dir: Path, name: str) -> None:
    pixels = working_pixels(load_picture(photos_dir / name))
    height, width = pixels.shape[:2]
    boxes = [
        (round(a * width), round(b * height), round(c * width), round(d * height))
        for a, b, c, d in PARTS
    ]
    regions = region_signals(pixels, boxes)
    apart = []
    for box, region in zip(boxes, regions, strict=True):
        assert region is not None
        pdq = hash_window(_cut(pixels, box))
        apart.append(region.hash.distance(pdq.hash))
        assert abs(region.quality - pdq.quality) <= 10
    # Unrelated hashes are ~128 bits apart; the match threshold is 31.
    assert max(apart) <= 20, apart
    assert np.mean(apart) <= 12, apart


@pytest.mark.parametrize("name", PHOTOS)
def test_the_whole_picture_region_is_near_the_plain_hash(photos_dir: Path, name: str) -> None:
    picture = load_picture(photos_dir / name)
    pixels = working_pixels(picture)
    height, width = pixels.shape[:2]
    [whole] = region_signals(pixels, [(0, 0, width, height)])
    assert whole is not None
    assert whole.hash.distance(hash_picture(picture).signal.hash) <= 20


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(64, 150),
    st.integers(64, 150),
    st.integers(0, 2**32 - 1),
)
def test_a_part_hashes_the_same_wherever_it_sits(
    left: int, top: int, width: int, height: int, seed: int
) -> None:
    """Only the part's own pixels count: the same part cut out hashes identically."""
    rng = np.random.default_rng(seed)
    picture = rng.integers(0, 256, (200, 200, 3), dtype=np.uint8)
    part = np.ascontiguousarray(picture[top : top + height, left : left + width])
    [inside] = region_signals(picture, [(left, top, left + width, top + height)])
    [alone] = region_signals(part, [(0, 0, width, height)])
    assert inside == alone


def test_parts_under_64_pixels_a_side_are_not_hashed() -> None:
    pixels = np.random.default_rng(1).integers(0, 256, (100, 100, 3), dtype=np.uint8)
    narrow, short, enough = region_signals(
        pixels, [(0, 0, 63, 100), (0, 0, 100, 63.4), (10.2, 0, 74.2, 64)]
    )
    assert narrow is None
    assert short is None
    assert enough is not None
    assert region_signals(pixels, []) == []


def test_a_flat_part_has_quality_zero_and_a_busy_one_full_quality() -> None:
    flat = np.full((128, 128, 3), 90, dtype=np.uint8)
    busy = np.random.default_rng(2).integers(0, 256, (128, 128, 3), dtype=np.uint8)
    [flat_signal] = region_signals(flat, [(0, 0, 128, 128)])
    [busy_signal] = region_signals(busy, [(0, 0, 128, 128)])
    assert flat_signal is not None
    assert flat_signal.quality == 0
    assert busy_signal is not None
    assert busy_signal.quality == 100
