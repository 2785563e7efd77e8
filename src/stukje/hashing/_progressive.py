"""A DC-only view of a progressive JPEG, for fast decoding at 1/8 scale.

A progressive JPEG stores its coefficients in several scans; the first and one later scan hold
the DC coefficients (each 8x8 block's mean), the rest hold detail. Decoded at 1/8 scale, a JPEG
needs only the DC coefficients, but libjpeg still entropy-decodes every scan, which for a large,
high-quality progressive photo costs most of the time. Dropping the detail scans (in memory)
makes that decode several times faster.

Given a picture without its AC coefficients, libjpeg estimates them from the neighbouring blocks'
DC values ("block smoothing", which in libjpeg-turbo also smooths the DC values themselves), a
costly pass over every block that changes the picture. It only does so when the quantisation
tables' AC entries are non-zero, so the quantisation tables are copied with their AC entries set
to 0: at 1/8 scale the decoder multiplies only the DC coefficient by its quantiser (DC entries
are kept), so the picture is then the same, pixel for pixel, as the full 1/8 decode. One
exception: 4:2:0 chroma, which libjpeg decodes at 2x2 per block (from DC and the first AC
coefficients, which this view lacks), comes out slightly blockier; luma stays exact.

Anything unexpected returns None, and the caller decodes the original bytes instead. For the
common layouts stukje.hashing._dc_decode decodes the DC values itself, faster still; this view
serves the rest.
"""

from __future__ import annotations

from typing import Final

import numba as nb
import numpy as np
import numpy.typing as npt

__all__ = ["DQT", "EOI", "RESTARTS", "SOI", "SOS", "dc_only_scans", "scan_end"]

# JPEG markers (the byte after 0xFF), shared with stukje.hashing._dc_decode.
SOI: Final = 0xD8
EOI: Final = 0xD9
SOS: Final = 0xDA
DQT: Final = 0xDB
RESTARTS: Final = range(0xD0, 0xD8)


def dc_only_scans(data: bytes) -> bytes | None:
    """The same progressive JPEG without its AC scans, or None if it cannot be taken apart."""
    if len(data) < 4 or data[0] != 0xFF or data[1] != SOI:
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    kept = [data[:2]]
    pos = 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return None
        kind = data[pos + 1]
        if kind == EOI:
            kept.append(data[pos : pos + 2])
            return b"".join(kept)
        if kind in RESTARTS or pos + 4 > len(data):
            return None
        header_end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if header_end > len(data):
            return None
        if kind == DQT:
            tables = _dc_quantisers_only(data[pos:header_end])
            if tables is None:
                return None
            kept.append(tables)
            pos = header_end
            continue
        if kind != SOS:
            kept.append(data[pos:header_end])
            pos = header_end
            continue
        end = scan_end(raw, header_end)
        if _is_dc_scan(data, pos):
            kept.append(data[pos:end])
        pos = end
    return None


def scan_end(raw: npt.NDArray[np.uint8], start: int) -> int:
    """Where a scan's entropy-coded data ends: the first marker after ``start``."""
    return int(_next_marker(raw, start))


# Bytes looked at together by _next_marker: a whole chunk is one loop the compiler turns into
# vector compares, and checked with one branch.
_CHUNK: Final = 256


@nb.njit(cache=True, nogil=True)
def _next_marker(raw, start):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The first 0xFF at or after ``start`` not followed by 0x00, a restart number or another
    0xFF. A chunk at a time: in entropy-coded data nearly every 0xFF is followed by 0x00 (a
    literal 0xFF), so a chunk without an 0xFF followed by anything else is passed over whole, and
    only the rare chunk with one (a marker, a restart, a fill byte) is looked at byte by byte."""
    size = raw.shape[0]
    pos = start
    while True:
        while pos + _CHUNK < size:
            # Slices (not raw[pos + k]): the compiler then vectorises the loop.
            here, following = raw[pos : pos + _CHUNK], raw[pos + 1 : pos + _CHUNK + 1]
            suspect = False
            for k in range(_CHUNK):
                suspect |= (here[k] == 0xFF) & (following[k] != 0)
            if suspect:
                break
            pos += _CHUNK
        end = min(pos + _CHUNK, size - 1)
        while pos < end:
            if raw[pos] == 0xFF:
                byte = raw[pos + 1]
                if byte != 0 and byte != 0xFF and not 0xD0 <= byte <= 0xD7:
                    return pos
            pos += 1
        if end >= size - 1:
            return size


def _is_dc_scan(data: bytes, sos: int) -> bool:
    # SOS header: length (2), component count n, n x (id, tables), then Ss, Se, Ah/Al.
    components = data[sos + 4]
    spectral_start = sos + 5 + 2 * components
    return spectral_start < len(data) and data[spectral_start] == 0


def _dc_quantisers_only(segment: bytes) -> bytes | None:
    """A DQT segment (marker included) with every table's 63 AC entries set to 0."""
    tables = bytearray(segment)
    pos = 4
    while pos < len(tables):
        width = 2 if tables[pos] >> 4 else 1  # 16-bit or 8-bit entries
        start, end = pos + 1 + width, pos + 1 + 64 * width  # after the DC entry
        if end > len(tables):
            return None
        tables[start:end] = bytes(end - start)
        pos = end
    return bytes(tables)
