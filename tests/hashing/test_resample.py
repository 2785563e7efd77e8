"""stukje.hashing._resample.resize against Pillow's resize: the same bytes, every one of them.

Sizes come from a seeded generator (a few hundred pairs a filter): both ways of each axis, one
axis kept, tiny pictures, large shrinks, and the sizes around Pillow 13's pass-order rule; the
pixels are noise, flat extremes (where rounding could overflow) and corpus photos.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from hashing.helpers import rgb_pixels
from stukje.hashing._resample import resize

Filter = Literal["bilinear", "box"]
Case = tuple[int, int, int, int]  # width, height -> out width, out height
FILTERS: dict[Filter, Image.Resampling] = {
    "bilinear": Image.Resampling.BILINEAR,
    "box": Image.Resampling.BOX,
}


def assert_as_pillow(pixels: npt.NDArray[np.uint8], size: tuple[int, int], filter: Filter) -> None:
    """Fails when one byte (or the shape) differs from Pillow's resize of the same pixels."""
    want = np.asarray(Image.fromarray(pixels).resize(size, FILTERS[filter]))
    got = resize(pixels, size, filter)
    height, width = pixels.shape[:2]
    case = f"{width}x{height} -> {size[0]}x{size[1]} {filter}"
    assert got.dtype == np.uint8, case
    assert got.shape == want.shape, case
    if got.tobytes() != want.tobytes():
        first = np.argwhere(got != want)[0]
        differ = np.count_nonzero(got != want)
        pytest.fail(f"{case}: {differ} bytes differ, first at {first.tolist()}")


def _sides(rng: np.random.Generator, low: int, high: int, n: int) -> list[int]:
    return [int(v) for v in rng.integers(low, high + 1, n)]


def random_cases(rng: np.random.Generator) -> list[Case]:
    """Any mix of shrinking and enlarging, each axis on its own."""
    w, h, ow, oh = (_sides(rng, 1, 160, 120) for _ in range(4))
    return list(zip(w, h, ow, oh, strict=True))


def one_axis_cases(rng: np.random.Generator) -> list[Case]:
    """One pass only: the width or the height kept."""
    w, h, out = (_sides(rng, 1, 200, 60) for _ in range(3))
    keep_width = [(a, b, a, c) for a, b, c in zip(w[:30], h[:30], out[:30], strict=True)]
    keep_height = [(a, b, c, b) for a, b, c in zip(w[30:], h[30:], out[30:], strict=True)]
    return keep_width + keep_height


def enlarge_cases(rng: np.random.Generator) -> list[Case]:
    """Both axes grow, up to 30-fold (a small crop enlarged to a hashing window)."""
    w, h = _sides(rng, 1, 40, 40), _sides(rng, 1, 40, 40)
    grow = rng.uniform(1.0, 30.0, (40, 2))
    return [
        (a, b, max(a + 1, round(a * g[0])), max(b + 1, round(b * g[1])))
        for a, b, g in zip(w, h, grow, strict=True)
    ]


