"""Decoding: sources, formats, modes, alpha flattening, and every kind of bad input."""

from __future__ import annotations

import contextlib
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from hashing.helpers import encode, rgb_pixels
from stukje.config import Settings
from stukje.errors import (
    CorruptImageError,
    EmptyImageError,
    ImageError,
    ImageTooLargeError,
    TooManyPixelsError,
    UnsupportedFormatError,
)
from stukje.hashing import ImageLimits, hash_image, load_picture, pdq_target_size
from stukje.hashing._progressive import dc_only_scans
from stukje.hashing.decode import _dc_only

FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF"]


@pytest.fixture(scope="module")
def pixels(photos_dir: Path) -> npt.NDArray[np.uint8]:
    return rgb_pixels(photos_dir / "opencv_fruits.jpg")


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_decodes(fmt: str, pixels: npt.NDArray[np.uint8]) -> None:
    picture = load_picture(encode(pixels, fmt))
    assert picture.pixels.dtype == np.uint8
    assert picture.pixels.shape == (*pixels.shape[:2], 3)
    assert picture.format == fmt


def test_heic_decodes(pixels: npt.NDArray[np.uint8]) -> None:
    from pillow_heif import from_pillow

    buffer = io.BytesIO()
    from_pillow(Image.fromarray(pixels)).save(buffer, quality=90)
    picture = load_picture(buffer.getvalue())
    assert picture.format == "HEIF"
    assert picture.pixels.shape == pixels.shape


def test_every_source_kind_gives_the_same_picture(
    tmp_path: Path, pixels: npt.NDArray[np.uint8]
) -> None:
    data = encode(pixels, "PNG")
    path = tmp_path / "photo.png"
    path.write_bytes(data)
    expected = hash_image(data).signal
    sources: list[object] = [data, bytearray(data), path, str(path), io.BytesIO(data)]
    sources.append(Image.open(io.BytesIO(data)))
    for source in sources:
        assert hash_image(source).signal == expected  # type: ignore[arg-type]


def test_gif_uses_its_first_frame(pixels: npt.NDArray[np.uint8]) -> None:
    frames = [Image.fromarray(pixels), Image.fromarray(255 - pixels)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    first = hash_image(encode(pixels, "GIF")).signal.hash
    assert hash_image(buffer.getvalue()).signal.hash.distance(first) <= 4


def test_alpha_is_flattened_onto_white() -> None:
    rgba = np.zeros((40, 40, 4), dtype=np.uint8)
    rgba[:, :20] = (0, 0, 0, 255)  # opaque black left half; the right half is transparent black
    picture = load_picture(encode(rgba, "PNG"))
    assert picture.pixels[:, :20].max() == 0
    assert picture.pixels[:, 20:].min() == 255


@pytest.mark.parametrize("mode", ["L", "LA", "P", "PA", "RGBA", "CMYK", "1", "I;16", "I", "F"])
def test_every_mode_becomes_rgb(mode: str, pixels: npt.NDArray[np.uint8]) -> None:
    image = Image.fromarray(pixels).convert("RGBA" if mode == "PA" else mode)
    if mode == "PA":
        image = image.convert("P").convert("PA")
    picture = load_picture(image)
    assert picture.pixels.shape == (*pixels.shape[:2], 3)
    assert picture.pixels.dtype == np.uint8


@pytest.mark.parametrize(
    "name", ["chessboard_GRAY_U16.tif", "green_palette.png", "palette_color.png"]
)
def test_odd_corpus_files_decode(name: str, odd_dir: Path) -> None:
    picture = load_picture(odd_dir / name)
    assert picture.pixels.ndim == 3
    assert picture.pixels.max() > 0  # 8-bit data in a 16-bit container is not crushed to black


def test_sixteen_bit_grey_keeps_its_top_byte() -> None:
    grey = (np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16).astype(np.uint16)
    picture = load_picture(Image.fromarray(grey))
    assert np.array_equal(picture.pixels[:, :, 0], (grey >> 8).astype(np.uint8))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyImageError),
        (b"hello, this is text and not a picture", UnsupportedFormatError),
        (b"%PDF-1.7\n" + bytes(100), UnsupportedFormatError),
        (b"\xff\xd8\xff\xe0" + bytes(20), CorruptImageError),
        (b"\x89PNG\r\n\x1a\n" + bytes(30), CorruptImageError),
    ],
)
def test_bad_bytes_raise_specific_errors(data: bytes, error: type[ImageError]) -> None:
    with pytest.raises(error) as caught:
        hash_image(data)
    assert caught.value.message  # a sentence for a person


def test_truncated_jpeg_from_the_corpus_is_corrupt(odd_dir: Path) -> None:
    with pytest.raises(CorruptImageError):
        hash_image(odd_dir / "truncated.jpg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("keep", [0.3, 0.7])
def test_cut_off_files_are_corrupt(fmt: str, keep: float, pixels: npt.NDArray[np.uint8]) -> None:
    data = encode(pixels, fmt)
    with pytest.raises(CorruptImageError):
        hash_image(data[: int(len(data) * keep)])


def test_flipped_bytes_never_crash(pixels: npt.NDArray[np.uint8]) -> None:
    data = bytearray(encode(pixels, "PNG"))
    rng = np.random.default_rng(7)
    for _ in range(20):
        damaged = bytearray(data)
        for index in rng.integers(8, len(damaged), size=5):
            damaged[index] ^= 0xFF
        with contextlib.suppress(ImageError):  # any other exception fails the test
            hash_image(bytes(damaged))


def test_size_limit(pixels: npt.NDArray[np.uint8], tmp_path: Path) -> None:
    data = encode(pixels, "PNG")
    limits = ImageLimits(max_bytes=len(data) - 1)
    path = tmp_path / "big.png"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        with pytest.raises(ImageTooLargeError, match="limit"):
            hash_image(source, limits=limits)
    assert hash_image(data, limits=ImageLimits(max_bytes=len(data)))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height but has (almost) no pixel data: a bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (100_000, 100_000)])
