"""PDQ in compiled loops (numba): bit for bit the hash and quality that pdqhash gives, faster.

A port of stukje's own JavaScript PDQ (src/stukje/web/static/pdq.js), which follows the published
algorithm in single precision, rounding to float at each step where the reference rounds:

1. luma ``0.299 R + 0.587 G + 0.114 B`` in double precision (pdqhash's numpy step), stored as
   float32; computed here as the float32 quotient ``(299 R + 587 G + 114 B) / 1000``, which is
   the same float32 for every colour (see :func:`_luma_row`);
2. unless the picture is exactly 64 x 64, two rounds of a box filter along the rows, then along
   the columns, with a window of ``ceil(side / 128)``; each pass keeps a running float32 sum that
   adds the sample entering the window, then subtracts the one leaving it, and divides it by
   the number of samples in the (edge-shortened) window;
3. 64 x 64 samples at the centres of a 64 x 64 partition of the blurred picture;
4. quality from the gradients between neighbouring samples; the 16 x 16 lowest non-constant
   DCT-II coefficients (float32 products and sums in the reference's order); bit ``k = 16 i + j``
   set where coefficient ``(i, j)`` is above the 128th smallest of the 256.

Pictures under 5 pixels on a side hash to zero bits with quality 0, as in pdqhash.

Only the order of the float operations *for each sample* decides the result, so the loops are
laid out for speed (see :func:`_blur_and_sample`): passes along rows run on strips of 16 rows
turned on their side, so that 16 running sums advance together in one vector; the picture is
swept once, strip by strip, keeping only a few strips in memory; the second round divides only
at the sampled rows and columns (its running sums still go through every sample). No fast-math:
numba keeps float32 arithmetic in float32 and never fuses a multiply and an add.

On one core: 0.32 ms for a 384 x 369 picture (pdqhash.compute 1.7 ms), 0.55 ms for 512 x 512
(4.7 ms); all 8 dihedral hashes cost 0.02 ms more.
"""

from __future__ import annotations

import math
from typing import Final

import numba as nb
import numpy as np
import numpy.typing as npt

__all__ = ["MIN_HASHABLE", "pdq_bits", "pdq_coefficients", "pdq_dihedral_bits"]

#: Pictures narrower or shorter than this hash to zero bits with quality 0 (as in pdqhash).
MIN_HASHABLE: Final = 5
_GRID: Final = 64
_STRIP: Final = 16  # rows per strip in the passes along rows (one AVX-512 vector of float32)
_BOX_DIVISOR: Final = 128  # window = ceil(side / 128): two passes of it span side / 64


def _dct_matrix() -> npt.NDArray[np.float32]:
    """Rows 1-16 of the 64-point DCT-II basis, as the reference rounds them: a float32 scale
    times a double cosine (the C library's, as the reference's), rounded to float32."""
    scale = float(np.float32(math.sqrt(2.0 / _GRID)))
    matrix = np.empty((16, _GRID), dtype=np.float32)
    for i in range(16):
        for j in range(_GRID):
            matrix[i, j] = scale * math.cos((math.pi / 2.0 / _GRID) * (i + 1) * (2 * j + 1))
    return matrix


_DCT: Final = _dct_matrix()
_DCT_T: Final = np.ascontiguousarray(_DCT.T)

# The DCT of a rotated or mirrored picture, from the original's (pdqhash.compute_dihedral's
# order: original, rotated 90° counter-clockwise, 180°, 90° clockwise, flipped top to bottom,
# left to right, transposed, anti-transposed): coefficient (i, j) negated where 1: j is even,
# 2: i is even, 3: i + j is odd; then the 16 x 16 block transposed or not.
_NEGATE: Final = np.array([0, 1, 3, 2, 2, 1, 0, 3], dtype=np.int64)
_TRANSPOSE: Final = np.array([False, True, False, True, False, False, True, True])


