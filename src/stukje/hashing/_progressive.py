"""A DC-only view of a progressive JPEG, for fast decoding at 1/8 scale.

A progressive JPEG stores its coefficients in several scans; the first and one later scan hold
the DC coefficients (each 8x8 block's mean), the rest hold detail. Decoded at 1/8 scale, a JPEG
needs only the DC coefficients, but libjpeg still entropy-decodes every scan, which for a large,
high-quality progressive photo costs most of the time. Dropping the detail scans (in memory)
makes that decode several times faster. libjpeg smooths a DC-only picture slightly, so the result
is close to, not identical with, the full 1/8 decode; the hashing tests and bench measure the gap.

Anything unexpected returns None, and the caller decodes the original bytes instead.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["dc_only_scans"]

_SOI: Final = 0xD8
_EOI: Final = 0xD9
_SOS: Final = 0xDA
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
