"""Several PDQ hashes per picture, so that re-shared copies still match.

Plain PDQ misses mirrored, rotated, bordered, screenshotted and cropped copies. Rather than a new
hash, stukje stores more PDQ hashes per submitted picture (all under one case) and looks up more
than one per checked picture; the server still does plain exact PDQ Hamming search. Every step
is a simple pixel operation that the browser page can repeat on the decoded pixels;
docs/quality.md ("The submission set") is the specification, with the measurements behind each
choice.

- :func:`submission_signals`: the plain hash first, then the 7 other dihedral hashes (from the
  transformed pixels, not pdqhash's shortcut), the trimmed picture (as found, and as a black or
  white frame would leave it), small rotations, and region hashes of the whole picture, its
  halves, a grid of 175 crops (CROP_GRID), 4 strips (STRIP_SHARE) and the tops (TOP_SHARE) of
  the picture and of 65 crops (TOP_GRID); extra hashes below quality 40 (EXTRA_MIN_QUALITY) are
  left out. Each region hash is kept in one orientation of the eight, as if transposed, flipped
  or mirrored so that the part's leans are positive (``... transposed flipped mirrored``), and
  in each orientation a lean under ORIENTATION_MARGIN allows, so a turned or mirrored copy
  that was also cropped still meets them.
- :func:`query_signals`: the plain hash, the least channel's hash when the picture is blown
  out, the trimmed picture's hash when trimming removes a border, status bar or caption bar,
  and region hashes of the halves, a smaller grid of crops (QUERY_CROP_GRID), the strips and
  the top of the picture and of its trimmed part, each in its one orientation. A crop of a
  cropped copy lines up with one of the stored crops; a strip leaves out a sticker, a top a
  caption band.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

import numba as nb
import numpy as np
import numpy.typing as npt
from PIL import Image

from stukje.hashing._resample import resize
from stukje.hashing.decode import Picture
from stukje.hashing.pdq import DIHEDRAL_NAMES, PdqSignal, _pdq_input, hash_pixels
from stukje.hashing.regions import RegionBox, RegionHash, region_signals
from stukje.hashing.signal import PdqHash

__all__ = [
    "BLOWN_OUT_SHARE",
    "CROP_GRID",
    "EXTRA_MIN_QUALITY",
    "FLIP_MASK",
    "MIN_WORKING_SIDE",
    "MIRROR_MASK",
    "ORIENTATION_MARGIN",
    "QUERY_CROP_GRID",
    "ROTATION_DEGREES",
    "STRIP_SHARE",
    "TOP_GRID",
    "TOP_SHARE",
    "TRIM_LUMA_TOLERANCE",
    "TRIM_OUTLIER_SHARE",
    "blown_out",
    "candidate_signals",
    "crop_boxes",
    "hash_window",
    "labelled_query_signals",
    "labelled_submission_signals",
    "least_channel",
    "query_signals",
    "rotate",
    "strip_boxes",
    "submission_signals",
    "top_boxes",
    "trim_box",
    "working_pixels",
]

Pixels = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)
Bins = npt.NDArray[np.uint8]

#: A line (row or column) is flat when at most this share of its pixels is further than
#: TRIM_LUMA_TOLERANCE from the line's median luma: a solid border survives JPEG noise and
#: a status bar's icons or a caption's letters do not.
TRIM_OUTLIER_SHARE: Final = 0.02
TRIM_LUMA_TOLERANCE: Final = 8
# Whole luma levels that hold every non-outlier of a flat line (see _may_be_flat).
_FLAT_BINS: Final = 2 * TRIM_LUMA_TOLERANCE + 3
#: Trimming that keeps less than this share of either side is refused (a mostly flat picture).
TRIM_MIN_KEPT: Final = 0.25
#: Trimming that removes less than this share of both sides is ignored (PDQ barely notices).
TRIM_MIN_REMOVED: Final = 0.01
#: Small rotations stored at submission, in degrees counter-clockwise (black corners, same size).
ROTATION_DEGREES: Final = (-4.0, -2.0, 2.0, 4.0)
#: Crops stored at submission: (share of each side kept, positions per axis). A position is the
#: share of the removed width (height) that lies left of (above) the crop, evenly spaced from 0
#: to 1. Crops are region hashes (stukje.hashing.regions), compared with the query set's crops.
CROP_GRID: Final = tuple((scale, 5) for scale in (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65))
#: Crops looked up for a checked picture, of the picture and of its trimmed part: a cropped,
#: captioned or stickered copy has a crop that lines up with one of the stored crops.
QUERY_CROP_GRID: Final = tuple((scale, 3) for scale in (0.95, 0.9, 0.85, 0.8, 0.7))
#: Strips stored and looked up: the left, right, top and bottom STRIP_SHARE of the picture (and
#: of the trimmed part). A sticker up to a fifth of a side across lies outside one of them
#: wherever it sits, also across the centre, which every half and crop holds.
STRIP_SHARE: Final = 0.4
#: The *top* of a part is its upper TOP_SHARE, full width: it leaves out a caption band across
#: the lower part (a chat app's, from 72 % of the height down). Looked up: the top of the picture
#: (and of its trimmed part). Stored: the top of the picture and of the crops of TOP_GRID, the
#: scales at which a copy cropped by up to 10 % sits, at most 1/60 of a side apart (the top is
#: shorter than a crop, so it needs finer positions than CROP_GRID's).
TOP_SHARE: Final = 0.7
TOP_GRID: Final = ((0.95, 4), (0.9, 7))

#: The bits of a PDQ code whose coefficients have an odd horizontal frequency (bit 16 i + j is
#: vertical frequency i + 1, horizontal j + 1): mirroring a part left to right flips those
#: coefficients' signs, so code XOR MIRROR_MASK is, within a few bits, the mirrored part's code
#: (docs/quality.md, "Turned and mirrored parts"). FLIP_MASK: the same for top to bottom (odd
#: vertical frequency). Transposing a part transposes its coefficients: the bits move exactly.
MIRROR_MASK: Final = int("55" * 32, 16)
FLIP_MASK: Final = int("0000ffff" * 8, 16)
#: A stored part with a lean (stukje.hashing.regions) under this either way is stored in both
#: orientations that lean allows: a copy's part may lean a little the other way. About 50 more
#: codes a picture.
ORIENTATION_MARGIN: Final = 0.05

#: Every extra hash is PDQ of its window resized to this many pixels a side.
WINDOW_SIZE: Final = 384
#: The frame :func:`candidate_signals` puts round the picture to see what trimming would keep.
FRAME_SHARE: Final = 0.1
#: Extra hashes are computed on the picture shrunk to at most this many pixels (512 x 512).
WORKING_PIXELS: Final = 512 * 512
#: ... and enlarged (bilinear) to at least this many pixels on its short side, within
#: WORKING_PIXELS: every half and crop of a small picture is then at least 64 pixels a side,
#: the least a region hash needs (a 96 x 48 copy would otherwise get none).
MIN_WORKING_SIDE: Final = 128
#: Extras of lower quality are left out of both sets. Below PDQ's usual 50 because a part is
#: smoother than the whole: the top of a photo (what leaves out a caption) is often sky, whose
#: gentle gradients PDQ's quality (a sum of whole-percent steps between cells) rates 30-50
#: although its hash holds steady (docs/quality.md, "Low quality").
EXTRA_MIN_QUALITY: Final = 40
#: A checked picture is *blown out* when at least this share of its (working) pixels have their
#: brightest channel at BLOWN_OUT_LEVEL or more; it is then also looked up by its least channel.
BLOWN_OUT_SHARE: Final = 0.5
BLOWN_OUT_LEVEL: Final = 250

# ITU-R BT.601 luma weights, as PDQ itself uses.
_LUMA: Final = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def submission_signals(picture: Picture) -> tuple[PdqSignal, ...]:
    """Every hash to store for one submitted picture, the plain hash first.

    The plain hash is always kept (flagged when of low quality); an extra hash below quality 40
    (EXTRA_MIN_QUALITY), or equal to one already in the set, is left out.
    """
    return tuple(signal for _, signal in labelled_submission_signals(picture))


def labelled_submission_signals(picture: Picture) -> tuple[tuple[str, PdqSignal], ...]:
    """:func:`submission_signals` with what each hash is of (``plain``, ``flip_left_right``,
    ``trimmed``, ``rotate -2``, ``crop 0.90 1 3``, ...)."""
    (_, plain), *extras = candidate_signals(picture)
    return _kept(plain, extras)


def _kept(
    plain: PdqSignal, extras: Iterable[tuple[str, PdqSignal]]
) -> tuple[tuple[str, PdqSignal], ...]:
    """The plain hash, then the extras of EXTRA_MIN_QUALITY and up that are not in the set yet."""
    kept = [("plain", plain)]
    seen = {plain.hash}
    for label, signal in extras:
        if signal.quality >= EXTRA_MIN_QUALITY and signal.hash not in seen:
            kept.append((label, signal))
            seen.add(signal.hash)
    return tuple(kept)


def _region_hashes(
    pixels: Pixels, parts: Sequence[tuple[str, RegionBox]], *, margin: float
) -> Iterator[tuple[str, PdqSignal]]:
    """Region hashes of these labelled parts, each in one orientation of the eight (leaving out
    parts under 64 pixels a side).

    Every part is hashed as if transposed, flipped and mirrored so that its leans come out
    positive (:func:`_orientations`), so a turned or mirrored copy's parts come out as the
    original's. A lean within ``margin`` of 0 allows both choices (the submission side's
    ORIENTATION_MARGIN: a re-shared copy's leans drift a little). The ``whole`` parts also keep
    their own code and its mirror-only orientation, which can meet a plain, turned or mirrored
    PDQ hash of the whole picture.
    """
    regions = region_signals(pixels, [part for _, part in parts])
    hashed = [(label, region) for (label, _), region in zip(parts, regions, strict=True) if region]
    transposed = _transposed([region.signal.hash for _, region in hashed])
    for (label, region), turned in zip(hashed, transposed, strict=True):
        chosen = set(_orientations(region, margin))
        if label.endswith("whole"):
            chosen.add(0)
            if region.left < 0 or abs(region.left) < margin:
                chosen.add(_MIRROR)
        for orientation in sorted(chosen):
            code = _oriented(region.signal.hash, turned, orientation)
            yield label + _ORIENTATION_NAMES[orientation], PdqSignal(code, region.signal.quality)


#: An orientation is 4 t + 2 v + h: transpose (t), then flip top to bottom (v) and mirror left
#: to right (h); these are its labels' endings.
_ORIENTATION_NAMES: Final = tuple(
    " transposed" * t + " flipped" * v + " mirrored" * h
    for t in (0, 1)
    for v in (0, 1)
    for h in (0, 1)
)
_MIRROR: Final = 1
_FLIP: Final = 2
_TRANSPOSE: Final = 4
_BITS: Final = np.arange(256)
#: Packed bit p of a transposed code is bit _TRANSPOSED_BITS[p] of the code (bit k = 16 i + j
#: of PdqHash is packed bit 255 - k; transposing swaps i and j).
_TRANSPOSED_BITS: Final = 255 - ((255 - _BITS) % 16 * 16 + (255 - _BITS) // 16)


def _orientations(region: RegionHash, margin: float) -> list[int]:
    """The orientations that make the part's leans positive: transpose when ``across`` < 0
    (then left and top swap), flip when ``top`` < 0, mirror when ``left`` < 0; a lean within
    ``margin`` of 0 allows both choices."""
    chosen = []
    for t in (0, 1):
        if _refused(region.across, t, margin):
            continue
        left, top = (region.top, region.left) if t else (region.left, region.top)
        for v in (0, 1):
            if _refused(top, v, margin):
                continue
            chosen += [4 * t + 2 * v + h for h in (0, 1) if not _refused(left, h, margin)]
    return chosen


def _refused(lean: float, change: int, margin: float) -> bool:
    """Is changing (1) or keeping (0) the part ruled out by this lean?"""
    return (lean < 0) != bool(change) and abs(lean) >= margin


def _transposed(codes: Sequence[PdqHash]) -> list[bytes]:
    """Each code with its bits moved as transposing its part moves its coefficients."""
    if not codes:
        return []
    packed = np.frombuffer(b"".join(code.value for code in codes), dtype=np.uint8)
    bits = np.unpackbits(packed.reshape(len(codes), 32), axis=1)[:, _TRANSPOSED_BITS]
    return [row.tobytes() for row in np.packbits(bits, axis=1)]


def _oriented(code: PdqHash, transposed: bytes, orientation: int) -> PdqHash:
    """The part's code as if turned (``transposed``: the code transposed, :func:`_transposed`):
    bits moved for a transpose, masks XORed for the flips."""
    if orientation == 0:
        return code
    value = int.from_bytes(transposed if orientation & _TRANSPOSE else code.value, "big")
    if orientation & _FLIP:
        value ^= FLIP_MASK
    if orientation & _MIRROR:
        value ^= MIRROR_MASK
    return PdqHash.from_int(value)


def candidate_signals(picture: Picture) -> Iterator[tuple[str, PdqSignal]]:
    """Every hash of the submission set, in order, before the quality and duplicate filter.

    Turns of the whole picture are hashed like the plain hash, on PDQ's own input pixels; trims
    and crops, which are parts of it, on the working pixels through :func:`hash_window`.
    """
    whole = _pdq_input(picture)
    yield "plain", hash_pixels(whole)
    for index in range(1, 8):
        yield DIHEDRAL_NAMES[index], hash_pixels(_dihedral(whole, index))
    pixels = working_pixels(picture)
    box = trim_box(pixels)
    if box is not None:
        yield "trimmed", hash_window(_cut(pixels, box))
    for name, colour in (("black", 0), ("white", 255)):
        inside = _trimmed_on(pixels, colour)
        if inside is not None:
            yield f"trimmed on {name}", hash_window(inside)
    for degrees in ROTATION_DEGREES:
        yield f"rotate {degrees:+g}", hash_pixels(rotate(whole, degrees))
    height, width = pixels.shape[:2]
    parts = crop_boxes(width, height, CROP_GRID, whole=True)
    parts += strip_boxes(width, height) + top_boxes(width, height, TOP_GRID)
    yield from _region_hashes(pixels, parts, margin=ORIENTATION_MARGIN)


def query_signals(picture: Picture) -> tuple[PdqSignal, ...]:
    """The hashes to look up for a picture being checked, the plain hash first."""
    return tuple(signal for _, signal in labelled_query_signals(picture))


def labelled_query_signals(picture: Picture) -> tuple[tuple[str, PdqSignal], ...]:
    """:func:`query_signals` with what each hash is of.

    The plain hash; when the picture is blown out, PDQ of its least channel (``least
    channel``, :func:`least_channel`); the trimmed part, if trimming finds one (``trimmed``);
    region hashes of the picture (``whole``), its halves (``left half``, ...), its
    QUERY_CROP_GRID crops (``crop 0.90 1 3``), strips (``left strip``, ...) and top (``top``),
    and the same of the trimmed part (``trimmed whole``, ``trimmed crop ...``). Extras below
    quality 40, or equal to one already in the set, are left out.
    """
    whole = _pdq_input(picture)
    plain = hash_pixels(whole)
    pixels = working_pixels(picture)
    height, width = pixels.shape[:2]
    box = trim_box(pixels)
    extras: list[tuple[str, PdqSignal]] = []
    if blown_out(pixels):
        extras.append(("least channel", least_channel(whole)))
    parts = _query_parts(width, height)
    if box is not None:
        extras.append(("trimmed", hash_window(_cut(pixels, box))))
        parts += _query_parts(width, height, within=box)
    extras.extend(_region_hashes(pixels, parts, margin=0.0))
    return _kept(plain, extras)


def _query_parts(
    width: int, height: int, *, within: Box | None = None
) -> list[tuple[str, RegionBox]]:
    """The parts looked up of the picture, or of the part ``within`` it: the whole, its halves
    and QUERY_CROP_GRID crops, its strips and its top."""
    parts = crop_boxes(width, height, QUERY_CROP_GRID, whole=True, within=within)
    return (
        parts + strip_boxes(width, height, within=within) + top_boxes(width, height, within=within)
    )


def blown_out(pixels: Pixels) -> bool:
    """Do at least BLOWN_OUT_SHARE of the pixels have a channel at BLOWN_OUT_LEVEL or more?"""
    brightest = np.maximum(np.maximum(pixels[..., 0], pixels[..., 1]), pixels[..., 2])
    bright = np.count_nonzero(brightest >= BLOWN_OUT_LEVEL)
    return bool(bright >= BLOWN_OUT_SHARE * pixels.shape[0] * pixels.shape[1])


def least_channel(pixels: Pixels) -> PdqSignal:
    """PDQ of each pixel's smallest channel, min(R, G, B), as a grey picture.

    Brightening a light photo blows out its brightest channels: where red and green are clipped
    at 255 the luma is nearly flat and the plain hash drifts (34 bits on the corpus's light wood
    photo at +30 %). Brightening scales every channel alike, so the least channel, the last to
    clip, keeps the picture's structure: its hash lies 16 bits from the original's plain hash
    there. Looked up only for blown-out pictures; nothing is stored for it.
    """
    return hash_pixels(np.minimum(np.minimum(pixels[..., 0], pixels[..., 1]), pixels[..., 2]))


def hash_window(pixels: Pixels) -> PdqSignal:
    """PDQ of these pixels resized (bilinear) to WINDOW_SIZE x WINDOW_SIZE.

    PDQ blurs with a box of 1/128 of each side; on a small window that box would be 1-2
    pixels and the hash drift from the full picture's (up to 56 bits measured on a trimmed
    screenshot). At 384 the box is 3 pixels, as on the plain hash's input.
    """
    if pixels.shape[:2] != (WINDOW_SIZE, WINDOW_SIZE):
        pixels = resize(pixels, (WINDOW_SIZE, WINDOW_SIZE), "bilinear")
    return hash_pixels(pixels)


def _trimmed_on(pixels: Pixels, colour: int) -> Pixels | None:
    """What trimming keeps of the picture framed by a solid border (a tenth of each side).

    Where the picture's own edges are dark (or light), trimming a black (or white) frame also
    eats into them; this is the hash such a framed copy will be looked up with. ``None`` when
    trimming finds the picture itself (within 1 % a side) or nothing.
    """
    height, width = pixels.shape[:2]
    pad_x, pad_y = max(1, round(width * FRAME_SHARE)), max(1, round(height * FRAME_SHARE))
    framed = np.full((height + 2 * pad_y, width + 2 * pad_x, 3), colour, dtype=np.uint8)
    framed[pad_y : pad_y + height, pad_x : pad_x + width] = pixels
    box = trim_box(framed)
    if box is None:
        return None
    expected = (pad_x, pad_y, pad_x + width, pad_y + height)
    sizes = (width, height, width, height)
    off = max(abs(a - b) / size for a, b, size in zip(box, expected, sizes, strict=True))
    return None if off <= TRIM_MIN_REMOVED else _cut(framed, box)


def working_pixels(picture: Picture) -> Pixels:
    """The decoded pixels, shrunk (area average) to at most WORKING_PIXELS, aspect kept; a
    picture whose short side is under MIN_WORKING_SIDE is enlarged (bilinear) to that side, or
    as far as WORKING_PIXELS allows.

    Not PDQ's own input, which a reduced picture squashes to a near-square size: a trimmed
    screenshot or a crop keeps its resolution here. Enlarging adds no detail; it lets the
    halves and crops of a small copy be hashed at all, and their cell means then sample the
    picture as a larger copy's would.
    """
    height, width = picture.pixels.shape[:2]
    scale = math.sqrt(WORKING_PIXELS / (width * height))
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        return resize(picture.pixels, size, "box")
    grow = min(scale, MIN_WORKING_SIDE / min(width, height))
    if grow <= 1:
        return picture.pixels
    size = (round(width * grow), round(height * grow))
    if size == (width, height):
        return picture.pixels
    return resize(picture.pixels, size, "bilinear")


def _dihedral(pixels: Pixels, index: int) -> Pixels:
    """The picture under one of the 8 symmetries, in stukje.hashing.DIHEDRAL_NAMES order."""
    operations = (
        lambda p: p,
        lambda p: np.rot90(p, 1),  # 90° counter-clockwise
        lambda p: np.rot90(p, 2),
        lambda p: np.rot90(p, 3),  # 90° clockwise
        lambda p: p[::-1],  # top to bottom
        lambda p: p[:, ::-1],  # left to right
        lambda p: p.transpose(1, 0, 2),
        lambda p: np.rot90(p, 2).transpose(1, 0, 2),  # mirror on the other diagonal
    )
    return np.ascontiguousarray(operations[index](pixels))


def _cut(pixels: Pixels, box: Box) -> Pixels:
    left, top, right, bottom = box
    return np.ascontiguousarray(pixels[top:bottom, left:right])


def _frame(width: int, height: int, within: Box | None) -> tuple[Box, str]:
    """The box parts are taken from (the picture, or ``within`` it) and their labels' prefix."""
    if within is None:
        return (0, 0, width, height), ""
    return within, "trimmed "