def pdq_bits(pixels: npt.NDArray[np.uint8]) -> tuple[bytes, int]:
    """PDQ hash (32 bytes, as ``PdqHash.from_bits`` of pdqhash's vector) and quality (0-100) of an
    (H, W, 3) RGB uint8 picture, exactly as ``pdqhash.compute`` gives them."""
    codes, _, quality = _pdq(_checked(pixels), False)
    return codes[0].tobytes(), int(quality)


def pdq_dihedral_bits(pixels: npt.NDArray[np.uint8]) -> tuple[tuple[bytes, ...], int]:
    """The 8 dihedral hashes in ``pdqhash.compute_dihedral``'s order (original, rotated 90°
    counter-clockwise, 180°, 90° clockwise, flipped top to bottom, left to right, transposed,
    anti-transposed) and the quality, exactly as pdqhash gives them.

    As in pdqhash, a 64 x 64 picture is blurred here and not in :func:`pdq_bits`, so the first
    of these can differ from :func:`pdq_bits` in a few bits for exactly 64 x 64 pixels."""
    codes, _, quality = _pdq(_checked(pixels), True)
    return tuple(code.tobytes() for code in codes), int(quality)


def pdq_coefficients(pixels: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], int]:
    """The 16 x 16 float32 DCT coefficients (row-major, before the median) and the quality, as
    :func:`pdq_bits` computes them; ``pdqhash.compute_float`` gives the same in reverse order.
    Zeros under 5 pixels on a side."""
    _, coefficients, quality = _pdq(_checked(pixels), False)
    return coefficients.ravel(), int(quality)


