"""Reading pictures safely: limits, format checks, reduced-scale decoding, normalisation.

Everything happens in memory: bytes are read once, never written anywhere. The pixel limit is
checked on the header's size before any pixel is decoded. Large pictures are decoded at reduced
scale (JPEG DCT scaling, including a DC-only fast path for progressive JPEGs; Image.reduce for
the rest), never smaller than what :func:`pdq_target_size` needs for a faithful PDQ hash.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, TypeAlias

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from stukje.errors import (
    CorruptImageError,
    EmptyImageError,
    ImageError,
    ImageTooLargeError,
    TooManyPixelsError,
    UnsupportedFormatError,
)
from stukje.hashing._dc_decode import dc_pixels
from stukje.hashing._progressive import dc_only_scans
from stukje.hashing.normalise import orientation_of, to_rgb_array, upright

if TYPE_CHECKING:
    from stukje.config import Settings

__all__ = [
    "DEFAULT_LIMITS",
    "SUPPORTED_FORMATS",
    "ImageLimits",
    "ImageSource",
    "Picture",
    "load_picture",
    "pdq_target_size",
]

#: Pillow format names stukje decodes (MPO, the multi-picture JPEG many cameras write, opens
#: through the JPEG opener).
SUPPORTED_FORMATS: Final = ("JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF", "HEIF", "AVIF")
_FORMAT_LIST: Final = "JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF, AVIF"
# Leading bytes of the supported formats: such data that Pillow cannot open is damaged, not foreign.
_SIGNATURES: Final = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
_ISO_BRANDS: Final = (b"heic", b"heix", b"heif", b"mif1", b"msf1", b"hevc", b"avif", b"avis")
# PDQ filters with a box of ceil(n / 128) pixels per axis. Reducing an axis so that box is 3
# pixels wide keeps the filter's shape (odd, hence symmetric) and its reach over the picture.
_PDQ_WINDOW: Final = 3
_PDQ_BOX_DIVISOR: Final = 128


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What stukje accepts: bytes per file and pixels per picture (decompression bombs)."""

    max_bytes: int = 50_000_000
    max_pixels: int = 100_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageLimits:
        return cls(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)


@dataclass(frozen=True, slots=True, eq=False)
class Picture:
    """Upright RGB pixels, possibly reduced, with the original (upright) size and format.

    ``pixels`` is a C-contiguous (H, W, 3) uint8 array. When ``reduced`` is true it is smaller
    than ``width`` x ``height`` but at least :func:`pdq_target_size` of them on each axis.
    """

    pixels: npt.NDArray[np.uint8] = field(repr=False)
    width: int
    height: int
    format: str

    @property
    def reduced(self) -> bool:
        return self.pixels.shape[:2] != (self.height, self.width)


#: What :func:`load_picture` reads: encoded bytes, a path, a binary file, a PIL image, pixels.
ImageSource: TypeAlias = (
    bytes
    | bytearray
    | memoryview
    | str
    | os.PathLike[str]
    | BinaryIO
    | Image.Image
    | npt.NDArray[Any]
)


#: The default limits (50 MB, 100 megapixels), as in :class:`~stukje.config.Settings`.
DEFAULT_LIMITS: Final = ImageLimits()


def pdq_target_size(width: int, height: int) -> tuple[int, int]:
    """The size a picture of width x height is resized to before PDQ (unchanged if small)."""
    return _pdq_target(width), _pdq_target(height)


def _pdq_target(length: int) -> int:
    window = math.ceil(length / _PDQ_BOX_DIVISOR)
    return length if window <= _PDQ_WINDOW else round(_PDQ_WINDOW * length / window)


def load_picture(source: ImageSource, *, limits: ImageLimits = DEFAULT_LIMITS) -> Picture:
    """Decode, check, orient and normalise a picture from bytes, a path, a file, PIL or numpy.

    A numpy array is taken as it is (no reduction): (H, W) grey or (H, W, 3) RGB, uint8.
    Raises an :class:`~stukje.errors.ImageError` subclass for every bad input; OSError when a
    path cannot be read.
    """
    if isinstance(source, np.ndarray):
        return _from_array(source, limits)
    if isinstance(source, Image.Image):
        _check_pixels(source.size, limits)
        return _from_image(source, source.format or "image", limits, data=None)
    data = _read_bytes(source, limits)
    image = _open(data, limits)
    return _from_image(image, _format_name(image), limits, data=data)


def _read_bytes(source: ImageSource, limits: ImageLimits) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        data = _read_path(Path(source), limits)
    elif hasattr(source, "read"):
        data = source.read(limits.max_bytes + 1)
        if not isinstance(data, bytes):
            raise UnsupportedFormatError("the file object must be opened in binary mode ('rb')")
    else:
        raise UnsupportedFormatError(f"cannot read a picture from a {type(source).__name__}")
    if not data:
        raise EmptyImageError("the file is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise ImageTooLargeError(
            f"the file is larger than the limit of {limits.max_bytes:,} bytes; "
            "send a smaller copy of the picture"
        )
    return data


def _read_path(path: Path, limits: ImageLimits) -> bytes:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ImageTooLargeError(
            f"the file is {size:,} bytes, more than the limit of {limits.max_bytes:,} bytes"
        )
    with path.open("rb") as handle:
        return handle.read(limits.max_bytes + 1)