def crop_boxes(
    width: int,
    height: int,
    grid: Sequence[tuple[float, int]] = CROP_GRID,
    *,
    whole: bool = False,
    within: Box | None = None,
) -> list[tuple[str, RegionBox]]:
    """The crops of ``grid`` in grid order (scale, row, column); first, if ``whole``, the part
    itself and its left, right, top and bottom halves.

    Of the picture (``width`` x ``height``), or of the part ``within`` it; a crop keeps
    ``scale`` of each side, at ``count`` evenly spaced positions per axis. Edges are fractional:
    :func:`stukje.hashing.regions.region_signals` rounds its cell edges to pixels.
    """
    (left, top, right, bottom), prefix = _frame(width, height, within)
    part_w, part_h = right - left, bottom - top
    boxes: list[tuple[str, RegionBox]] = []
    if whole:
        middle_x, middle_y = left + part_w / 2, top + part_h / 2
        boxes += [
            (f"{prefix}whole", (left, top, right, bottom)),
            (f"{prefix}left half", (left, top, middle_x, bottom)),
            (f"{prefix}right half", (middle_x, top, right, bottom)),
            (f"{prefix}top half", (left, top, right, middle_y)),
            (f"{prefix}bottom half", (left, middle_y, right, bottom)),
        ]
    for scale, count in grid:
        crop_w, crop_h = part_w * scale, part_h * scale
        positions = [step / (count - 1) for step in range(count)]
        for row, y_share in enumerate(positions):
            for column, x_share in enumerate(positions):
                x = left + (part_w - crop_w) * x_share
                y = top + (part_h - crop_h) * y_share
                label = f"{prefix}crop {scale:.2f} {row + 1} {column + 1}"
                boxes.append((label, (x, y, x + crop_w, y + crop_h)))
    return boxes


