"""PDQ-compatible hashes of many parts of one picture at once: the crop grids.

Hashing a part with PDQ itself (:func:`stukje.hashing.variants.hash_window`) costs a few
milliseconds; the crop grids, strips and tops need about 250 parts per submitted picture and
about 55 per checked one. A *region hash* follows PDQ's steps on the part, with one difference:

1. luma of the picture, in integers: ``299 R + 587 G + 114 B`` (PDQ's weights, x 1000), summed
   once into a summed-area table, from which every part is read;
2. the part is cut into 64 x 64 cells, cell edge ``k`` at ``floor(left + (right - left) * k / 64
   + 0.5)`` pixels (likewise for rows), and each cell's mean luma is read from the table. This is
   the difference: PDQ blurs with a tent filter and samples 64 x 64 points;
3. the 16 x 16 lowest DCT-II coefficients but the constant one (PDQ's basis, rows 1-16) of that
   64 x 64 grid; a bit is 1 where the coefficient is above the 128th smallest of the 256 (PDQ's
   median), in pdqhash's bit order;
4. the quality as PDQ computes it from the 64 x 64 grid's gradients (0-100);
5. the part's *leans*, which say how it is turned: ``left``, its left-right brightness
   gradient (the coefficient of vertical frequency 0 and horizontal frequency 1), and ``top``,
   its top-bottom one (coefficient (1, 0)), each over the root sum of squares of the 17 x 17
   lowest coefficients but the constant one (-1 to 1; above 0 when the left, or the top, is the
   brighter); and ``across``, how much more its brightness varies left to right than top to
   bottom: (a - b) / (a + b) for a and b the summed squares of coefficients (0, 1..7) and
   (1..7, 0). Mirroring a part negates ``left``, flipping it negates ``top``, transposing it
   swaps the two and negates ``across``; :mod:`stukje.hashing.variants` uses them to hash every
   part in one orientation of the eight (docs/quality.md, "Turned and mirrored parts").

A region hash lies within about 10 bits of PDQ of the same part, so it is stored and matched as a
PDQ signal; it is meant to be compared with region hashes of the other side's grid. Parts
narrower or shorter than 64 pixels are not hashed (None). The table and the cells are compiled
loops (numba, as the index's kernels): about 1.3 ms for the 50 parts of a checked picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final, NamedTuple

import numba as nb
import numpy as np
import numpy.typing as npt

from stukje.hashing.pdq import PdqSignal
from stukje.hashing.signal import PdqHash

__all__ = ["GRID", "RegionBox", "RegionHash", "region_signals"]

#: Cells per side of the grid each part is shrunk to (PDQ's 64).
GRID: Final = 64
#: Part in picture pixels: left, top, right, bottom (may be fractional; right/bottom exclusive).
RegionBox = tuple[float, float, float, float]

_ROWS: Final = np.arange(1, 17, dtype=np.float64)[:, np.newaxis]
_COLUMNS: Final = np.arange(GRID, dtype=np.float64)[np.newaxis, :]
#: PDQ's DCT basis: rows 1-16 of the 64-point DCT-II (the constant row 0 left out).
_DCT: Final = np.sqrt(2.0 / GRID) * np.cos(np.pi / 2 / GRID * _ROWS * (2 * _COLUMNS + 1))
_STEPS: Final = np.arange(GRID + 1, dtype=np.float64) / GRID
#: The constant row of the same DCT (left out of the hash, needed for the leans).
_CONSTANT: Final = math.sqrt(2.0 / GRID)
#: A grid whose low coefficients' root sum of squares is under this is flat: its leans are 0.
#: (One grey level of difference between two halves already gives about 45.)
_FLAT_ROOT: Final = 1e-6
#: ``across`` compares the coefficients (0, 1..ACROSS_TERMS) with (1..ACROSS_TERMS, 0).
ACROSS_TERMS: Final = 7


class RegionHash(NamedTuple):
    """A part's region hash and its leans (see the module's step 5)."""

    signal: PdqSignal
    left: float  # -1 to 1: above 0 when the part's left side is the brighter
    top: float  # -1 to 1: above 0 when its top is the brighter
    across: float  # -1 to 1: above 0 when it varies more left to right than top to bottom


def region_signals(
    pixels: npt.NDArray[np.uint8], boxes: Sequence[RegionBox]
) -> list[RegionHash | None]:
    """One region hash per box of this (H, W, 3) RGB picture, None for a part under 64 pixels."""
    if not boxes:
        return []
    table = _summed_area(np.ascontiguousarray(pixels))
    box = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    xs = _edges(box[:, 0], box[:, 2])
    ys = _edges(box[:, 1], box[:, 3])
    usable = (np.diff(xs, axis=1).min(axis=1) > 0) & (np.diff(ys, axis=1).min(axis=1) > 0)
    out: list[RegionHash | None] = [None] * len(box)
    if not usable.any():
        return out
    grid, qualities = _cells_and_quality(table, xs[usable], ys[usable])
    coefficients = (_DCT @ grid @ _DCT.T).reshape(len(grid), 256)
    median = np.sort(coefficients, axis=1)[:, 127:128]  # PDQ's median: the 128th smallest
    above = coefficients > median
    bits = np.packbits(above[:, ::-1], axis=1)
    leans = _leans(grid, coefficients).tolist()
    for slot, code, quality, (left, top, across) in zip(
        np.flatnonzero(usable), bits, qualities, leans, strict=True
    ):
        signal = PdqSignal(PdqHash(code.tobytes()), int(quality))
        out[slot] = RegionHash(signal, left, top, across)
    return out


def _leans(
    grid: npt.NDArray[np.float64], coefficients: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """(n, 3) leans of each grid: left, top and across (the module's step 5), all 0 for a flat
    grid (where the root is rounding noise, under _FLAT_ROOT). ``coefficients`` are the
    16 x 16 of the hash."""
    column_sums, row_sums = _line_sums(grid)
    top_row = _CONSTANT * (column_sums @ _DCT.T)  # coefficients (0, 1..16)
    left_column = _CONSTANT * (row_sums @ _DCT.T)  # coefficients (1..16, 0)
    energy = (coefficients**2).sum(axis=1)
    energy += (top_row**2).sum(axis=1) + (left_column**2).sum(axis=1)
    root = np.sqrt(energy)
    flat = root < _FLAT_ROOT
    along = (top_row[:, :ACROSS_TERMS] ** 2).sum(axis=1)
    down = (left_column[:, :ACROSS_TERMS] ** 2).sum(axis=1)
    leans = np.zeros((len(grid), 3))
    np.divide(top_row[:, 0], root, out=leans[:, 0], where=~flat)
    np.divide(left_column[:, 0], root, out=leans[:, 1], where=~flat)
    np.divide(along - down, along + down, out=leans[:, 2], where=~flat & (along + down > 0))
    return leans


@nb.njit(cache=True, nogil=True)
def _summed_area(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:  # pragma: no cover
    """(H + 1, W + 1) sums of integer luma over [0, y) x [0, x), in one pass."""
    height, width = pixels.shape[0], pixels.shape[1]
    table = np.zeros((height + 1, width + 1), dtype=np.int64)
    for y in range(height):
        row = np.int64(0)
        for x in range(width):
            row += 299 * np.int64(pixels[y, x, 0])
            row += 587 * np.int64(pixels[y, x, 1]) + 114 * np.int64(pixels[y, x, 2])
            table[y + 1, x + 1] = table[y, x + 1] + row
    return table


@nb.njit(cache=True, nogil=True)
def _line_sums(
    grid: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:  # pragma: no cover
    """Each grid's column sums and row sums, (n, 64) each, in one pass."""
    count = grid.shape[0]
    columns = np.zeros((count, GRID))
    rows = np.zeros((count, GRID))
    for part in range(count):
        for i in range(GRID):
            total = 0.0
            for j in range(GRID):
                value = grid[part, i, j]
                columns[part, j] += value
                total += value
            rows[part, i] = total
    return columns, rows


def _edges(start: npt.NDArray[np.float64], end: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
    """(n, 65) whole-pixel cell edges along one axis of each part."""
    raw = start[:, np.newaxis] + (end - start)[:, np.newaxis] * _STEPS[np.newaxis, :]
    return np.floor(raw + 0.5).astype(np.intp)


@nb.njit(cache=True, nogil=True)
def _cells_and_quality(
    table: npt.NDArray[np.int64], xs: npt.NDArray[np.intp], ys: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:  # pragma: no cover
    """(n, 64, 64) mean luma (0-255) of each part's cells, and PDQ's quality of each grid: the
    summed gradients between neighbouring cells (each truncated to 0-100) / 90, at most 100."""
    count = xs.shape[0]
    means = np.empty((count, GRID, GRID), dtype=np.float64)
    quality = np.empty(count, dtype=np.int64)
    for part in range(count):
        grid = means[part]
        for i in range(GRID):
            top, bottom = ys[part, i], ys[part, i + 1]
            for j in range(GRID):
                left, right = xs[part, j], xs[part, j + 1]
                total = table[bottom, right] - table[top, right]
                total += table[top, left] - table[bottom, left]
                grid[i, j] = total / ((bottom - top) * (right - left) * 1000.0)
        gradients = 0
        for i in range(GRID):
            for j in range(GRID - 1):
                gradients += int(abs(grid[i, j + 1] - grid[i, j]) * 100 / 255)
                gradients += int(abs(grid[j + 1, i] - grid[j, i]) * 100 / 255)
        quality[part] = min(100, gradients // 90)
    return means, quality
