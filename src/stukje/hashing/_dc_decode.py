"""A progressive JPEG decoded at 1/8 scale from its DC coefficients, without libjpeg.

At 1/8 scale each 8x8 block becomes one pixel, the block's DC coefficient (its mean). Handed a
progressive JPEG without its detail scans (:func:`stukje.hashing._progressive.dc_only_scans`),
libjpeg still sets up and walks the whole coefficient buffer, 64 coefficients a block: 72 MB and
most of the time for an 18 MP photo. The DC values alone take a few bytes a block, and their coding
is simple (per block, one Huffman code and a few extra bits; a refinement scan adds one bit), so
the common layouts are decoded here with libjpeg's own arithmetic:

- a lone DC coefficient's inverse DCT at 1/8 scale: ``(dc * quantiser + 4) >> 3``, plus 128,
  clamped (libjpeg's 1x1 and, for 4:2:0 chroma, 2x2 reduced transforms agree on this);
- subsampled chroma repeated over the pixels it covers (at 1/8 scale libjpeg turns off "fancy"
  upsampling, and its 2x2 transform of a lone DC gives four equal pixels);
- libjpeg's fixed-point YCbCr -> RGB conversion (the entries of its tables, computed in place).

So the pixels are libjpeg's, one for one (tests/hashing/test_hashing_decode.py compares them).
Anything else (12-bit samples, arithmetic coding, CMYK, RGB or Adobe-transformed colour, odd
sampling, damage) returns None and the caller lets libjpeg decode it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numba as nb
import numpy as np
import numpy.typing as npt

from stukje.hashing._progressive import DQT, EOI, RESTARTS, SOI, SOS, scan_end

__all__ = ["dc_pixels"]

_SOF2: Final = 0xC2
_DHT: Final = 0xC4
_DRI: Final = 0xDD
_APP14: Final = 0xEE
# Frame kinds other than progressive Huffman, and arithmetic-coding conditioning (DAC, 0xCC).
_OTHER_FRAMES: Final = frozenset(range(0xC0, 0xD0)) - {_SOF2, _DHT}
_MAX_DC_CATEGORY: Final = 11  # 8-bit samples
# Huffman codes up to this long are decoded with one table lookup, and when the value's extra
# bits fit in the same window, the value too (_DECODED: the entry holds both).
_LOOKAHEAD: Final = 11
_DECODED: Final = 1 << 30
_RGB_IDS: Final = (82, 71, 66)  # 'R', 'G', 'B': libjpeg then takes the colours as RGB

I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class _Huffman:
    """A canonical Huffman table as libjpeg decodes it: per code length, the first and last
    code and where its symbols start."""

    mincode: I32
    maxcode: I32
    valptr: I32
    values: U8
    # The next _LOOKAHEAD bits -> _DECODED | bits used << 16 | value + 32768, or else
    # code length << 8 | symbol; 0 for a code longer than _LOOKAHEAD.
    fast: I32

    @classmethod
    def parse(cls, counts: bytes, values: bytes) -> _Huffman:
        mincode = np.zeros(17, dtype=np.int32)
        maxcode = np.full(17, -1, dtype=np.int32)
        valptr = np.zeros(17, dtype=np.int32)
        code = symbol = 0
        for length in range(1, 17):
            count = counts[length - 1]
            valptr[length], mincode[length] = symbol, code
            if count:
                maxcode[length] = code + count - 1
            code += count
            # More codes than the length allows (an all-ones code included): libjpeg rejects
            # the table too (JERR_BAD_HUFF_TABLE).
            _require(code < 1 << length)
            code <<= 1
            symbol += count
        table = np.zeros(256, dtype=np.uint8)
        table[: len(values)] = np.frombuffer(values, dtype=np.uint8)
        return cls(mincode, maxcode, valptr, table, _fast_table(mincode, maxcode, valptr, table))


@nb.njit(cache=True, nogil=True)
def _fast_table(mincode, maxcode, valptr, values):  # type: ignore[no-untyped-def]  # pragma: no cover
    """_Huffman.fast: per code up to _LOOKAHEAD bits long, every possible next bits."""
    fast = np.zeros(1 << _LOOKAHEAD, dtype=np.int32)
    for length in range(1, _LOOKAHEAD + 1):
        spare = _LOOKAHEAD - length
        for code in range(mincode[length], maxcode[length] + 1):
            category = np.int32(values[valptr[length] + code - mincode[length]])
            first = code << spare
            if category > spare or category > _MAX_DC_CATEGORY:
                fast[first : first + (1 << spare)] = (length << 8) | category
                continue
            for following in range(1 << spare):
                # The value's bits are the first ``category`` of the following ``spare``;
                # JPEG's sign extension: below half means negative.
                extra = following >> (spare - category)
                if category and extra < 1 << (category - 1):
                    extra += 1 - (1 << category)
                fast[first + following] = _DECODED | ((length + category) << 16) | (extra + 32768)
    return fast


@dataclass(frozen=True)
class _Component:
    ident: int
    h: int
    v: int
    quant_table: int


@dataclass(frozen=True)
class _Scan:
    components: tuple[int, ...]  # positions in the frame's component list
    tables: tuple[_Huffman | None, ...]  # DC table per component; None in a refinement scan
    refine: bool
    shift: int  # Al: the bit position this scan delivers
    start: int  # the entropy-coded data, data[start:stop]
    stop: int
    restart: int  # MCUs between restart markers; 0 for none


@dataclass
class _Frame:
    width: int
    height: int
    components: tuple[_Component, ...]
    scans: list[_Scan] = field(default_factory=list)
    # Per component (position): its DC quantiser, latched at its first scan as libjpeg does,
    # and the lowest bit its DC values have so far (Al of its latest DC scan).
    quantisers: dict[int, int] = field(default_factory=dict)
    dc_bits: dict[int, int] = field(default_factory=dict)


class _NotCoveredError(Exception):
    """The file is outside what this decoder handles (or damaged): libjpeg decodes it."""


def dc_pixels(data: bytes) -> U8 | None:
    """(H, W, 3) RGB or (H, W) grey at 1/8 scale, or None when this decoder does not apply."""
    try:
        frame = _parse(data)
        blocks = _decode_blocks(np.frombuffer(data, dtype=np.uint8), frame)
    except _NotCoveredError:
        return None
    return _pixels(frame, blocks)


def _require(condition: bool) -> None:
    if not condition:
        raise _NotCoveredError


def _parse(data: bytes) -> _Frame:
    """The frame, its DC quantisers and its DC scans, up to the last DC scan."""
    _require(len(data) >= 4 and data[0] == 0xFF and data[1] == SOI)
    raw = np.frombuffer(data, dtype=np.uint8)
    frame: _Frame | None = None
    quantisers: dict[int, int] = {}
    tables: dict[int, _Huffman] = {}
    restart = 0
    pos = 2
    while pos + 4 <= len(data):
        _require(data[pos] == 0xFF)
        kind = data[pos + 1]
        if kind == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if kind == EOI:
            break
        _require(kind not in RESTARTS and kind not in _OTHER_FRAMES)
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        _require(pos + 4 <= end <= len(data))
        body = data[pos + 4 : end]
        if kind == _SOF2:
            frame = _parse_frame(body)
        elif kind == DQT:
            _parse_quantisers(body, quantisers)
        elif kind == _DHT:
            _parse_tables(body, tables)
        elif kind == _DRI:
            _require(len(body) == 2)
            restart = int.from_bytes(body, "big")
        elif kind == _APP14:
            # Adobe's marker: transform 0 means the channels are RGB (or CMYK), not YCbCr.
            _require(not (body[:5] == b"Adobe" and len(body) >= 12 and body[11] == 0))
        elif kind == SOS:
            _require(frame is not None)
            assert frame is not None
            stop = scan_end(raw, end)
            scan = _parse_scan(body, frame, tables, end, stop, restart)
            if scan is not None:
                _latch(frame, scan, quantisers)
                if all(frame.dc_bits.get(i) == 0 for i in range(len(frame.components))):
                    break  # every DC value is complete: the rest is detail
            pos = stop
            continue
        pos = end
    _require(frame is not None and len(frame.quantisers) == len(frame.components))
    assert frame is not None
    return frame


def _latch(frame: _Frame, scan: _Scan, quantisers: dict[int, int]) -> None:
    """Add the scan; latch the quantiser of a component at its first scan, as libjpeg does."""
    for position in scan.components:
        if position not in frame.quantisers:
            _require(not scan.refine)  # a refinement before the first scan
            table = frame.components[position].quant_table
            _require(table in quantisers)
            frame.quantisers[position] = quantisers[table]
        frame.dc_bits[position] = scan.shift
    frame.scans.append(scan)


def _parse_frame(body: bytes) -> _Frame:
    _require(len(body) >= 6 and body[0] == 8)  # 8-bit samples only
    height, width, count = (
        int.from_bytes(body[1:3], "big"),
        int.from_bytes(body[3:5], "big"),
        body[5],
    )
    _require(count in (1, 3) and len(body) >= 6 + 3 * count and width > 0 and height > 0)
    components = tuple(
        _Component(body[6 + 3 * i], body[7 + 3 * i] >> 4, body[7 + 3 * i] & 15, body[8 + 3 * i])
        for i in range(count)
    )
    _require(tuple(c.ident for c in components) != _RGB_IDS)
    if count == 1:
        components = (_Component(components[0].ident, 1, 1, components[0].quant_table),)
    luma = components[0]
    _require(all(1 <= c.h <= luma.h <= 2 and 1 <= c.v <= luma.v <= 2 for c in components))
    return _Frame(width, height, components)


def _parse_quantisers(body: bytes, quantisers: dict[int, int]) -> None:
    pos = 0
    while pos < len(body):
        precision, table = body[pos] >> 4, body[pos] & 15
        width = 2 if precision else 1
        _require(pos + 1 + 64 * width <= len(body))
        quantisers[table] = int.from_bytes(body[pos + 1 : pos + 1 + width], "big")
        pos += 1 + 64 * width


def _parse_tables(body: bytes, tables: dict[int, _Huffman]) -> None:
    pos = 0
    while pos < len(body):
        _require(pos + 17 <= len(body))
        kind, table = body[pos] >> 4, body[pos] & 15
        counts = body[pos + 1 : pos + 17]
        total = sum(counts)
        _require(total <= 256 and pos + 17 + total <= len(body))
        if kind == 0:  # DC tables only; AC tables belong to the scans we skip
            tables[table] = _Huffman.parse(counts, body[pos + 17 : pos + 17 + total])
        pos += 17 + total


def _parse_scan(
    body: bytes,
    frame: _Frame,
    tables: dict[int, _Huffman],
    start: int,
    stop: int,
    restart: int,
) -> _Scan | None:
    """A DC scan, or None for a detail (AC) scan, which is skipped."""
    _require(len(body) >= 1 and len(body) == 4 + 2 * body[0])
    count = body[0]
    spectral_start, spectral_end, approximation = body[1 + 2 * count : 4 + 2 * count]
    if spectral_start != 0:
        return None
    _require(spectral_end == 0)
    positions = {c.ident: i for i, c in enumerate(frame.components)}
    chosen: list[int] = []
    scan_tables: list[_Huffman | None] = []
    refine = approximation >> 4 != 0
    _require(len({body[1 + 2 * i] for i in range(count)}) == count <= len(frame.components))
    for i in range(count):
        ident, table = body[1 + 2 * i], body[2 + 2 * i] >> 4
        _require(ident in positions and (refine or table in tables))
        chosen.append(positions[ident])
        scan_tables.append(None if refine else tables[table])
    shift = approximation & 15
    return _Scan(tuple(chosen), tuple(scan_tables), refine, shift, start, stop, restart)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _block_grid(frame: _Frame) -> tuple[int, int, int, int]:
    """MCUs across and down, and the largest sampling factors."""
    h_max = max(c.h for c in frame.components)
    v_max = max(c.v for c in frame.components)
    across = _ceil_div(frame.width, 8 * h_max)
    down = _ceil_div(frame.height, 8 * v_max)
    return across, down, h_max, v_max


def _decode_blocks(data: U8, frame: _Frame) -> I32:
    """Every component's DC coefficients (before dequantising), one per block."""
    across, down, h_max, v_max = _block_grid(frame)
    # One array for all components (each uses its top-left down*v x across*h corner): one
    # array in the compiled loop, not a choice of three per block.
    blocks = np.zeros((len(frame.components), down * v_max, across * h_max), dtype=np.int32)
    for scan in frame.scans:
        if len(scan.components) == 1:
            c = frame.components[scan.components[0]]
            # A scan of one component covers only its own blocks, each its own MCU.
            cols = _ceil_div(_ceil_div(frame.width * c.h, h_max), 8)
            rows = _ceil_div(_ceil_div(frame.height * c.v, v_max), 8)
            layout = np.array([[scan.components[0], 1, 1]], dtype=np.int64)
            grid = (cols, rows)
        else:
            layout = np.array(
                [[p, frame.components[p].h, frame.components[p].v] for p in scan.components],
                dtype=np.int64,
            )
            grid = (across, down)
        if scan.refine and scan.restart == 0:
            # One raw bit a block, in scan order: unstuffed once, then read by position.
            per_mcu = int(layout[:, 1] @ layout[:, 2])  # blocks an MCU
            size = _ceil_div(grid[0] * grid[1] * per_mcu, 8)
            bits = _unstuffed(data, scan.start, scan.stop, size)
            _refine(bits, scan.shift, layout, grid[0], grid[1], blocks)
            continue
        ok = _decode_scan(
            data, scan.start, scan.stop, scan.restart, scan.refine, scan.shift,
            layout, grid[0], grid[1], blocks, *_stack_tables(scan.tables),
        )  # fmt: skip
        _require(ok)
    return blocks


