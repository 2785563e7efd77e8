"""Region hashes: PDQ-compatible hashes of many parts of one picture at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stukje.hashing import hash_picture, load_picture
from stukje.hashing.regions import region_signals
from stukje.hashing.signal import PdqHash
from stukje.hashing.variants import MIRROR_MASK, _cut, hash_window, working_pixels

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
        apart.append(region.signal.hash.distance(pdq.hash))
        assert abs(region.signal.quality - pdq.quality) <= 10
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
    assert whole.signal.hash.distance(hash_picture(picture).signal.hash) <= 20


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
    assert flat_signal.signal.quality == 0
    assert flat_signal.lean == 0
    assert busy_signal is not None
    assert busy_signal.signal.quality == 100


def test_a_part_brighter_on_the_left_leans_left_and_its_mirror_the_other_way() -> None:
    ramp = np.linspace(250, 10, 128).astype(np.uint8)  # bright on the left
    pixels = np.ascontiguousarray(np.broadcast_to(ramp[None, :, None], (96, 128, 3)))
    [left] = region_signals(pixels, [(0, 0, 128, 96)])
    [right] = region_signals(np.ascontiguousarray(pixels[:, ::-1]), [(0, 0, 128, 96)])
    assert left is not None
    assert right is not None
    assert left.lean > 0.9  # nearly all of a ramp's detail is the left-right gradient
    assert right.lean == pytest.approx(-left.lean)


@pytest.mark.parametrize("name", PHOTOS)
def test_a_mirrored_part_has_the_opposite_lean_and_the_masked_code(
    photos_dir: Path, name: str
) -> None:
    """Code XOR MIRROR_MASK is the mirrored part's code within a few bits (the median moves)."""
    pixels = working_pixels(load_picture(photos_dir / name))
    mirrored = np.ascontiguousarray(pixels[:, ::-1])
    height, width = pixels.shape[:2]
    for a, b, c, d in PARTS:
        box = (a * width, b * height, c * width, d * height)
        mirrored_box = ((1 - c) * width, b * height, (1 - a) * width, d * height)
        [region] = region_signals(pixels, [box])
        [other] = region_signals(mirrored, [mirrored_box])
        assert region is not None
        assert other is not None
        assert other.lean == pytest.approx(-region.lean, abs=0.02)
        masked = PdqHash.from_int(int(region.signal.hash) ^ MIRROR_MASK)
        assert masked.distance(other.signal.hash) <= 24
        assert region.signal.hash.distance(other.signal.hash) > 31  # unmasked: no match
