"""Turning pictures into PDQ signals: decoding, hashing and hash values."""

from __future__ import annotations

from stukje.hashing.signal import (
    DEFAULT_THRESHOLD,
    HASH_BITS,
    HASH_BYTES,
    PdqHash,
    distance,
    matches,
    parse_hash,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "HASH_BITS",
    "HASH_BYTES",
    "PdqHash",
    "distance",
    "matches",
    "parse_hash",
]