def _checked(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """C-contiguous and read-only: the kernels only read pixels, and one array type means one
    compilation (numba compiles writeable and read-only arrays apart; Pillow's are read-only)."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(
            f"expected (height, width, 3) uint8 pixels, got {pixels.dtype} {pixels.shape}"
        )
    view = np.ascontiguousarray(pixels).view()
    view.flags.writeable = False
    return view


# ---------------------------------------------------------------- compiled steps


@nb.njit(cache=True, nogil=True)
def _pdq(
    pixels: npt.NDArray[np.uint8], dihedral: bool
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32], int]:  # pragma: no cover
    """The codes (1 or, dihedral, 8 rows of 32 bytes), the coefficients and the quality. One
    entry point, so that numba compiles the steps once."""
    codes = np.zeros((8 if dihedral else 1, 32), dtype=np.uint8)
    if pixels.shape[0] < MIN_HASHABLE or pixels.shape[1] < MIN_HASHABLE:
        return codes, np.zeros((16, 16), dtype=np.float32), 0
    rows, cols = pixels.shape[0], pixels.shape[1]
    if rows == _GRID and cols == _GRID and not dihedral:
        # pdqhash.compute takes a 64 x 64 picture as its own grid; its dihedral path blurs it all
        # the same (a window of 1, which still rounds).
        grid = np.empty((_GRID, _GRID), dtype=np.float32)
        for r in range(_GRID):
            _luma_row(pixels[r].reshape(-1), grid[r])
    else:
        grid = _blur_and_sample(pixels)
    quality = _quality(grid)
    a = _dct16(grid)
    if not dihedral:
        codes[0] = _code(a)
        return codes, a, quality
    b = np.empty((16, 16), dtype=np.float32)
    for variant in range(8):
        negate = _NEGATE[variant]
        turn = _TRANSPOSE[variant]
        for i in range(16):
            for j in range(16):
                v = a[i, j]
                if (
                    (negate == 1 and j % 2 == 0)
                    or (negate == 2 and i % 2 == 0)
                    or (negate == 3 and (i + j) % 2 == 1)
                ):
                    v = -v
                if turn:
                    b[j, i] = v
                else:
                    b[i, j] = v
        codes[variant] = _code(b)
    return codes, a, quality


@nb.njit(cache=True, nogil=True)
def _code(coefficients: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:  # pragma: no cover
    """Bit k = 16 i + j set where coefficient (i, j) is above the 128th smallest; byte 0's high
    bit is bit 255 (pdqhash's vector order, packed)."""
    flat = coefficients.ravel()
    median = _kth_smallest(flat.copy(), 127)
    code = np.zeros(32, dtype=np.uint8)
    for byte in range(32):
        value = 0
        for t in range(8):
            if flat[255 - 8 * byte - t] > median:
                value |= 1 << (7 - t)
        code[byte] = value
    return code


@nb.njit(cache=True, nogil=True)
def _kth_smallest(values: npt.NDArray[np.float32], k: int) -> np.float32:  # pragma: no cover
    """The (k + 1)-th smallest of values (reordered in place): Wirth's selection, which spares
    numba the compilation of a whole sort."""
    low = 0
    high = values.shape[0] - 1
    while low < high:
        pivot = values[k]
        i = low
        j = high
        while i <= j:
            while values[i] < pivot:
                i += 1
            while pivot < values[j]:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if j < k:
            low = i
        if k < i:
            high = j
    return np.float32(values[k])


@nb.njit(cache=True, nogil=True)
def _luma_row(rgb: npt.NDArray[np.uint8], out: npt.NDArray[np.float32]) -> None:  # pragma: no cover
    """Luma of one row (rgb: its pixels' R, G, B bytes in a row) as float32.

    pdqhash computes ``0.299 R + 0.587 G + 0.114 B`` in double precision and rounds it to float32.
    That is the float32 nearest to N / 1000, N = 299 R + 587 G + 114 B: the double's error (a few
    units in its 53rd bit) never carries it across a point halfway between two float32s, since
    N / 1000 is never such a point and stays at least 2**-35 of its value away from one. And the
    float32 division N / 1000 of two exact float32s is that nearest float32. (The test checks all
    2**24 colours.)"""
    # N in float32 is exact (whole numbers below 2**24), whatever the order of the adds.
    red_weight = np.float32(299.0)
    green_weight = np.float32(587.0)
    blue_weight = np.float32(114.0)
    thousand = np.float32(1000.0)
    for c in range(out.shape[0]):
        red = np.float32(rgb[3 * c]) * red_weight
        green = np.float32(rgb[3 * c + 1]) * green_weight
        blue = np.float32(rgb[3 * c + 2]) * blue_weight
        out[c] = (red + green + blue) / thousand


@nb.njit(cache=True, nogil=True)
def _counts(n: int, window: int) -> npt.NDArray[np.float32]:  # pragma: no cover
    """How many samples each output of a box pass over n samples averages (float32): output o
    averages samples o - (window - half) to o + half - 1, half = (window + 2) // 2, cut to the
    picture."""
    half = (window + 2) // 2
    counts = np.empty(n, dtype=np.float32)
    for o in range(n):
        first = max(o - (window - half), 0)
        last = min(o + half - 1, n - 1)
        counts[o] = np.float32(last - first + 1)
    return counts


@nb.njit(cache=True, nogil=True)
def _sweep(
    src: npt.NDArray[np.float32],
    dst: npt.NDArray[np.float32],
    window: int,
    counts: npt.NDArray[np.float32],
    sums: npt.NDArray[np.float32],
) -> None:  # pragma: no cover
    """One box pass down axis 0 of src (n, m), all m lanes at once, into dst (n, m).

    Per lane the reference's steps: add the first half - 1 samples; then for each output add
    the sample entering the window (while there is one), subtract the one leaving it (once one
    leaves), and divide by the output's sample count."""
    n, m = src.shape[0], src.shape[1]
    half = (window + 2) // 2
    for c in range(m):
        sums[c] = np.float32(0.0)
    for right in range(half - 1):
        for c in range(m):
            sums[c] = sums[c] + src[right, c]
    for out in range(n):
        right = out + half - 1
        left = out - (window - half) - 1
        count = counts[out]
        if right < n and left >= 0:
            for c in range(m):
                total = sums[c] + src[right, c]
                total = total - src[left, c]
                sums[c] = total
                dst[out, c] = total / count
        elif right < n:
            for c in range(m):
                total = sums[c] + src[right, c]
                sums[c] = total
                dst[out, c] = total / count
        else:
            for c in range(m):
                total = sums[c] - src[left, c]
                sums[c] = total
                dst[out, c] = total / count


@nb.njit(cache=True, nogil=True)
def _sweep_at(
    src: npt.NDArray[np.float32],
    window: int,
    counts: npt.NDArray[np.float32],
    positions: npt.NDArray[np.int64],
    dst: npt.NDArray[np.float32],
) -> None:  # pragma: no cover
    """:func:`_sweep`, keeping only the outputs at positions (increasing): dst[p] is output
    positions[p]. The running sums still go through every sample."""
    n, m = src.shape[0], src.shape[1]
    half = (window + 2) // 2
    sums = np.zeros(m, dtype=np.float32)
    for right in range(half - 1):
        for c in range(m):
            sums[c] = sums[c] + src[right, c]
    p = 0
    for out in range(positions[-1] + 1):
        right = out + half - 1
        left = out - (window - half) - 1
        if right < n and left >= 0:
            for c in range(m):
                total = sums[c] + src[right, c]
                sums[c] = total - src[left, c]
        elif right < n:
            for c in range(m):
                sums[c] = sums[c] + src[right, c]
        else:
            for c in range(m):
                sums[c] = sums[c] - src[left, c]
        if positions[p] == out:
            count = counts[out]
            for c in range(m):
                dst[p, c] = sums[c] / count
            p += 1


@nb.njit(cache=True, nogil=True)
def _sample_positions(
    n: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:  # pragma: no cover
    """The distinct positions (increasing) that the 64 samples along a side of n read, and for
    each of the 64 samples the index of its position among them."""
    positions = np.empty(_GRID, dtype=np.int64)
    slots = np.empty(_GRID, dtype=np.int64)
    distinct = 0
    for k in range(_GRID):
        position = int(((k + 0.5) * n) / _GRID)
        if distinct == 0 or positions[distinct - 1] != position:
            positions[distinct] = position
            distinct += 1
        slots[k] = distinct - 1
    return positions[:distinct], slots


@nb.njit(cache=True, nogil=True)
def _blur_and_sample(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:  # pragma: no cover
    """Two rounds of box passes (rows, then columns), then the 64 x 64 samples.

    One sweep down the picture in strips of _STRIP rows: the strip's luma, turned on its side,
    gets round 1 along its rows; those rows go into a ring of recent rows, from which round 1
    along the columns makes every output row it can; those rows, turned again in strips, get
    round 2 along the rows, kept at the sampled columns. Round 2 along the columns then runs
    over the kept columns alone. The working set stays a few strips, whatever the picture."""
    rows, cols = pixels.shape[0], pixels.shape[1]
    along_rows = (cols + _BOX_DIVISOR - 1) // _BOX_DIVISOR
    along_cols = (rows + _BOX_DIVISOR - 1) // _BOX_DIVISOR
    half_cols = (along_cols + 2) // 2
    row_counts = _counts(cols, along_rows)
    col_counts = _counts(rows, along_cols)
    sample_cols, col_slots = _sample_positions(cols)
    sample_rows, row_slots = _sample_positions(rows)

    luma = np.empty(cols, dtype=np.float32)
    turned = np.zeros((cols, _STRIP), dtype=np.float32)  # a strip of rows, on its side
    filtered = np.empty((cols, _STRIP), dtype=np.float32)
    strip_sums = np.empty(_STRIP, dtype=np.float32)
    ring_size = _STRIP + along_cols + 1  # rows of round 1 along rows that columns still need
    ring = np.empty((ring_size, cols), dtype=np.float32)
    col_sums = np.zeros(cols, dtype=np.float32)
    second = np.zeros((cols, _STRIP), dtype=np.float32)  # round 1 output rows, on their side
    kept = np.empty((rows, sample_cols.shape[0]), dtype=np.float32)
    kept_strip = np.empty((sample_cols.shape[0], _STRIP), dtype=np.float32)

    out = 0  # next output row of round 1 along the columns
    for top in range(0, rows, _STRIP):
        height = min(_STRIP, rows - top)
        # Round 1 along the rows of this strip.
        for k in range(height):
            _luma_row(pixels[top + k].reshape(-1), luma)
            for c in range(cols):
                turned[c, k] = luma[c]
        _sweep(turned, filtered, along_rows, row_counts, strip_sums)
        for k in range(height):
            slot = (top + k) % ring_size
            for c in range(cols):
                ring[slot, c] = filtered[c, k]
        # Round 1 along the columns: every output row whose rows are in (the ring still holds
        # row 0 when output row 0 is made: half_cols <= along_cols < ring_size - _STRIP).
        available = top + height
        while out < rows and (out + half_cols - 1 < available or available == rows):
            if out == 0:
                for right in range(half_cols - 1):
                    for c in range(cols):
                        col_sums[c] = col_sums[c] + ring[right % ring_size, c]
            right = out + half_cols - 1
            left = out - (along_cols - half_cols) - 1
            count = col_counts[out]
            lane = out % _STRIP
            if right < rows:
                add = ring[right % ring_size]
                for c in range(cols):
                    col_sums[c] = col_sums[c] + add[c]
            if left >= 0:
                sub = ring[left % ring_size]
                for c in range(cols):
                    col_sums[c] = col_sums[c] - sub[c]
            for c in range(cols):
                second[c, lane] = col_sums[c] / count
            out += 1
            # Round 2 along the rows of each full strip of those, kept at the sampled columns.
            if lane == _STRIP - 1 or out == rows:
                _sweep_at(second, along_rows, row_counts, sample_cols, kept_strip)
                first_row = out - lane - 1
                for k in range(lane + 1):
                    for p in range(sample_cols.shape[0]):
                        kept[first_row + k, p] = kept_strip[p, k]

    # Round 2 along the columns, over the kept columns, at the sampled rows.
    sampled = np.empty((sample_rows.shape[0], kept.shape[1]), dtype=np.float32)
    _sweep_at(kept, along_cols, col_counts, sample_rows, sampled)
    grid = np.empty((_GRID, _GRID), dtype=np.float32)
    for i in range(_GRID):
        for j in range(_GRID):
            grid[i, j] = sampled[row_slots[i], col_slots[j]]
    return grid


@nb.njit(cache=True, nogil=True)
def _quality(grid: npt.NDArray[np.float32]) -> int:  # pragma: no cover
    """PDQ's quality: gradients between neighbours, each ((u - v) * 100) / 255 in float32 and
    truncated, summed, / 90, at most 100."""
    hundred = np.float32(100.0)
    scale = np.float32(255.0)
    gradients = 0
    for i in range(_GRID - 1):
        for j in range(_GRID):
            gradients += abs(int(((grid[i, j] - grid[i + 1, j]) * hundred) / scale))
    for i in range(_GRID):
        for j in range(_GRID - 1):
            gradients += abs(int(((grid[i, j] - grid[i, j + 1]) * hundred) / scale))
    return min(100, gradients // 90)


@nb.njit(cache=True, nogil=True)
def _dct16(grid: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:  # pragma: no cover
    """D grid D^T, each sum over k = 0..63 in order, products and sums rounded to float32."""
    partial = np.zeros((16, _GRID), dtype=np.float32)
    for i in range(16):
        for k in range(_GRID):
            d = _DCT[i, k]
            for j in range(_GRID):
                partial[i, j] = partial[i, j] + d * grid[k, j]
    out = np.zeros((16, 16), dtype=np.float32)
    for i in range(16):
        for k in range(_GRID):
            t = partial[i, k]
            for j in range(16):
                out[i, j] = out[i, j] + t * _DCT_T[k, j]
    return out
