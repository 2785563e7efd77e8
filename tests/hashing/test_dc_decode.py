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

from stukje.hashing._dc_decode import _assemble, dc_pixels
from stukje.hashing._progressive import dc_only_scans, scan_end
from stukje.hashing.decode import load_picture

I64 = npt.NDArray[np.int64]


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


def _first_marker(data: bytes, start: int) -> int:
    """The first 0xFF at or after ``start`` not followed by 0x00, a restart number or 0xFF."""
    for pos in range(start, len(data) - 1):
        following = data[pos + 1]
        if data[pos] == 0xFF and following not in (0, 0xFF) and not 0xD0 <= following <= 0xD7:
            return pos
    return len(data)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([0x00, 0xFF, 0xD0, 0xD7, 0xD9, 0xDA, 0x12, 0x80]), max_size=40),
    st.integers(0, 1200),
    st.integers(0, 1300),
)
def test_scan_end_finds_the_first_marker(tail: list[int], filler: int, start: int) -> None:
    # Mostly plain bytes with literal FF 00 pairs (what entropy-coded data looks like), long
    # enough to cross the search's 256-byte chunks, then anything.
    plain = bytes((7 * i) % 0xFF for i in range(filler))
    data = plain.replace(b"\xfe", b"\xff\x00") + bytes(tail)
    raw = np.frombuffer(data, dtype=np.uint8)
    start = min(start, len(data) + 2)
    assert scan_end(raw, start) == _first_marker(data, start)


def test_a_marker_at_every_offset_of_a_chunk_is_found() -> None:
    for at in range(0, 600, 7):
        data = bytearray(b"\x11\xff\x00" * 250)
        data[at : at + 2] = b"\xff\xc4"
        raw = np.frombuffer(bytes(data), dtype=np.uint8)
        assert scan_end(raw, 0) == _first_marker(bytes(data), 0) == at


def test_an_impossible_huffman_table_is_left_to_libjpeg(photo: npt.NDArray[np.uint8]) -> None:
    data = _progressive(photo, (160, 120), "RGB", quality=80)
    dht = data.index(b"\xff\xc4")
    assert data[dht + 4] >> 4 == 0  # the first table is a DC table
    counts = data[dht + 5 : dht + 21]
    assert sum(counts) > 3
    # Every code two bits long: more codes than two bits tell apart (libjpeg refuses the table).
    broken = data[: dht + 5] + bytes([0, sum(counts)] + [0] * 14) + data[dht + 21 :]
    assert dc_pixels(broken) is None


def _libjpeg_colours(luma: I64, cb: I64, cr: I64) -> npt.NDArray[np.uint8]:
    """libjpeg's YCbCr -> RGB through its tables (jdcolor.c), samples 0-255."""
    x = np.arange(256, dtype=np.int64) - 128
    fixed = [int(f * 65536 + 0.5) for f in (1.40200, 1.77200, 0.71414, 0.34414)]
    cr_r = (fixed[0] * x + 32768) >> 16
    cb_b = (fixed[1] * x + 32768) >> 16
    cr_g = -fixed[2] * x
    cb_g = -fixed[3] * x + 32768
    rgb = [luma + cr_r[cr], luma + ((cb_g[cb] + cr_g[cr]) >> 16), luma + cb_b[cb]]
    colours: npt.NDArray[np.uint8] = np.clip(np.stack(rgb, axis=-1), 0, 255).astype(np.uint8)
    return colours


@pytest.mark.parametrize("across", [0, 1])  # chroma samples cover 1 or 2 pixels across
@pytest.mark.parametrize("width", [255, 256])
def test_every_colour_converts_as_libjpeg_does(across: int, width: int) -> None:
    # Quantiser 8 makes a DC coefficient its sample - 128; each row has one chroma pair per
    # chroma sample, so all 256 x 256 (cb, cr) pairs come up, with luma 0-255 and beyond.
    height = 256
    columns = (width + across) >> across
    cb = np.broadcast_to(np.arange(columns) % 256, (height, columns))
    cr = np.broadcast_to(np.arange(height)[:, np.newaxis], (height, columns))
    luma = (np.arange(height * width).reshape(height, width) * 37) % 300 - 22
    blocks = np.zeros((3, height, width), dtype=np.int32)
    blocks[0] = np.clip(luma, 0, 255) - 128
    blocks[1, :, :columns] = cb - 128
    blocks[2, :, :columns] = cr - 128
    quantisers = np.full(3, 8, dtype=np.int64)
    shifts = np.array([[0, 0], [0, across], [0, across]], dtype=np.int64)
    out = np.empty((height, width, 3), dtype=np.uint8)
    _assemble(blocks, quantisers, shifts, out)
    column = np.arange(width) >> across
    expected = _libjpeg_colours(np.clip(luma, 0, 255), cb[:, column], cr[:, column])
    assert np.array_equal(out, expected)