def test_pixel_limit_is_checked_on_the_header(width: int, height: int) -> None:
    with pytest.raises(TooManyPixelsError, match="decompression bomb"):
        hash_image(_png_header_only(width, height))


def test_pixel_limit_from_settings(pixels: npt.NDArray[np.uint8]) -> None:
    limits = ImageLimits.from_settings(Settings(max_image_pixels=100, max_image_bytes=10))
    assert limits == ImageLimits(max_bytes=10, max_pixels=100)
    with pytest.raises(TooManyPixelsError):
        hash_image(encode(pixels, "PNG"), limits=ImageLimits(max_pixels=100))
    with pytest.raises(TooManyPixelsError):
        hash_image(pixels, limits=ImageLimits(max_pixels=100))


@pytest.mark.parametrize("fmt", ["ICO", "PPM", "TGA", "PCX"])
def test_formats_pillow_reads_but_stukje_does_not(fmt: str) -> None:
    image = np.zeros((16, 16, 3), dtype=np.uint8)
    with pytest.raises(UnsupportedFormatError, match="not a picture stukje reads"):
        hash_image(encode(image, fmt))


def test_a_missing_path_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        hash_image(tmp_path / "absent.jpg")


@pytest.mark.parametrize(("size", "target"), [(100, 100), (384, 384), (2560, 384), (1600, 369)])
def test_pdq_target_size(size: int, target: int) -> None:
    assert pdq_target_size(size, size)[0] == target


def _progressive_4000x3000(
    pixels: npt.NDArray[np.uint8], mode: str, subsampling: int
) -> tuple[bytes, bytes]:
    """A progressive JPEG that decodes at 1/8 scale (where the DC-only fast path applies), and
    the same picture as a baseline JPEG."""
    big = np.asarray(
        Image.fromarray(pixels).resize((4000, 3000), Image.Resampling.BICUBIC).convert(mode)
    )
    options = {"quality": 95, "subsampling": subsampling}
    return encode(big, "JPEG", progressive=True, **options), encode(big, "JPEG", **options)


def _full_and_fast(data: bytes, mode: str) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    size = pdq_target_size(4000, 3000)
    with Image.open(io.BytesIO(data)) as image:
        image.draft(mode, size)
        assert image.size == (500, 375)  # 1/8 scale
        full = np.asarray(image, dtype=np.int16)
    fast = _dc_only(data, mode, size)
    assert fast is not None
    return full, np.asarray(fast, dtype=np.int16)


@pytest.mark.parametrize(("mode", "subsampling"), [("RGB", 1), ("RGB", 0), ("L", 0)])
def test_progressive_jpeg_fast_path_decodes_what_the_full_decode_does(
    pixels: npt.NDArray[np.uint8], mode: str, subsampling: int
) -> None:
    data, baseline = _progressive_4000x3000(pixels, mode, subsampling)
    stripped = dc_only_scans(data)
    assert stripped is not None
    assert len(stripped) < len(data)
    full, fast = _full_and_fast(data, mode)
    assert np.array_equal(fast, full)
    assert hash_image(data).signal.hash.distance(hash_image(baseline).signal.hash) <= 8


def test_progressive_jpeg_fast_path_keeps_luma_exact_with_4_2_0_chroma(
    pixels: npt.NDArray[np.uint8],
) -> None:
    # 4:2:0 chroma is decoded at 2x2 from DC and the first AC coefficients, which the DC-only
    # stream lacks; the luma that PDQ hashes stays exact.
    data, baseline = _progressive_4000x3000(pixels, "RGB", 2)
    full, fast = _full_and_fast(data, "YCbCr")
    assert np.array_equal(fast[..., 0], full[..., 0])
    assert np.abs(fast[..., 1:] - full[..., 1:]).mean() <= 2
    full, fast = _full_and_fast(data, "RGB")
    assert np.abs(fast - full).mean() <= 2
    assert hash_image(data).signal.hash.distance(hash_image(baseline).signal.hash) <= 8


@pytest.mark.parametrize("data", [b"", b"\xff\xd8", b"\xff\xd8\xff\xda\x00", b"not a jpeg"])
def test_progressive_parser_gives_up_on_garbage(data: bytes) -> None:
    assert dc_only_scans(data) is None


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
@pytest.mark.parametrize(("orientation", "turns"), [(3, 2), (6, 1), (8, -1)])
def test_heic_and_avif_orientation_is_applied_once(
    fmt: str, orientation: int, turns: int, pixels: npt.NDArray[np.uint8]
) -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()  # lets Pillow save HEIF
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored = np.ascontiguousarray(np.rot90(pixels, turns))
    quality = -1 if fmt == "HEIF" else 100  # -1: lossless HEIC
    result = hash_image(encode(stored, fmt, quality=quality, exif=exif.tobytes()))
    assert (result.height, result.width) == pixels.shape[:2]
    assert result.signal.hash.distance(hash_image(pixels).signal.hash) <= 4