def _stack_tables(tables: tuple[_Huffman | None, ...]) -> tuple[I32, I32, I32, U8, I32]:
    present = [t for t in tables if t is not None]
    filler = present[0] if present else _Huffman.parse(bytes(16), b"")
    chosen = [t if t is not None else filler for t in tables]
    return (
        np.stack([t.mincode for t in chosen]),
        np.stack([t.maxcode for t in chosen]),
        np.stack([t.valptr for t in chosen]),
        np.stack([t.values for t in chosen]),
        np.stack([t.fast for t in chosen]),
    )


@nb.njit(cache=True, nogil=True)
def _decode_scan(  # type: ignore[no-untyped-def]  # pragma: no cover
    data, start, stop, restart, refine, shift, layout, across, down, blocks,
    mincode, maxcode, valptr, values, fast,
):  # fmt: skip
    """Decode one DC scan into the block arrays; False on damage (the caller gives up).

    Written out in one function: a helper handed an array (even inlined) costs a reference
    count increment and decrement per call, atomic operations that took a fifth of the time."""
    pos = start
    bits = np.int64(0)
    count = np.int64(0)
    # Bits wanted before a block: the longest code and its extra bits (16 + 11), or one.
    wanted = 1 if refine else 32
    predictions = np.zeros(3, dtype=np.int64)
    next_restart = 0
    left = restart  # MCUs until the next restart marker (no divisions in the loop)
    for mcu_row in range(down):
        for mcu_col in range(across):
            if restart > 0:
                if left == 0:
                    # Byte-aligned restart marker: drop the buffered bits, expect FF Dn, start
                    # over.
                    bits, count = np.int64(0), np.int64(0)
                    while pos < stop and data[pos] != 0xFF:
                        pos += 1
                    if pos + 1 >= stop or data[pos + 1] != 0xD0 + next_restart:
                        return False
                    pos += 2
                    next_restart = (next_restart + 1) & 7
                    predictions[:] = 0
                    left = restart
                left -= 1
            for k in range(layout.shape[0]):
                component, h, v = layout[k, 0], layout[k, 1], layout[k, 2]
                for by in range(v):
                    for bx in range(h):
                        if count < wanted:
                            # At least 32 unread bits: four plain bytes at once when possible
                            # (under 32 are unread: keep 31, so the shift cannot overflow).
                            if (
                                pos + 4 <= stop
                                and data[pos] != 0xFF
                                and data[pos + 1] != 0xFF
                                and data[pos + 2] != 0xFF
                                and data[pos + 3] != 0xFF
                            ):
                                word = (
                                    (np.int64(data[pos]) << 24)
                                    | (np.int64(data[pos + 1]) << 16)
                                    | (np.int64(data[pos + 2]) << 8)
                                    | np.int64(data[pos + 3])
                                )
                                bits = ((bits & 0x7FFFFFFF) << 32) | word
                                count += 32
                                pos += 4
                            else:  # a byte at a time: FF 00 is a literal FF; at a marker, zeros
                                while count < 32:
                                    byte = np.int64(0)
                                    if pos < stop:
                                        byte = np.int64(data[pos])
                                        if byte != 0xFF:
                                            pos += 1
                                        elif pos + 1 < stop and data[pos + 1] == 0:
                                            pos += 2
                                        else:
                                            byte = np.int64(0)  # a marker: as libjpeg does
                                    # Under 32 bits unread: keeping 48, the shift cannot overflow.
                                    bits = ((bits & 0xFFFFFFFFFFFF) << 8) | byte
                                    count += 8
                        row, col = mcu_row * v + by, mcu_col * h + bx
                        if refine:
                            count -= 1
                            # Branch-free: the bit is as likely 0 as 1, a branch would mispredict.
                            blocks[component, row, col] |= np.int32(((bits >> count) & 1) << shift)
                            continue
                        entry = fast[k, (bits >> (count - _LOOKAHEAD)) & ((1 << _LOOKAHEAD) - 1)]
                        if entry & _DECODED:  # code and value in one lookup
                            count -= (entry >> 16) & 0xFF
                            difference = np.int64(entry & 0xFFFF) - 32768
                        else:
                            if entry:
                                count -= entry >> 8
                                category = entry & 0xFF
                            else:  # a longer code: one bit at a time, as libjpeg's slow path
                                code = np.int64(0)
                                category = -1
                                for length in range(1, 17):
                                    count -= 1
                                    code = (code << 1) | ((bits >> count) & 1)
                                    if code <= maxcode[k, length]:
                                        category = values[
                                            k, valptr[k, length] + code - mincode[k, length]
                                        ]
                                        break
                            if category < 0 or category > _MAX_DC_CATEGORY:
                                return False
                            difference = np.int64(0)
                            if category:
                                count -= category
                                difference = (bits >> count) & ((1 << category) - 1)
                                if difference < (1 << (category - 1)):
                                    difference += 1 - (1 << category)
                        predictions[k] += difference
                        blocks[component, row, col] = np.int32(predictions[k] << shift)
    return True