def strip_boxes(
    width: int, height: int, *, within: Box | None = None
) -> list[tuple[str, RegionBox]]:
    """The left, right, top and bottom STRIP_SHARE of the picture, or of the part ``within``."""
    (left, top, right, bottom), prefix = _frame(width, height, within)
    strip_w, strip_h = (right - left) * STRIP_SHARE, (bottom - top) * STRIP_SHARE
    return [
        (f"{prefix}left strip", (left, top, left + strip_w, bottom)),
        (f"{prefix}right strip", (right - strip_w, top, right, bottom)),
        (f"{prefix}top strip", (left, top, right, top + strip_h)),
        (f"{prefix}bottom strip", (left, bottom - strip_h, right, bottom)),
    ]


def top_boxes(
    width: int,
    height: int,
    grid: Sequence[tuple[float, int]] = (),
    *,
    within: Box | None = None,
) -> list[tuple[str, RegionBox]]:
    """The top (upper TOP_SHARE, full width) of the picture, or of the part ``within``, then the
    tops of the crops of ``grid`` (:func:`crop_boxes`' crops, in its order)."""
    (left, top, right, bottom), prefix = _frame(width, height, within)
    boxes: list[tuple[str, RegionBox]] = [
        (f"{prefix}top", (left, top, right, top + (bottom - top) * TOP_SHARE))
    ]
    for label, (x0, y0, x1, y1) in crop_boxes(width, height, grid, within=within):
        name = label.removeprefix(prefix)
        boxes.append((f"{prefix}top of {name}", (x0, y0, x1, y0 + (y1 - y0) * TOP_SHARE)))
    return boxes


