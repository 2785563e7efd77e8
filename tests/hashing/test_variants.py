"""The submission set and query set: trimming, rotations, crops, and matching on a few photos.

The full measurement over the corpus is bench/quality.py; these checks stay small and fast.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from stukje.cli import main as cli_main
from stukje.hashing import (
    DEFAULT_THRESHOLD,
    PdqSignal,
    Picture,
    hash_picture,
    load_picture,
    query_signals,
    submission_signals,
    trim_box,
)
from stukje.hashing.variants import (
    CROP_GRID,
    EXTRA_MIN_QUALITY,
    MIN_WORKING_SIDE,
    QUERY_CROP_GRID,
    STRIP_SHARE,
    TOP_GRID,
    TOP_SHARE,
    WORKING_PIXELS,
    blown_out,
    crop_boxes,
    labelled_query_signals,
    labelled_submission_signals,
    rotate,
    strip_boxes,
    top_boxes,
    working_pixels,
)

PHOTOS = ("opencv_fruits.jpg", "skimage_astronaut.png", "GreenMeadow.jpg")


def _image(photos_dir: Path, name: str, size: int = 512) -> Image.Image:
    image = Image.fromarray(load_picture(photos_dir / name).pixels)
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    return image


def _decoded(image: Image.Image, fmt: str = "JPEG") -> Picture:
    out = io.BytesIO()
    image.save(out, fmt, quality=85)
    return load_picture(out.getvalue())


def _matches(stored: tuple[PdqSignal, ...], queries: tuple[PdqSignal, ...]) -> int:
    """The smallest distance between any stored and any query hash."""
    return min(s.hash.distance(q.hash) for s in stored for q in queries)


@pytest.mark.parametrize("fill", [(0, 0, 0), (255, 255, 255), (40, 120, 200)])
@pytest.mark.parametrize("share", [0.05, 0.2])
def test_trim_box_finds_the_picture_inside_a_solid_border(
    photos_dir: Path, fill: tuple[int, int, int], share: float
) -> None:
    image = _image(photos_dir, "opencv_fruits.jpg")
    pad_x, pad_y = round(image.width * share), round(image.height * share)
    framed = ImageOps.expand(image, (pad_x, pad_y), fill=fill)
    pixels = _decoded(framed, "PNG").pixels  # possibly reduced: compare shares of the sides
    box = trim_box(pixels)
    assert box is not None
    expected = (pad_x, pad_y, pad_x + image.width, pad_y + image.height)
    sides = (framed.width, framed.height) * 2
    found = (pixels.shape[1], pixels.shape[0]) * 2
    for at, want, side, size in zip(box, expected, sides, found, strict=True):
        assert abs(at / size - want / side) <= 0.01


def test_trim_box_skips_a_status_bar_and_letterboxing(photos_dir: Path) -> None:
    image = _image(photos_dir, "skimage_astronaut.png", 360)
    screen = Image.new("RGB", (360, 780), (0, 0, 0))
    screen.paste(image, (0, 210))
    draw = ImageDraw.Draw(screen)
    draw.text((12, 6), "12:34", fill="white")
    draw.rectangle((300, 8, 340, 20), outline="white")
    box = trim_box(np.asarray(screen))
    assert box is not None
    assert all(abs(a - b) <= 2 for a, b in zip(box, (0, 210, 360, 570), strict=True))


@pytest.mark.parametrize("name", PHOTOS)
def test_a_photo_without_a_border_is_not_trimmed(photos_dir: Path, name: str) -> None:
    picture = load_picture(photos_dir / name)
    assert trim_box(picture.pixels) is None
    labelled = labelled_query_signals(picture)
    assert labelled[0] == ("plain", hash_picture(picture).signal)
    assert not [label for label, _ in labelled if label.startswith("trimmed")]
    assert query_signals(picture) == tuple(signal for _, signal in labelled)


def test_trim_box_refuses_a_flat_picture() -> None:
    assert trim_box(np.full((100, 80, 3), 128, dtype=np.uint8)) is None


def test_rotate_turns_counter_clockwise() -> None:
    square = np.zeros((64, 64, 3), dtype=np.uint8)
    square[8:24, 40:56] = 255  # a block in the top right corner
    turned = rotate(square, 90)
    assert np.abs(turned.astype(int) - np.rot90(square, 1)).max() <= 1
    assert np.array_equal(rotate(square, 0), square)


@given(st.integers(1, 4000), st.integers(1, 4000))
def test_crop_boxes_lie_inside_the_picture(width: int, height: int) -> None:
    boxes = crop_boxes(width, height)
    assert len(boxes) == sum(count * count for _, count in CROP_GRID)
    for _, (left, top, right, bottom) in boxes:
        assert 0 <= left < right <= width
        assert 0 <= top < bottom <= height


@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 2000), st.integers(1, 2000))
def test_query_crops_lie_inside_the_part_they_are_of(
    left: int, top: int, width: int, height: int
) -> None:
    part = (left, top, left + width, top + height)
    boxes = crop_boxes(5000, 5000, QUERY_CROP_GRID, whole=True, within=part)
    assert boxes[0] == ("trimmed whole", part)
    assert [label for label, _ in boxes[1:5]] == [
        f"trimmed {side} half" for side in ("left", "right", "top", "bottom")
    ]
    assert len(boxes) == 5 + sum(count * count for _, count in QUERY_CROP_GRID)
    for label, (x0, y0, x1, y1) in boxes:
        assert label.startswith("trimmed ")
        assert part[0] <= x0 < x1 <= part[2] + 1e-9
        assert part[1] <= y0 < y1 <= part[3] + 1e-9


@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 2000), st.integers(1, 2000))
def test_strips_and_tops_lie_inside_the_part_they_are_of(
    left: int, top: int, width: int, height: int
) -> None:
    part = (left, top, left + width, top + height)
    strips = strip_boxes(5000, 5000, within=part)
    assert [label for label, _ in strips] == [
        f"trimmed {side} strip" for side in ("left", "right", "top", "bottom")
    ]
    tops = top_boxes(5000, 5000, TOP_GRID, within=part)
    assert tops[0] == ("trimmed top", (left, top, left + width, top + height * TOP_SHARE))
    assert len(tops) == 1 + sum(count * count for _, count in TOP_GRID)
    for label, (x0, y0, x1, y1) in strips + tops:
        assert label.startswith("trimmed ")
        assert part[0] <= x0 < x1 <= part[2] + 1e-9
        assert part[1] <= y0 < y1 <= part[3] + 1e-9
    for (_, (x0, _, x1, _)), (_, (_, y0, _, y1)) in zip(strips[:2], strips[2:], strict=True):
        assert x1 - x0 == pytest.approx(width * STRIP_SHARE)
        assert y1 - y0 == pytest.approx(height * STRIP_SHARE)
    # The top of each crop: the crop's own left, top and width, TOP_SHARE of its height.
    crops = crop_boxes(5000, 5000, TOP_GRID, within=part)
    for (_, crop), (label, box) in zip(crops, tops[1:], strict=True):
        assert label.startswith("trimmed top of crop ")
        assert box[:3] == crop[:3]
        assert box[3] - box[1] == pytest.approx((crop[3] - crop[1]) * TOP_SHARE)


@pytest.mark.parametrize("name", PHOTOS)
def test_submission_set_starts_with_the_plain_hash_and_holds_good_distinct_hashes(
    photos_dir: Path, name: str
) -> None:
    picture = load_picture(photos_dir / name)
    signals = submission_signals(picture)
    assert signals[0] == hash_picture(picture).signal
    assert all(signal.quality >= EXTRA_MIN_QUALITY for signal in signals[1:])
    assert len({signal.hash for signal in signals}) == len(signals)
    labels = [label for label, _ in labelled_submission_signals(picture)]
    assert labels[:2] == ["plain", "rotate90_ccw"]
    assert "whole" in labels
    parts = {_part(label) for label in labels}
    assert {"left strip", "top", "top of crop 0.90 4 4"} <= parts
    scales = {label.split()[1] for label in parts if label.startswith("crop ")}
    assert scales == {f"{scale:.2f}" for scale, _ in CROP_GRID}
    assert len(signals) > 150


def _part(label: str) -> str:
    """The part a region hash's label names, in either orientation."""
    for ending in (" mirrored", " flipped", " transposed"):
        label = label.removesuffix(ending)
    return label


