"""trim_box against a plain reference implementation of the trimming rule (docs/quality.md).

trim_box skips the median test for lines that a histogram shows cannot be flat, and skips the
second pass when the first keeps every column; neither may change a single answer.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from stukje.hashing import trim_box
from stukje.hashing.variants import (
    TRIM_LUMA_TOLERANCE,
    TRIM_MIN_KEPT,
    TRIM_MIN_REMOVED,
    TRIM_OUTLIER_SHARE,
    _exactly_flat,
    _longest_busy_run,
    _luma_bins,
    _may_be_flat,
    luma,
)

Pixels = npt.NDArray[np.uint8]


def _reference_flat(values: npt.NDArray[np.float32]) -> list[bool]:
    flat = []
    for line in values:
        median = np.median(line)
        outliers = int(np.count_nonzero(np.abs(line - median) > TRIM_LUMA_TOLERANCE))
        flat.append(outliers <= TRIM_OUTLIER_SHARE * len(line))
    return flat


def reference_trim_box(pixels: Pixels) -> tuple[int, int, int, int] | None:
    """The rule as docs/quality.md states it: every line tested, always two passes (the
    longest-run step is the engine's own; the speed-ups are in the flat test and the passes)."""
    values = luma(pixels)
    height, width = values.shape
    top, bottom, left, right = 0, height, 0, width
    for _ in range(2):
        start, end = _longest_busy_run(np.array(_reference_flat(values[top:bottom, left:right])))
        top, bottom = top + start, top + end
        if bottom <= top:
            return None
        start, end = _longest_busy_run(np.array(_reference_flat(values[top:bottom, left:right].T)))
        left, right = left + start, left + end
        if right <= left:
            return None
    if min((right - left) / width, (bottom - top) / height) < TRIM_MIN_KEPT:
        return None
    removed = max(left / width, top / height, 1 - right / width, 1 - bottom / height)
    return None if removed < TRIM_MIN_REMOVED else (left, top, right, bottom)


@st.composite
def framed_pictures(draw: st.DrawFn) -> Pixels:
    """Busy or near-flat content inside borders and bars, with noise near the tolerance."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    height, width = draw(st.integers(1, 90)), draw(st.integers(1, 90))
    level = rng.integers(0, 256, 3)
    spread = draw(st.integers(0, 14))
    pixels = level + rng.integers(-spread, spread + 1, (height, width, 3))
    if draw(st.booleans()):  # busy content somewhere inside
        top, left = draw(st.integers(0, height - 1)), draw(st.integers(0, width - 1))
        bottom, right = draw(st.integers(top, height)), draw(st.integers(left, width))
        pixels[top:bottom, left:right] = rng.integers(0, 256, (bottom - top, right - left, 3))
    for _ in range(draw(st.integers(0, 3))):  # bars and borders, flat or slightly noisy
        side, depth = draw(st.sampled_from("tblr")), draw(st.integers(1, 20))
        colour = rng.integers(0, 256, 3) + rng.integers(-spread, spread + 1, (3,))
        if side == "t":
            pixels[:depth] = colour
        elif side == "b":
            pixels[-depth:] = colour
        elif side == "l":
            pixels[:, :depth] = colour
        else:
            pixels[:, -depth:] = colour
    outliers = draw(st.integers(0, 6))  # stray pixels, around the 2 % a flat line may hold
    ys, xs = rng.integers(0, height, outliers), rng.integers(0, width, outliers)
    pixels[ys, xs] = rng.integers(0, 256, (outliers, 3))
    return np.ascontiguousarray(np.clip(pixels, 0, 255), dtype=np.uint8)


@settings(max_examples=400, deadline=None)
@given(framed_pictures())
def test_trim_box_follows_the_reference_rule(pixels: Pixels) -> None:
    assert trim_box(pixels) == reference_trim_box(pixels)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 6),
    st.integers(1, 400),
    st.integers(0, 14),
    st.integers(0, 12),
)
def test_the_histogram_filter_never_drops_a_flat_line(
    seed: int, rows: int, length: int, spread: int, outliers: int
) -> None:
    rng = np.random.default_rng(seed)
    level = rng.integers(0, 256, 3)
    pixels = np.clip(level + rng.integers(-spread, spread + 1, (rows, length, 3)), 0, 255)
    ys, xs = rng.integers(0, rows, outliers), rng.integers(0, length, outliers)
    pixels[ys, xs] = rng.integers(0, 256, (outliers, 3))
    values = luma(pixels.astype(np.uint8))
    flat = _exactly_flat(values)
    assert not np.any(flat & ~_may_be_flat(_luma_bins(values)))


def test_the_histogram_filter_drops_busy_lines() -> None:
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[np.newaxis, :, np.newaxis], 3, axis=2)
    values = luma(np.concatenate([ramp, np.full_like(ramp, 90)]))
    assert _may_be_flat(_luma_bins(values)).tolist() == [False, True]