def _open(data: bytes, limits: ImageLimits) -> Image.Image:
    openers = _openers()
    # Pillow's own bomb check (warn above the limit, fail at twice it) backs up ours below.
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=openers)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixelsError(_too_many_pixels_message(limits)) from exc
    except UnidentifiedImageError as exc:
        raise _unreadable(data) from exc
    except Exception as exc:  # a damaged header can make any plugin fail in its own way
        raise CorruptImageError(f"the picture's header is damaged ({_reason(exc)})") from exc
    _check_pixels(image.size, limits)
    return image


def _unreadable(data: bytes) -> ImageError:
    if data.startswith(_SIGNATURES) or _is_riff_webp(data) or data[8:12] in _ISO_BRANDS:
        return CorruptImageError("the picture is damaged or cut off and cannot be read")
    return UnsupportedFormatError(f"this is not a picture stukje reads ({_FORMAT_LIST})")


def _is_riff_webp(data: bytes) -> bool:
    return data.startswith(b"RIFF") and data[8:12] == b"WEBP"


def _check_pixels(size: tuple[int, int], limits: ImageLimits) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptImageError(f"the picture claims an impossible size of {width}x{height}")
    if width * height > limits.max_pixels:
        raise TooManyPixelsError(_too_many_pixels_message(limits, width, height))


def _too_many_pixels_message(limits: ImageLimits, width: int = 0, height: int = 0) -> str:
    size = f" ({width}x{height})" if width else ""
    return (
        f"the picture has more pixels{size} than the limit of {limits.max_pixels:,}; "
        "it may be a decompression bomb"
    )


def _format_name(image: Image.Image) -> str:
    name = image.format or "image"
    return "JPEG" if name == "MPO" else name


def _from_image(
    image: Image.Image, format_name: str, limits: ImageLimits, *, data: bytes | None
) -> Picture:
    width, height = image.size  # before decoding: a reduced decode changes image.size
    try:
        orientation = orientation_of(image)
        reduced = _decode_reduced(image, data)
        pixels = to_rgb_array(upright(reduced, orientation))
    except ImageError:
        raise
    except Exception as exc:  # a decoder failing on damaged data, in whatever way it chooses
        raise CorruptImageError(f"the picture is damaged or cut off ({_reason(exc)})") from exc
    if orientation >= 5:  # the orientations that swap width and height
        width, height = height, width
    return Picture(pixels=pixels, width=width, height=height, format=format_name)


def _decode_reduced(image: Image.Image, data: bytes | None) -> Image.Image:
    """The first frame, decoded at the smallest scale that keeps PDQ faithful."""
    width, height = image.size
    target_width, target_height = pdq_target_size(width, height)
    factors = (width // target_width, height // target_height)
    factor = min(factors)
    if max(factors) < 2:
        image.load()
        return image
    if factor >= 2 and image.format in {"JPEG", "MPO"} and image.mode in {"RGB", "L", "CMYK"}:
        return _draft_jpeg(image, data, (target_width, target_height), width)
    image.load()
    if image.mode == "P":  # palette pictures (GIF, PNG) would otherwise be hashed at full size
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode not in {"RGB", "RGBA", "L", "LA", "CMYK"}:
        return image  # Image.reduce handles only these; normalise later at full size
    # A very wide or tall picture (65000 x 255) cannot shrink uniformly; shrink its long axis
    # alone, or a 2 KB file costs seconds of hashing (found by bench/fuzz_images.py).
    return image.reduce(factor if factor >= 2 else factors)


def _draft_jpeg(
    image: Image.Image, data: bytes | None, size: tuple[int, int], full_width: int
) -> Image.Image:
    image.draft(image.mode, size)
    # Only at 1/8 scale is the DC coefficient all the decoder uses.
    if data is not None and image.info.get("progressive") and image.width * 8 <= full_width:
        fast = _dc_only(data, image.mode, size)
        if fast is not None and fast.size == image.size:
            return fast
    image.load()
    return image


def _dc_only(data: bytes, mode: str, size: tuple[int, int]) -> Image.Image | None:
    """The picture decoded from its DC coefficients alone, as the full 1/8 decode gives it.

    Common layouts are decoded by :func:`~stukje.hashing._dc_decode.dc_pixels`; the rest by
    libjpeg from the stream without its detail scans.
    """
    if mode in {"RGB", "L"}:
        pixels = dc_pixels(data)
        if pixels is not None and pixels.ndim == (3 if mode == "RGB" else 2):
            return Image.fromarray(pixels, mode)
    stripped = dc_only_scans(data)
    if stripped is None:
        return None
    try:
        fast = Image.open(io.BytesIO(stripped), formats=("JPEG",))
        fast.draft(mode, size)
        fast.load()
    except Exception:  # fall back to the full decode, which reports real damage
        return None
    return fast


def _from_array(array: npt.NDArray[np.generic], limits: ImageLimits) -> Picture:
    if array.dtype != np.uint8:
        raise UnsupportedFormatError(f"a pixel array must be uint8, got {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, np.newaxis], 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3:
        raise UnsupportedFormatError(
            f"a pixel array is (height, width) grey or (height, width, 3) RGB; got {array.shape}"
        )
    height, width = array.shape[:2]
    _check_pixels((width, height), limits)
    pixels = np.ascontiguousarray(array, dtype=np.uint8)
    return Picture(pixels=pixels, width=width, height=height, format="array")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@cache
def _openers() -> tuple[str, ...]:
    """The Pillow openers to try: the supported formats this installation can read."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    Image.init()
    return tuple(name for name in SUPPORTED_FORMATS if name in Image.OPEN)