def _variants(image: Image.Image) -> dict[str, Image.Image]:
    width, height = image.size
    return {
        "mirror": image.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        "rotate 90": image.transpose(Image.Transpose.ROTATE_90),
        "rotate 180": image.transpose(Image.Transpose.ROTATE_180),
        "border 20%": ImageOps.expand(image, (width // 5, height // 5), fill=(255, 255, 255)),
        "rotate 3°": image.rotate(3, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0)),
        # Crops that fall between the stored grid's points: the query set's own crops line up.
        "crop 10%": image.crop((width // 30, height // 30, width * 92 // 100, height * 92 // 100)),
        "crop 15%": image.crop(
            (width * 4 // 100, height * 11 // 100, width * 89 // 100, height * 96 // 100)
        ),
        "caption": _captioned(image),
        # Turned or mirrored, then cropped: the parts are hashed in one orientation of eight.
        "mirror + crop 10%": image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).crop(
            (width // 30, height // 30, width * 92 // 100, height * 92 // 100)
        ),
        "rotate 90 + crop 10%": image.transpose(Image.Transpose.ROTATE_90).crop(
            (height // 30, width // 20, height * 93 // 100, width * 95 // 100)
        ),
    }


def _captioned(image: Image.Image) -> Image.Image:
    """A black band with white words across the lower part, as chat apps and memes add."""
    captioned = image.copy()
    draw = ImageDraw.Draw(captioned)
    top = image.height * 4 // 5
    draw.rectangle((0, top, image.width, top + image.height // 9), fill=(0, 0, 0))
    draw.text((image.width // 10, top + 8), "look at this lol", fill=(255, 255, 255))
    return captioned


@pytest.fixture(scope="module")
def stored_sets(photos_dir: Path) -> dict[str, tuple[PdqSignal, ...]]:
    return {name: submission_signals(_decoded(_image(photos_dir, name), "PNG")) for name in PHOTOS}


@pytest.mark.parametrize("name", PHOTOS)
def test_variants_match_only_their_own_submission_set(
    photos_dir: Path, stored_sets: dict[str, tuple[PdqSignal, ...]], name: str
) -> None:
    image = _image(photos_dir, name)
    stored = stored_sets[name]
    others = [stored_sets[other] for other in PHOTOS if other != name]
    for variant_name, variant in _variants(image).items():
        queries = query_signals(_decoded(variant))
        assert _matches(stored, queries) <= DEFAULT_THRESHOLD, variant_name
        for other in others:
            assert _matches(other, queries) > DEFAULT_THRESHOLD, variant_name


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((96, 48), (256, 128)),  # enlarged to 128 on the short side
        ((48, 300), (128, 800)),
        ((128, 90), (182, 128)),
        ((200, 128), (200, 128)),  # large enough: as it is
        ((640, 480), (591, 443)),  # shrunk to at most 512 x 512
        ((2000, 12), (6610, 40)),  # a thin strip: enlarged only as far as 512 x 512
    ],
)
def test_working_pixels_shrink_large_and_enlarge_small_pictures(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    width, height = size
    pixels = np.random.default_rng(width).integers(0, 256, (height, width, 3), dtype=np.uint8)
    working = working_pixels(load_picture(pixels))
    assert working.shape == (expected[1], expected[0], 3)
    assert working.shape[0] * working.shape[1] <= WORKING_PIXELS * 1.01
    assert min(working.shape[:2]) >= min(MIN_WORKING_SIDE, *size) or 12 in size


def test_a_quarter_size_copy_of_a_small_page_is_found(photos_dir: Path) -> None:
    """A text page at a quarter size (48 x 96) is too small for crops of its own pixels, and its
    plain hash is far from the original's; its enlarged working copy's halves are not."""
    image = _image(photos_dir, "skimage_page.png", 1024)
    small = image.resize((image.width // 4, image.height // 4), Image.Resampling.LANCZOS)
    stored = submission_signals(_decoded(image, "PNG"))
    labelled = labelled_query_signals(_decoded(small))
    assert min(small.size) < 64
    assert "left half" in [_part(label) for label, _ in labelled]
    assert _matches(stored[:1], (labelled[0][1],)) > DEFAULT_THRESHOLD
    assert _matches(stored, tuple(signal for _, signal in labelled)) <= DEFAULT_THRESHOLD


def _chat_caption(image: Image.Image) -> Image.Image:
    """A chat app's caption: white words on a translucent dark band from 72 % of the height."""
    band = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(band)
    top, height = int(image.height * 0.72), image.height // 9
    draw.rectangle((0, top, image.width, top + height), fill=(0, 0, 0, 140))
    font = ImageFont.load_default(size=int(height * 0.7))
    middle = (image.width // 2, top + height // 2)
    draw.text(middle, "lol look at this", fill=(255, 255, 255, 255), font=font, anchor="mm")
    return Image.alpha_composite(image.convert("RGBA"), band).convert("RGB")


def _nearest(
    stored: tuple[tuple[str, PdqSignal], ...], queries: tuple[tuple[str, PdqSignal], ...]
) -> tuple[int, str, str]:
    """The smallest distance, and the labels of the stored and query hash at it."""
    return min(
        (s.hash.distance(q.hash), stored_label, query_label)
        for stored_label, s in stored
        for query_label, q in queries
    )


def test_a_caption_over_a_photo_below_smooth_sky_is_found(photos_dir: Path) -> None:
    """Storm: of the halves and crops, what leaves out the caption band is the sky, whose parts
    PDQ rates below quality 50 (40-49 here); at 50 both sets left them out and the copy was 48
    bits away. (The tops, which hold the dark hills under the sky too, now match as well.)"""
    image = _image(photos_dir, "Storm.jpg", 1024)
    captioned = _chat_caption(image)
    stored = labelled_submission_signals(_decoded(image, "PNG"))
    queries = labelled_query_signals(_decoded(captioned))

    def halves_and_crops(label: str) -> bool:
        label = _part(label).removeprefix("trimmed ")
        return not (label == "top" or label.startswith("top of ") or label.endswith(" strip"))

    near = [
        (s.hash.distance(q.hash), s.quality, q.quality)
        for stored_label, s in stored
        for query_label, q in queries
        if s.hash.distance(q.hash) <= DEFAULT_THRESHOLD
        and halves_and_crops(stored_label)
        and halves_and_crops(query_label)
    ]
    assert near
    assert all(min(qualities) < 50 for _, *qualities in near)


def test_a_cropped_captioned_copy_is_found_by_its_top(photos_dir: Path) -> None:
    """Cropped by 10 % and captioned: the crops that hold the band drift past 31 bits (Blinds:
    46); the copy's top, above the band, lines up with the top of a stored 0.90 crop."""
    image = _image(photos_dir, "Blinds.jpg", 1024)
    width, height = image.size
    left, top = round(width * 0.037), round(height * 0.081)
    crop = image.crop((left, top, left + round(width * 0.9), top + round(height * 0.9)))
    out = io.BytesIO()
    _chat_caption(crop).save(out, "JPEG", quality=50)
    stored = labelled_submission_signals(_decoded(image, "PNG"))
    queries = labelled_query_signals(load_picture(out.getvalue()))
    distance, stored_label, query_label = _nearest(stored, queries)
    assert distance <= DEFAULT_THRESHOLD
    assert (_part(stored_label).split(" of ")[0], _part(query_label)) == ("top", "top")
    assert stored_label.removeprefix(_part(stored_label)) == query_label.removeprefix("top")
    without_tops = tuple((label, s) for label, s in stored if not label.startswith("top"))
    assert _nearest(without_tops, queries)[0] > DEFAULT_THRESHOLD


def test_a_sticker_across_the_centre_is_found_by_a_strip(photos_dir: Path) -> None:
    """A bright face a sixth of the short side across, on the centre of a dark photo: every
    half and crop holds it; a strip (the outer 40 % of a side) leaves it out."""
    image = _image(photos_dir, "Storm.jpg", 1024)
    stickered = image.copy()
    size = min(image.size) // 6
    x, y = (image.width - size) // 2, (image.height - size) // 2
    draw = ImageDraw.Draw(stickered)
    draw.ellipse((x, y, x + size, y + size), fill=(255, 204, 0), outline=(120, 80, 0), width=3)
    stored = labelled_submission_signals(_decoded(image, "PNG"))
    queries = labelled_query_signals(_decoded(stickered))
    distance, stored_label, query_label = _nearest(stored, queries)
    assert distance <= DEFAULT_THRESHOLD
    assert stored_label == query_label
    assert _part(stored_label).endswith(" strip")
    without_strips = tuple((label, s) for label, s in stored if not _part(label).endswith(" strip"))
    assert _nearest(without_strips, queries)[0] > DEFAULT_THRESHOLD


def test_blown_out_counts_pixels_whose_brightest_channel_is_clipped() -> None:
    pixels = np.full((10, 10, 3), 120, dtype=np.uint8)
    assert not blown_out(pixels)
    pixels[:5, :, 1] = 250  # half the pixels have green at 250
    assert blown_out(pixels)
    pixels[0, 0, 1] = 249
    assert not blown_out(pixels)


def test_a_brightened_light_photo_is_found_by_its_least_channel(photos_dir: Path) -> None:
    """Wood, a light photo, brightened by 30 %: red and green clip on most pixels, so the luma
    is nearly flat and the plain hash drifts past 31 bits; the least channel (blue here) keeps
    the grain."""
    image = _image(photos_dir, "Wood.jpg", 1024)
    stored = submission_signals(_decoded(image, "PNG"))
    brightened = labelled_query_signals(_decoded(ImageEnhance.Brightness(image).enhance(1.3)))
    labels = [label for label, _ in brightened]
    assert labels[:2] == ["plain", "least channel"]
    assert _matches(stored[:1], (brightened[0][1],)) > DEFAULT_THRESHOLD
    assert _matches(stored[:1], (brightened[1][1],)) <= 20
    ordinary = labelled_query_signals(_decoded(image))
    assert "least channel" not in [label for label, _ in ordinary]


def test_plain_pdq_misses_what_the_submission_set_catches(photos_dir: Path) -> None:
    """The test above could not pass on plain PDQ: a bordered copy is far from the plain hash."""
    image = _image(photos_dir, "opencv_fruits.jpg")
    bordered = ImageOps.expand(image, (image.width // 5, image.height // 5), fill=(0, 0, 0))
    plain = hash_picture(_decoded(image, "PNG")).signal
    assert plain.hash.distance(hash_picture(_decoded(bordered)).signal.hash) > DEFAULT_THRESHOLD


def test_cli_prints_the_submission_set(photos_dir: Path) -> None:
    path = photos_dir / "opencv_fruits.jpg"
    result = CliRunner().invoke(
        cli_main, ["hash", "--submission-set", "--no-progress", "-j", "1", str(path)]
    )
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout.splitlines()[0])
    expected = submission_signals(load_picture(path))
    assert [item["pdq"] for item in row["submission_set"]] == [
        signal.hash.to_hex() for signal in expected
    ]
    assert row["submission_set"][0]["kind"] == "plain"


def test_cli_prints_the_query_set(photos_dir: Path) -> None:
    path = photos_dir / "opencv_fruits.jpg"
    result = CliRunner().invoke(
        cli_main, ["hash", "--query-set", "--format", "csv", "--no-progress", "-j", "1", str(path)]
    )
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = labelled_query_signals(load_picture(path))
    assert row["query_set"].split() == [signal.hash.to_hex() for _, signal in expected]
    assert "submission_set" not in row
