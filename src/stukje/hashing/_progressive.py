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

import numpy as np
import numpy.typing as npt

__all__ = ["dc_only_scans"]

_SOI: Final = 0xD8
_EOI: Final = 0xD9
_SOS: Final = 0xDA
_DQT: Final = 0xDB
_RESTARTS: Final = range(0xD0, 0xD8)


def _marker_offsets(data: bytes) -> npt.NDArray[np.intp]:
    """Offsets of every 0xFF that starts a marker (not a stuffed byte, restart or fill byte)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    ff = np.flatnonzero(raw[:-1] == 0xFF)
    following = raw[ff + 1]
    is_marker = (following != 0) & (following != 0xFF) & ((following < 0xD0) | (following > 0xD7))
    offsets: npt.NDArray[np.intp] = ff[is_marker]
    return offsets


def dc_only_scans(data: bytes) -> bytes | None:
    """The same progressive JPEG without its AC scans, or None if it cannot be taken apart."""
    if len(data) < 4 or data[0] != 0xFF or data[1] != _SOI:
        return None
    markers = _marker_offsets(data)
    kept = [data[:2]]
    pos = 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return None
        kind = data[pos + 1]
        if kind == _EOI:
            kept.append(data[pos : pos + 2])
            return b"".join(kept)
        if kind in _RESTARTS or pos + 4 > len(data):
            return None
        header_end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if header_end > len(data):
            return None
        if kind == _DQT:
            tables = _dc_quantisers_only(data[pos:header_end])
            if tables is None:
                return None
            kept.append(tables)
            pos = header_end
            continue
        if kind != _SOS:
            kept.append(data[pos:header_end])
            pos = header_end
            continue
        scan_end = _next_marker(markers, header_end, len(data))
        if _is_dc_scan(data, pos):
            kept.append(data[pos:scan_end])
        pos = scan_end
    return None


def _next_marker(markers: npt.NDArray[np.intp], start: int, default: int) -> int:
    index = int(np.searchsorted(markers, start))
    return int(markers[index]) if index < len(markers) else default


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