@nb.njit(cache=True, nogil=True)
def _unstuffed(data, start, stop, size):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The first ``size`` bytes of a scan's bit stream: each FF 00 read as FF, and zeros from a
    marker or the scan's end on, as _decode_scan reads them."""
    out = np.zeros(size, dtype=np.uint8)
    pos = start
    for n in range(size):
        if pos >= stop:
            break
        byte = data[pos]
        if byte == 0xFF:
            if pos + 1 < stop and data[pos + 1] == 0:
                pos += 2
            else:
                break
        else:
            pos += 1
        out[n] = byte
    return out


@nb.njit(cache=True, nogil=True)
def _refine(bits, shift, layout, across, down, blocks):  # type: ignore[no-untyped-def]  # pragma: no cover
    """A DC refinement scan without restart markers: the i-th block in scan order gets bit i.
    A component at a time, a row of blocks at a time (fewer branches than in scan order)."""
    per_mcu = 0
    for k in range(layout.shape[0]):
        per_mcu += layout[k, 1] * layout[k, 2]
    offset = 0  # the component's first block within an MCU
    for k in range(layout.shape[0]):
        component, h, v = layout[k, 0], layout[k, 1], layout[k, 2]
        for mcu_row in range(down):
            for by in range(v):
                row = blocks[component, mcu_row * v + by]
                first = mcu_row * across * per_mcu + offset + by * h
                if h == 1:
                    for mcu_col in range(across):
                        row[mcu_col] |= np.int32(_bit(bits, first + mcu_col * per_mcu) << shift)
                else:  # two blocks across an MCU, written out: a loop of two costs a third more
                    for mcu_col in range(across):
                        i = first + mcu_col * per_mcu
                        row[2 * mcu_col] |= np.int32(_bit(bits, i) << shift)
                        row[2 * mcu_col + 1] |= np.int32(_bit(bits, i + 1) << shift)
        offset += h * v


