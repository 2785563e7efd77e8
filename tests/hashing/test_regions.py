"""Region hashes: PDQ-compatible hashes of many parts of one picture at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stukje.hashing import hash_picture, load_picture
from stukje.hashing.regions import region_signals
from stukje.hashing.variants import _cut, _oriented, _transposed, hash_window, working_pixels

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
    assert (flat_signal.left, flat_signal.top, flat_signal.across) == (0, 0, 0)
    assert busy_signal is not None
    assert busy_signal.signal.quality == 100


def test_leans_say_which_side_is_brighter_and_which_way_the_picture_varies() -> None:
    ramp = np.linspace(250, 10, 128).astype(np.uint8)  # bright on the left, same down
    pixels = np.ascontiguousarray(np.broadcast_to(ramp[None, :, None], (96, 128, 3)))
    [left] = region_signals(pixels, [(0, 0, 128, 96)])
    [right] = region_signals(np.ascontiguousarray(pixels[:, ::-1]), [(0, 0, 128, 96)])
    [down] = region_signals(np.ascontiguousarray(pixels.transpose(1, 0, 2)), [(0, 0, 96, 128)])
    assert left is not None
    assert right is not None
    assert down is not None
    assert left.left > 0.9  # nearly all of a ramp's detail is the left-right gradient
    assert left.top == pytest.approx(0, abs=1e-9)
    assert left.across == pytest.approx(1)
    assert right.left == pytest.approx(-left.left)
    assert (down.left, down.top, down.across) == pytest.approx((0, left.left, -1), abs=1e-9)


#: Each way of turning a part: its pixels, its box in the turned picture, and the orientation
#: (stukje.hashing.variants) that turns the original's code into it.
Part = tuple[float, float, float, float]
TURNS: dict[
    str, tuple[Callable[[npt.NDArray[np.uint8]], npt.NDArray[np.uint8]], Callable[..., Part], int]
] = {
    "mirror": (lambda p: p[:, ::-1], lambda a, b, c, d: (1 - c, b, 1 - a, d), 1),
    "flip": (lambda p: p[::-1], lambda a, b, c, d: (a, 1 - d, c, 1 - b), 2),
    "transpose": (lambda p: p.transpose(1, 0, 2), lambda a, b, c, d: (b, a, d, c), 4),
    "rotate 180": (lambda p: p[::-1, ::-1], lambda a, b, c, d: (1 - c, 1 - d, 1 - a, 1 - b), 3),
}


@pytest.mark.parametrize("turn", TURNS)
@pytest.mark.parametrize("name", PHOTOS)
def test_a_turned_part_has_the_turned_leans_and_the_turned_code(
    photos_dir: Path, name: str, turn: str
) -> None:
    """A flip changes a lean's sign, a transpose swaps left and top and negates across; the code
    turned by bit operations is the turned part's code within a few bits (flips move the median;
    a transpose moves bits exactly)."""
    pixels = working_pixels(load_picture(photos_dir / name))
    change, move, orientation = TURNS[turn]
    turned = np.ascontiguousarray(change(pixels))
    height, width = pixels.shape[:2]
    for part in PARTS:
        a, b, c, d = part
        [region] = region_signals(pixels, [(a * width, b * height, c * width, d * height)])
        x0, y0, x1, y1 = move(*part)
        scale = (height, width) if turn == "transpose" else (width, height)
        box = (x0 * scale[0], y0 * scale[1], x1 * scale[0], y1 * scale[1])
        [other] = region_signals(turned, [box])
        assert region is not None
        assert other is not None
        left, top, across = region.left, region.top, region.across
        if orientation & 4:
            left, top, across = top, left, -across
        if orientation & 2:
            top = -top
        if orientation & 1:
            left = -left
        assert (other.left, other.top, other.across) == pytest.approx((left, top, across), abs=0.03)
        [transposed] = _transposed([region.signal.hash])
        code = _oriented(region.signal.hash, transposed, orientation)
        assert code.distance(other.signal.hash) <= (0 if turn == "transpose" else 24)
        assert region.signal.hash.distance(other.signal.hash) > 31  # unturned: no match
