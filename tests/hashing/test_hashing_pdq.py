"""PDQ conformance: exact on pixels, close on reduced decodes, orientation and formats."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from hashing.helpers import encode, rgb_pixels
from stukje.errors import UnsupportedFormatError
from stukje.hashing import (
    DIHEDRAL_NAMES,
    PdqHash,
    PdqSignal,
    hash_image,
    hash_picture,
    hash_pixels,
    load_picture,
)
from stukje.hashing.conformance import check_hasher

SMALL_PHOTOS = ("opencv_baboon.jpg", "skimage_astronaut.png", "opencv_fruits.jpg")
LARGE_PHOTO = "Aqua.jpg"  # 2560x1600, baseline JPEG


@pytest.fixture(scope="module", params=SMALL_PHOTOS)
def small_pixels(request: pytest.FixtureRequest, photos_dir: Path) -> npt.NDArray[np.uint8]:
    return rgb_pixels(photos_dir / request.param)


@pytest.fixture(scope="module")
def large_bytes(photos_dir: Path) -> bytes:
    return (photos_dir / LARGE_PHOTO).read_bytes()


def _pdqhash(pixels: npt.NDArray[np.uint8]) -> tuple[PdqHash, int]:
    vector, quality = pdqhash.compute(pixels)
    return PdqHash.from_bits(vector), int(quality)


def test_hash_pixels_equals_pdqhash_exactly(small_pixels: npt.NDArray[np.uint8]) -> None:
    expected, quality = _pdqhash(small_pixels)
    assert hash_pixels(small_pixels) == PdqSignal(expected, quality)
    assert hash_image(small_pixels).signal == PdqSignal(expected, quality)


@settings(max_examples=25, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(3))))
def test_hash_pixels_equals_pdqhash_on_any_array(pixels: npt.NDArray[np.uint8]) -> None:
    expected, quality = _pdqhash(pixels)
    signal = hash_pixels(pixels)
    assert (signal.hash, signal.quality) == (expected, quality)


def test_a_large_array_is_hashed_as_given(photos_dir: Path) -> None:
    pixels = rgb_pixels(photos_dir / "Aqua.jpg")
    assert hash_image(pixels).signal.hash == _pdqhash(pixels)[0]


def test_small_png_equals_pdqhash_of_its_pixels(small_pixels: npt.NDArray[np.uint8]) -> None:
    assert hash_image(encode(small_pixels, "PNG")).signal.hash == _pdqhash(small_pixels)[0]


def test_reduced_decode_stays_near_full_resolution(large_bytes: bytes) -> None:
    picture = load_picture(large_bytes)
    assert picture.reduced
    assert (picture.width, picture.height) == (2560, 1600)
    full = np.asarray(Image.open(io.BytesIO(large_bytes)).convert("RGB"))
    assert hash_picture(picture).signal.hash.distance(_pdqhash(full)[0]) <= 8


def test_the_conformance_kit_passes(small_pixels: npt.NDArray[np.uint8]) -> None:
    assert check_hasher(lambda data: hash_image(data).signal.hash, small_pixels) == []


@pytest.mark.slow
def test_the_conformance_kit_passes_on_a_large_photo(photos_dir: Path) -> None:
    pixels = rgb_pixels(photos_dir / "Aqua.jpg")
    assert check_hasher(lambda data: hash_image(data).signal.hash, pixels) == []


def test_the_kit_catches_a_hasher_that_ignores_orientation(
    small_pixels: npt.NDArray[np.uint8],
) -> None:
    def careless(data: bytes) -> PdqHash:
        with Image.open(io.BytesIO(data)) as image:
            return hash_pixels(np.asarray(image.convert("RGB"))).hash

    assert any("orientation" in problem for problem in check_hasher(careless, small_pixels))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_rotated_jpeg_of_a_large_photo_is_near_upright(
    orientation: int, large_bytes: bytes
) -> None:
    upright = np.asarray(Image.open(io.BytesIO(large_bytes)).convert("RGB"))
    stored = {
        2: np.fliplr(upright),
        3: np.rot90(upright, 2),
        4: np.flipud(upright),
        5: upright.transpose(1, 0, 2),
        6: np.rot90(upright, 1),
        7: np.rot90(upright, 2).transpose(1, 0, 2),
        8: np.rot90(upright, -1),
    }.get(orientation, upright)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(np.ascontiguousarray(stored), "JPEG", quality=95, exif=exif.tobytes())
    reference = hash_image(encode(upright, "JPEG", quality=95))
    result = hash_image(data)
    assert (result.width, result.height) == (2560, 1600)
    assert result.signal.hash.distance(reference.signal.hash) <= 4


def test_dihedral_hashes_follow_pdqhash_order(small_pixels: npt.NDArray[np.uint8]) -> None:
    result = hash_image(small_pixels, dihedral=True)
    assert result.dihedral is not None
    assert len(result.dihedral) == len(DIHEDRAL_NAMES) == 8
    vectors, quality = pdqhash.compute_dihedral(small_pixels)
    assert [s.hash for s in result.dihedral] == [PdqHash.from_bits(v) for v in vectors]
    assert result.dihedral[0] == result.signal
    # "transpose" is exact in PDQ: the hash of the transposed pixels.
    transposed = np.ascontiguousarray(small_pixels.transpose(1, 0, 2))
    assert result.dihedral[DIHEDRAL_NAMES.index("transpose")] == hash_pixels(transposed)
    assert all(s.quality == quality for s in result.dihedral)


@pytest.mark.parametrize(("quality", "low"), [(0, True), (49, True), (50, False), (100, False)])
def test_low_quality_is_flagged_not_dropped(quality: int, low: bool) -> None:
    assert PdqSignal(PdqHash(bytes(32)), quality).low_quality is low


def test_a_flat_picture_is_returned_flagged() -> None:
    result = hash_image(np.full((64, 64, 3), 128, dtype=np.uint8))
    assert result.signal.low_quality
    assert result.signal.quality < 50


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((10, 10, 3), dtype=np.float32),
        np.zeros((10, 10, 4), dtype=np.uint8),
        np.zeros((0, 10, 3), dtype=np.uint8),
    ],
)
def test_hash_pixels_rejects_wrong_arrays(pixels: npt.NDArray[np.generic]) -> None:
    with pytest.raises(UnsupportedFormatError):
        hash_pixels(pixels)