@nb.njit(cache=True, nogil=True, inline="always")
def _bit(bits, i):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Bit i of a byte array, most significant bit first."""
    return (np.int32(bits[i >> 3]) >> (7 - (i & 7))) & 1


def _pixels(frame: _Frame, blocks: I32) -> U8:
    height, width = _ceil_div(frame.height, 8), _ceil_div(frame.width, 8)
    h_max, v_max = frame.components[0].h, frame.components[0].v
    quantisers = [frame.quantisers[i] for i in range(len(frame.components))]
    # Each sample covers (h_max / h) x (v_max / v) pixels: a shift of 0 or 1.
    shifts = np.array(
        [[(v_max // c.v) >> 1, (h_max // c.h) >> 1] for c in frame.components], dtype=np.int64
    )
    out = np.empty((height, width, len(frame.components)), dtype=np.uint8)
    _assemble(blocks, np.array(quantisers, dtype=np.int64), shifts, out)
    return out[..., 0] if len(frame.components) == 1 else out


def _fixed(x: float) -> int:
    return int(x * 65536 + 0.5)


# libjpeg's YCbCr -> RGB factors (jdcolor.c, 16 fraction bits). libjpeg looks the products up in
# tables built from them: (_CR_R * cr + half) >> 16 for red, (_CB_B * cb + half) >> 16 for blue,
# (-_CB_G * cb + half - _CR_G * cr) >> 16 for green, cb and cr centred on 0. _assemble
# computes the same integers, which the compiler can do for many pixels at once.
_CR_R: Final = _fixed(1.40200)
_CB_B: Final = _fixed(1.77200)
_CR_G: Final = _fixed(0.71414)
_CB_G: Final = _fixed(0.34414)
_HALF: Final = 1 << 15


@nb.njit(cache=True, nogil=True)
def _assemble(blocks, quantisers, shifts, out):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Dequantise each DC, take its 1/8-scale inverse DCT, repeat subsampled chroma over the
    pixels it covers and convert YCbCr to RGB, all as libjpeg does. A row at a time, in passes
    simple enough to be vectorised: luma, then the colour terms per chroma sample, then RGB."""
    height, width, channels = out.shape
    if channels == 1:
        for y in range(height):
            for x in range(width):
                out[y, x, 0] = _dc_sample(blocks[0, y, x], quantisers[0]) + 128
        return
    luma = np.empty(width, dtype=np.int64)
    red = np.empty(width, dtype=np.int64)
    green = np.empty(width, dtype=np.int64)
    blue = np.empty(width, dtype=np.int64)
    cb_rows, cb_cols, cr_rows, cr_cols = shifts[1, 0], shifts[1, 1], shifts[2, 0], shifts[2, 1]
    for y in range(height):
        y_row, cb_row, cr_row = blocks[0, y], blocks[1, y >> cb_rows], blocks[2, y >> cr_rows]
        for x in range(width):
            luma[x] = _dc_sample(y_row[x], quantisers[0]) + 128
        if cb_cols == 1 and cr_cols == 1:  # one chroma sample for two pixels across
            for c in range(width >> 1):
                r, g, b = _colour(cb_row[c], cr_row[c], quantisers[1], quantisers[2])
                red[2 * c] = red[2 * c + 1] = r
                green[2 * c] = green[2 * c + 1] = g
                blue[2 * c] = blue[2 * c + 1] = b
            if width & 1:  # the last sample covers one pixel
                c = width >> 1
                red[-1], green[-1], blue[-1] = _colour(
                    cb_row[c], cr_row[c], quantisers[1], quantisers[2]
                )
        else:
            for x in range(width):
                red[x], green[x], blue[x] = _colour(
                    cb_row[x >> cb_cols], cr_row[x >> cr_cols], quantisers[1], quantisers[2]
                )
        for x in range(width):
            out[y, x, 0] = min(max(luma[x] + red[x], 0), 255)
            out[y, x, 1] = min(max(luma[x] + green[x], 0), 255)
            out[y, x, 2] = min(max(luma[x] + blue[x], 0), 255)


@nb.njit(cache=True, nogil=True, inline="always")
def _colour(cb_dc, cr_dc, cb_quantiser, cr_quantiser):  # type: ignore[no-untyped-def]  # pragma: no cover
    """What libjpeg adds to luma for red, green and blue, from the chroma DC coefficients."""
    cb, cr = _dc_sample(cb_dc, cb_quantiser), _dc_sample(cr_dc, cr_quantiser)
    return (
        (_CR_R * cr + _HALF) >> 16,
        (-_CB_G * cb + _HALF - _CR_G * cr) >> 16,
        (_CB_B * cb + _HALF) >> 16,
    )


@nb.njit(cache=True, nogil=True, inline="always")
def _dc_sample(coefficient, quantiser):  # type: ignore[no-untyped-def]  # pragma: no cover
    """libjpeg's 1x1 inverse DCT, DESCALE(dc * q, 3) through its range limit: the sample - 128,
    -128 to 127."""
    return min(max((np.int64(coefficient) * quantiser + 4) >> 3, -128), 127)