def luma(pixels: Pixels) -> npt.NDArray[np.float32]:
    return pixels.astype(np.float32) @ _LUMA


def _flat_lines(values: npt.NDArray[np.float32], bins: Bins) -> npt.NDArray[np.bool_]:
    """Per row of ``values``: is it flat (few pixels far from the row's median)?

    ``bins`` holds the same values as whole luma levels (:func:`_luma_bins`). Only the rows that
    :func:`_may_be_flat` lets through get the exact median test; the answer is the same as
    testing every row.
    """
    flat = np.zeros(values.shape[0], dtype=np.bool_)
    maybe = np.flatnonzero(_may_be_flat(bins))
    if maybe.size:
        flat[maybe] = _exactly_flat(values[maybe])
    return flat


def _exactly_flat(values: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    """The rule itself, per row: at most 2 % of the row further than 8 from its median."""
    median = np.median(values, axis=1, keepdims=True)
    outliers = np.count_nonzero(np.abs(values - median) > TRIM_LUMA_TOLERANCE, axis=1)
    return np.asarray(outliers <= TRIM_OUTLIER_SHARE * values.shape[1])


def _luma_bins(values: npt.NDArray[np.float32]) -> Bins:
    """Each luma value's whole level, 0-255 (rounded down)."""
    return np.clip(values, 0, 255).astype(np.uint8)


def _may_be_flat(bins: Bins) -> npt.NDArray[np.bool_]:
    """Per row: could it be flat? False only for rows that certainly are not.

    A flat row has all but 2 % of its values within 8 of its median m, and so in the whole
    levels floor(m - 8) to floor(m - 8) + 16; float32 rounding of |v - m| can let in a value a
    hair outside, one level further either way. So some window of _FLAT_BINS consecutive levels
    holds at least 98 % of a flat row; one histogram per row and a sliding window sum find the
    rows where none does, without any median.
    """
    rows, length = bins.shape
    if length == 0:
        return np.ones(rows, dtype=np.bool_)
    # Columns (a transposed view) are copied once so that each line is read in order.
    lines = np.ascontiguousarray(bins)
    may: npt.NDArray[np.bool_] = _busy_free_windows(lines, _FLAT_BINS, TRIM_OUTLIER_SHARE * length)
    return may


@nb.njit(cache=True, nogil=True)
def _busy_free_windows(bins, window, allowed):  # type: ignore[no-untyped-def]
    """Per row of bins: do at most ``allowed`` of its values fall outside some window of levels?"""
    rows, length = bins.shape
    out = np.empty(rows, dtype=np.bool_)
    counts = np.zeros(256, dtype=np.int64)
    for row in range(rows):
        counts[:] = 0
        for column in range(length):
            counts[bins[row, column]] += 1
        inside = 0
        for level in range(window):
            inside += counts[level]
        most = inside
        for level in range(window, 256):
            inside += counts[level] - counts[level - window]
            most = max(most, inside)
        out[row] = length - most <= allowed
    return out


def _longest_busy_run(flat: npt.NDArray[np.bool_]) -> tuple[int, int]:
    """[start, end) of the longest run of non-flat lines; the first one on a tie."""
    best = (0, 0)
    start = None
    for position, is_flat in enumerate([*flat.tolist(), True]):
        if not is_flat and start is None:
            start = position
        elif is_flat and start is not None:
            if position - start > best[1] - best[0]:
                best = (start, position)
            start = None
    return best


def trim_box(pixels: Pixels) -> Box | None:
    """The picture inside borders, letterboxing, a status bar or a caption bar, if any.

    Rows, then columns, then rows and columns again: keep the longest run of non-flat lines
    within what is kept so far. ``None`` when that removes less than 1 % on every side, or
    keeps less than a quarter of the width or height.
    """
    values = luma(pixels)
    bins = _luma_bins(values)
    height, width = values.shape
    top, bottom, left, right = 0, height, 0, width
    for _ in range(2):
        box = (slice(top, bottom), slice(left, right))
        top_run, bottom_run = _longest_busy_run(_flat_lines(values[box], bins[box]))
        top, bottom = top + top_run, top + bottom_run
        if bottom <= top:
            return None
        box = (slice(top, bottom), slice(left, right))
        left_run, right_run = _longest_busy_run(_flat_lines(values[box].T, bins[box].T))
        if (left_run, right_run) == (0, right - left):
            # Every column kept: the rows kept are all busy across the same columns, so the
            # second pass would keep every row and then find these same columns again.
            break
        left, right = left + left_run, left + right_run
        if right <= left:
            return None
    kept_w, kept_h = (right - left) / width, (bottom - top) / height
    if min(kept_w, kept_h) < TRIM_MIN_KEPT:
        return None
    removed = max(left / width, top / height, 1 - right / width, 1 - bottom / height)
    if removed < TRIM_MIN_REMOVED:
        return None
    return (left, top, right, bottom)


def rotate(pixels: Pixels, degrees: float) -> Pixels:
    """Turn counter-clockwise about the centre, same size, bilinear, black outside.

    In continuous coordinates (pixel (i, j) covers [j, j + 1] x [i, i + 1], its centre at
    (j + 0.5, i + 0.5)), output pixel (x, y) takes the bilinear sample at the source point
    c + R(p - c), where p = (x + 0.5, y + 0.5), c = (width / 2, height / 2) and R turns by
    ``degrees`` (y pointing down); samples outside the picture are black. This is Pillow's
    affine transform, so a browser port can follow the formula.
    """
    height, width = pixels.shape[:2]
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    centre_x, centre_y = width / 2, height / 2
    matrix = (
        cos,
        -sin,
        centre_x - cos * centre_x + sin * centre_y,
        sin,
        cos,
        centre_y - sin * centre_x - cos * centre_y,
    )
    turned = Image.fromarray(pixels).transform(
        (width, height),
        Image.Transform.AFFINE,
        matrix,
        resample=Image.Resampling.BILINEAR,
        fillcolor=(0, 0, 0),
    )
    return np.asarray(turned, dtype=np.uint8)