def order_cases(rng: np.random.Generator) -> list[Case]:
    """Both axes shrink, the height losing about twice the pixels the width loses: Pillow 13
    runs the vertical pass first just past that line, and the order shows in the rounding."""
    cases = []
    for width, height in zip(_sides(rng, 20, 300, 60), _sides(rng, 60, 400, 60), strict=True):
        width_loss = int(rng.integers(1, min(width, (height - 1) // 2 + 2)))
        height_loss = 2 * width_loss + int(rng.integers(-2, 3))
        if 0 < height_loss < height:
            cases.append((width, height, width - width_loss, height - height_loss))
    return cases


def tiny_cases(rng: np.random.Generator) -> list[Case]:
    """1 x 1, 1 x N and N x 1 pictures and outputs, and a few pixels either way."""
    fixed = [
        (1, 1, 1, 1),
        (1, 1, 7, 5),
        (1, 1, 1, 9),
        (1, 9, 1, 1),
        (9, 1, 1, 1),
        (2, 2, 1, 1),
        (1, 50, 3, 7),
        (50, 1, 7, 3),
        (1, 37, 37, 1),
        (3, 1, 1, 2),
        (2, 3, 3, 2),
    ]
    sides = [_sides(rng, 1, 4, 40) for _ in range(4)]
    return fixed + list(zip(*sides, strict=True))


def shrink_cases(rng: np.random.Generator) -> list[Case]:
    """Large factors: 10- to 400-fold, so each output reads many inputs."""
    fixed = [(1200, 9, 3, 1), (7, 1000, 2, 3), (900, 700, 2, 1), (640, 480, 1, 1)]
    w, h = _sides(rng, 100, 800, 12), _sides(rng, 100, 800, 12)
    return fixed + [
        (a, b, max(1, a // int(rng.integers(10, 60))), max(1, b // int(rng.integers(10, 60))))
        for a, b in zip(w, h, strict=True)
    ]


GROUPS: dict[str, Callable[[np.random.Generator], list[Case]]] = {
    "random": random_cases,
    "one-axis": one_axis_cases,
    "enlarge": enlarge_cases,
    "pass-order": order_cases,
    "tiny": tiny_cases,
    "large-shrink": shrink_cases,
}


@pytest.mark.parametrize("filter", list(FILTERS))
@pytest.mark.parametrize("group", list(GROUPS))
def test_noise_is_resized_as_pillow_does(group: str, filter: Filter) -> None:
    rng = np.random.default_rng([list(GROUPS).index(group), list(FILTERS).index(filter)])
    cases = GROUPS[group](rng)
    assert len(cases) >= 15
    for width, height, out_width, out_height in cases:
        pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        assert_as_pillow(pixels, (out_width, out_height), filter)


@pytest.mark.parametrize("filter", list(FILTERS))
def test_flat_extremes_and_hard_edges(filter: Filter) -> None:
    """White everywhere (the weights' rounding could carry a sum past 255), black, and a
    black and white checkerboard."""
    rng = np.random.default_rng(5)
    for width, height, out_width, out_height in random_cases(rng)[:40]:
        rows, columns = np.indices((height, width))
        checker = np.where((rows + columns) % 2 == 0, 255, 0).astype(np.uint8)
        for plane in (np.full((height, width), 255, np.uint8), checker):
            pixels = np.repeat(plane[:, :, np.newaxis], 3, axis=2)
            assert_as_pillow(pixels, (out_width, out_height), filter)
        black = np.zeros((height, width, 3), np.uint8)
        assert_as_pillow(black, (out_width, out_height), filter)


def test_the_guard_sizes() -> None:
    """The resizes on the hashing path: PDQ's input, the working picture, a hashing window."""
    rng = np.random.default_rng(6)
    sizes: list[tuple[int, int, tuple[int, int], Filter]] = [
        (640, 400, (384, 369), "bilinear"),
        (640, 480, (591, 443), "box"),
        (300, 200, (384, 384), "bilinear"),
        (380, 608, (384, 384), "bilinear"),  # a portrait crop: the vertical pass first
        (400, 700, (384, 384), "bilinear"),
    ]
    for width, height, size, filter in sizes:
        pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        assert_as_pillow(pixels, size, filter)


@pytest.mark.parametrize("name", ["Garden.jpg", "opencv_fruits.jpg"])
def test_corpus_photos(photos_dir: Path, name: str) -> None:
    photo = rgb_pixels(photos_dir / name)
    height, width = photo.shape[:2]
    crop = photo[height // 4 : height // 4 + 200, width // 3 : width // 3 + 300]
    assert not crop.flags.c_contiguous  # a view into the photo, as a hashing window is
    assert_as_pillow(photo, (width // 4, height // 4), "box")
    assert_as_pillow(photo, (384, 369), "bilinear")
    assert_as_pillow(photo, (width * 2 // 3, height), "bilinear")
    assert_as_pillow(crop, (384, 384), "bilinear")
    assert_as_pillow(crop, (301, 517), "box")
    assert_as_pillow(crop, (299, 150), "box")


def test_same_size_is_a_copy() -> None:
    pixels = np.random.default_rng(7).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    out = resize(pixels, (4, 5), "bilinear")
    assert out.tobytes() == pixels.tobytes()
    assert not np.shares_memory(out, pixels)


@pytest.mark.parametrize(
    ("pixels", "size", "filter"),
    [
        (np.zeros((4, 4), np.uint8), (2, 2), "box"),
        (np.zeros((4, 4, 4), np.uint8), (2, 2), "box"),
        (np.zeros((4, 4, 3), np.float32), (2, 2), "box"),
        (np.zeros((4, 4, 3), np.uint8), (0, 2), "box"),
        (np.zeros((4, 4, 3), np.uint8), (2, 2), "lanczos"),
    ],
)
def test_what_it_refuses(
    pixels: npt.NDArray[np.uint8], size: tuple[int, int], filter: Filter
) -> None:
    with pytest.raises(ValueError, match="resize"):
        resize(pixels, size, filter)
