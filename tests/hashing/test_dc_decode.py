"""The DC-only progressive JPEG decoder gives libjpeg's 1/8-scale pixels, one for one."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from stukje.hashing._dc_decode import dc_pixels
from stukje.hashing._progressive import dc_only_scans
from stukje.hashing.decode import load_picture


def _libjpeg_dc(data: bytes) -> npt.NDArray[np.uint8]:
    """libjpeg's 1/8-scale decode of the same picture without its detail scans."""
    stripped = dc_only_scans(data)
    assert stripped is not None
    with Image.open(io.BytesIO(stripped)) as image:
        width, height = image.size
        image.draft(image.mode, (width // 8, height // 8))
        assert image.size == (-(-width // 8), -(-height // 8))
        return np.asarray(image)


def _progressive(
    pixels: npt.NDArray[np.uint8], size: tuple[int, int], mode: str, **options: Any
) -> bytes:
    image = Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR).convert(mode)
    out = io.BytesIO()
    image.save(out, "JPEG", progressive=True, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def photo(photos_dir: Path) -> npt.NDArray[np.uint8]:
    with Image.open(photos_dir / "Aqua.jpg") as image:
        image.draft("RGB", (640, 400))
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("subsampling", [0, 1, 2])  # 4:4:4, 4:2:2, 4:2:0
@pytest.mark.parametrize("size", [(1203, 805), (640, 480), (17, 9), (8, 8), (12, 70)])
def test_same_pixels_as_libjpeg(
    photo: npt.NDArray[np.uint8], mode: str, subsampling: int, size: tuple[int, int]
) -> None:
    data = _progressive(photo, size, mode, quality=85, subsampling=subsampling)
    pixels = dc_pixels(data)
    assert pixels is not None
    assert np.array_equal(pixels, _libjpeg_dc(data))


@pytest.mark.parametrize(
    "options",
    [{"restart_marker_blocks": 7}, {"restart_marker_rows": 1}, {"quality": 20}, {"quality": 100}],
)
def test_same_pixels_with_restart_markers_and_any_quality(
    photo: npt.NDArray[np.uint8], options: dict[str, Any]
) -> None:
    data = _progressive(photo, (999, 601), "RGB", **options)
    if "restart_marker_blocks" in options or "restart_marker_rows" in options:
        assert b"\xff\xdd" in data  # the file really has a restart interval
    pixels = dc_pixels(data)
    assert pixels is not None
    assert np.array_equal(pixels, _libjpeg_dc(data))


def test_same_pixels_on_a_large_progressive_photo(photos_dir: Path) -> None:
    # The corpus's 17.9 MP progressive photo (4:2:2, DC refined in a later scan).
    data = next(photos_dir.glob("Elephants*.jpg")).read_bytes()
    pixels = dc_pixels(data)
    assert pixels is not None
    assert pixels.shape == (397, 705, 3)
    assert np.array_equal(pixels, _libjpeg_dc(data))
    # and load_picture takes this path
    assert np.array_equal(load_picture(data).pixels, pixels)


def test_what_it_does_not_cover_is_left_to_libjpeg(photo: npt.NDArray[np.uint8]) -> None:
    baseline = io.BytesIO()
    Image.fromarray(photo).save(baseline, "JPEG")
    cmyk = io.BytesIO()
    Image.fromarray(photo).convert("CMYK").save(cmyk, "JPEG", progressive=True)
    for data in (baseline.getvalue(), cmyk.getvalue(), b"", b"\xff\xd8", b"not a jpeg"):
        assert dc_pixels(data) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_files_never_crash(photo: npt.NDArray[np.uint8], data: st.DataObject) -> None:
    original = bytearray(_progressive(photo, (160, 120), "RGB", quality=80))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(original) - 1))
        original[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(2, len(original)))
    pixels = dc_pixels(bytes(original[:cut]))
    if pixels is not None:
        assert pixels.dtype == np.uint8
        assert pixels.shape[2] == 3
