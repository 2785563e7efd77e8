"""The compiled PDQ (stukje.hashing._pdq_kernel) against pdqhash: the same bits and quality.

Every comparison is exact: the 32 bytes of the hash (one bit off fails), the quality, and where
the coefficients are compared, their float32 bit patterns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash
import pytest
from PIL import Image

from hashing.helpers import rgb_pixels
from stukje.hashing import _pdq_kernel as kernel
from stukje.hashing.signal import PdqHash

Pixels = npt.NDArray[np.uint8]

#: Sizes (height, width): below, at and around the 5-pixel minimum, single rows and columns,
#: very wide and tall (box windows longer than the kernel's strips), the 64 x 64 shortcut and
#: its neighbours, the sides where the box window grows (128/129, 256/257), a few common ones,
#: and one large.
EDGE_SIZES = (
    *[(h, w) for h in range(1, 8) for w in range(1, 8)],
    (1, 300),
    (300, 1),
    (1, 64),
    (4, 500),
    (500, 4),
    (5, 1000),
    (1000, 5),
    (6, 3000),
    (3000, 6),
    (4300, 6),  # a window of 34 rows: more than a 16-row strip holds
    (8200, 9),
    (9, 8200),
    (9, 1300),
    (64, 64),
    (63, 64),
    (64, 63),
    (65, 65),
    (128, 128),
    (129, 129),
    (128, 257),
    (256, 129),
    (257, 256),
    (369, 384),
    (384, 384),
    (512, 512),
    (768, 1024),
)


def _random_sizes(count: int, seed: int) -> list[tuple[int, int]]:
    """A third small (1-40 a side), a third middling (5-520), a third long and thin."""
    rng = np.random.default_rng(seed)
    small = rng.integers(1, 41, size=(count // 3, 2))
    middling = rng.integers(5, 521, size=(count // 3, 2))
    thin = np.c_[rng.integers(1, 25, count // 3), rng.integers(100, 2500, count // 3)]
    thin[::2] = thin[::2, ::-1]  # half of them tall
    return [(int(h), int(w)) for h, w in np.concatenate([small, middling, thin])]


RANDOM_SIZES = _random_sizes(300, seed=20240601)


def _expected(pixels: Pixels) -> tuple[bytes, int]:
    vector, quality = pdqhash.compute(pixels)
    return PdqHash.from_bits(vector).value, int(quality)


def _expected_dihedral(pixels: Pixels) -> tuple[tuple[bytes, ...], int]:
    vectors, quality = pdqhash.compute_dihedral(pixels)
    return tuple(PdqHash.from_bits(vector).value for vector in vectors), int(quality)


def _assert_same(pixels: Pixels, label: str, *, dihedral: bool = True) -> None:
    code, quality = kernel.pdq_bits(pixels)
    want_code, want_quality = _expected(pixels)
    assert (code.hex(), quality) == (want_code.hex(), want_quality), label
    if dihedral:
        codes, quality = kernel.pdq_dihedral_bits(pixels)
        want_codes, want_quality = _expected_dihedral(pixels)
        assert ([c.hex() for c in codes], quality) == (
            [c.hex() for c in want_codes],
            want_quality,
        ), label


def _noise(height: int, width: int, seed: int) -> Pixels:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


# ---------------------------------------------------------------- random noise


@pytest.mark.parametrize(("height", "width"), EDGE_SIZES, ids=lambda v: str(v))
def test_noise_at_edge_sizes(height: int, width: int) -> None:
    _assert_same(_noise(height, width, height * 10007 + width), f"{height}x{width}")


def test_noise_at_random_sizes() -> None:
    for index, (height, width) in enumerate(RANDOM_SIZES):
        _assert_same(_noise(height, width, index), f"{height}x{width} (#{index})")


def test_low_contrast_noise_spans_qualities() -> None:
    rng = np.random.default_rng(7)
    qualities = set()
    for spread in (1, 2, 3, 4, 6, 8, 12):
        for height, width in ((100, 140), (333, 250), (64, 64)):
            pixels = rng.integers(100, 100 + spread, (height, width, 3), dtype=np.uint8)
            _assert_same(pixels, f"spread {spread} at {height}x{width}")
            qualities.add(kernel.pdq_bits(pixels)[1])
    assert len(qualities) >= 5  # the quality is compared across its range, not only at 100


# ---------------------------------------------------------------- ties


def _gradients(height: int, width: int) -> Iterator[tuple[str, Pixels]]:
    ys = np.linspace(0, 255, height)[:, np.newaxis]
    xs = np.linspace(0, 255, width)[np.newaxis, :]
    planes = {
        "horizontal": np.broadcast_to(xs, (height, width)),
        "vertical": np.broadcast_to(ys, (height, width)),
        "diagonal": (xs + ys) / 2,
        "steps": np.floor(xs / 32) * 32 + np.zeros_like(ys),
        "radial": np.hypot(xs - 128, ys - 128).clip(0, 255),
    }
    for name, plane in planes.items():
        grey = plane.astype(np.uint8)
        yield name, np.stack([grey, grey, grey], axis=2)
        yield f"{name} coloured", np.stack([grey, 255 - grey, grey // 2], axis=2)


@pytest.mark.parametrize(
    ("height", "width"), [(5, 5), (37, 200), (64, 64), (100, 100), (255, 300), (384, 369)]
)
def test_smooth_gradients(height: int, width: int) -> None:
    for name, pixels in _gradients(height, width):
        _assert_same(np.ascontiguousarray(pixels), f"{name} {height}x{width}")


@pytest.mark.parametrize(("height", "width"), [(5, 9), (64, 64), (200, 131), (384, 384)])
def test_flat_pictures(height: int, width: int) -> None:
    for colour in ((0, 0, 0), (255, 255, 255), (128, 128, 128), (13, 200, 77)):
        pixels = np.empty((height, width, 3), dtype=np.uint8)
        pixels[:] = colour
        _assert_same(pixels, f"{colour} at {height}x{width}")
        assert kernel.pdq_bits(pixels)[1] == 0


@pytest.mark.parametrize("side", [64, 65, 128, 200])
def test_blocky_pictures(side: int) -> None:
    # Constant 8 x 8 blocks: many coefficients are nearly zero, so rounding noise decides them.
    rng = np.random.default_rng(side)
    for _ in range(6):
        blocks = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        pixels = np.repeat(np.repeat(blocks, 8, axis=0), 8, axis=1)
        pixels = np.ascontiguousarray(np.resize(pixels, (side, side, 3)))
        _assert_same(pixels, f"blocks at {side}")


def test_64_by_64_as_pdqhash_compute_and_compute_dihedral_differ() -> None:
    # pdqhash.compute takes a 64 x 64 picture as its grid; compute_dihedral still blurs it (a
    # window of 1 that rounds), and on blocky pictures that shows in the bits.
    blocks = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    pixels = np.repeat(np.repeat(blocks, 8, axis=0), 8, axis=1)
    plain, _ = _expected(pixels)
    dihedral, _ = _expected_dihedral(pixels)
    assert plain != dihedral[0]
    assert kernel.pdq_bits(pixels)[0] == plain
    assert kernel.pdq_dihedral_bits(pixels)[0][0] == dihedral[0]


def test_quality_rounds_in_float32() -> None:
    # Two halves whose luma differ by 86.7: ((u - v) * 100) / 255 is 34.0 in float32 and
    # 33.99... in double, so 64 such neighbours make quality 24 where double would make 23.
    first, second = (113, 245, 244), (159, 103, 94)
    luma = [np.float32(np.dot(c, (299, 587, 114))) / np.float32(1000) for c in (first, second)]
    in_double = int((float(luma[0]) - float(luma[1])) * 100 / 255)
    assert 64 * in_double // 90 == 23
    side_by_side = np.empty((64, 64, 3), dtype=np.uint8)
    side_by_side[:, :32], side_by_side[:, 32:] = first, second
    for pixels in (side_by_side, np.ascontiguousarray(side_by_side.transpose(1, 0, 2))):
        assert kernel.pdq_bits(pixels)[1] == 24
        _assert_same(pixels, "two halves")


def test_grey_repeated_into_rgb() -> None:
    # stukje's hash_pixels repeats an (H, W) grey picture into 3 channels.
    rng = np.random.default_rng(11)
    for height, width in ((5, 5), (64, 64), (99, 301), (384, 369)):
        grey = rng.integers(0, 256, (height, width), dtype=np.uint8)
        _assert_same(np.repeat(grey[:, :, np.newaxis], 3, axis=2), f"grey {height}x{width}")


# ---------------------------------------------------------------- photos


def _photos(photos_dir: Path, most_pixels: int) -> list[Path]:
    paths = []
    for path in sorted(photos_dir.iterdir()):
        with Image.open(path) as image:
            if image.width * image.height <= most_pixels:
                paths.append(path)
    return paths


def test_corpus_photos_at_several_sizes(photos_dir: Path) -> None:
    photos = _photos(photos_dir, 1_000_000)
    assert len(photos) >= 40
    for path in photos:
        pixels = rgb_pixels(path)
        height, width = pixels.shape[:2]
        _assert_same(pixels, f"{path.name} {width}x{height}", dihedral=False)
        picture = Image.fromarray(pixels)
        for size in ((384, round(384 * height / width)), (64, 64), (150, 97), (31, 200)):
            resized = np.asarray(picture.resize(size, Image.Resampling.BILINEAR))
            _assert_same(resized, f"{path.name} at {size}")


def test_large_corpus_photo_at_full_size(photos_dir: Path) -> None:
    _assert_same(rgb_pixels(photos_dir / "Aqua.jpg"), "Aqua.jpg 2560x1600", dihedral=False)


# ---------------------------------------------------------------- the steps


@pytest.mark.parametrize(("height", "width"), [(5, 5), (64, 64), (64, 65), (301, 97), (384, 369)])
def test_coefficients_are_pdqhash_floats_bit_for_bit(height: int, width: int) -> None:
    for seed in range(3):
        pixels = _noise(height, width, seed)
        floats, quality = pdqhash.compute_float(pixels)
        want = np.asarray(floats, dtype=np.float64)[::-1].astype(np.float32)
        assert np.array_equal(np.asarray(floats)[::-1], want)  # pdqhash's floats are float32
        coefficients, got_quality = kernel.pdq_coefficients(pixels)
        assert coefficients.dtype == np.float32
        assert coefficients.view(np.uint32).tolist() == want.view(np.uint32).tolist()
        assert got_quality == quality


def test_luma_of_every_colour_is_pdqhash_luma() -> None:
    # pdqhash's luma: 0.299 R + 0.587 G + 0.114 B in double precision, rounded to float32.
    for red in range(0, 256, 16):  # 16 reds at a time: all 2**24 colours in 16 parts
        colours = np.arange(red << 16, (red + 16) << 16, dtype=np.uint32)
        rgb = np.empty((colours.size, 3), dtype=np.uint8)
        rgb[:, 0], rgb[:, 1], rgb[:, 2] = colours >> 16, (colours >> 8) & 255, colours & 255
        got = np.empty(colours.size, dtype=np.float32)
        kernel._luma_row(rgb.reshape(-1), got)
        r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
        want = (r * 0.299 + g * 0.587 + b * 0.114).astype(np.float32)
        assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), red


def test_median_is_the_128th_smallest() -> None:
    rng = np.random.default_rng(3)
    cases = [
        rng.standard_normal(256),
        rng.integers(-3, 4, 256),  # many ties
        np.zeros(256),
        np.r_[np.full(128, -0.0), np.full(128, 0.0)],
        np.arange(256)[::-1],
        np.r_[np.ones(127), np.full(129, 2.0)],
    ]
    for values in cases:
        array = np.asarray(values, dtype=np.float32)
        assert kernel._kth_smallest(array.copy(), 127) == np.sort(array)[127]


def test_bit_order_is_pdqhash_vector_order() -> None:
    # One coefficient above the others' median at a time: bit k = 16 i + j, packed as
    # PdqHash.from_bits packs pdqhash's vector (its first element is bit 255).
    for k in (0, 1, 7, 8, 15, 16, 127, 128, 254, 255):
        coefficients = np.zeros((16, 16), dtype=np.float32)
        coefficients.ravel()[k] = 1.0
        vector = np.zeros(256, dtype=np.uint8)
        vector[255 - k] = 1
        assert kernel._code(coefficients).tobytes() == PdqHash.from_bits(vector).value


# ---------------------------------------------------------------- input


def test_small_pictures_hash_to_zero() -> None:
    for shape in ((0, 0, 3), (0, 9, 3), (4, 4, 3), (4, 1000, 3), (1000, 4, 3)):
        pixels = np.full(shape, 200, dtype=np.uint8)
        assert kernel.pdq_bits(pixels) == (bytes(32), 0)
        assert kernel.pdq_dihedral_bits(pixels) == ((bytes(32),) * 8, 0)


def test_strided_and_read_only_input() -> None:
    pixels = _noise(200, 300, 5)
    strided = pixels[::2, ::3]
    assert not strided.flags.c_contiguous
    assert kernel.pdq_bits(strided) == _expected(np.ascontiguousarray(strided))
    frozen = pixels.copy()
    frozen.flags.writeable = False
    assert kernel.pdq_bits(frozen) == _expected(pixels)
    assert pixels.flags.writeable  # the caller's array is left as it was


@pytest.mark.parametrize(
    ("shape", "dtype"),
    [((10, 10), np.uint8), ((10, 10, 4), np.uint8), ((10, 10, 3), np.float32), ((30,), np.uint8)],
)
def test_rejects_other_than_rgb_bytes(shape: tuple[int, ...], dtype: type[np.generic]) -> None:
    with pytest.raises(ValueError, match="uint8"):
        kernel.pdq_bits(np.zeros(shape, dtype=dtype))
