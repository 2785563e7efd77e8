"""Turning pictures into PDQ signals: decoding, hashing and hash values."""

from __future__ import annotations

from stukje.hashing.decode import (
    DEFAULT_LIMITS,
    SUPPORTED_FORMATS,
    ImageLimits,
    ImageSource,
    Picture,
    load_picture,
    pdq_target_size,
)
from stukje.hashing.pdq import (
    DIHEDRAL_NAMES,
    LOW_QUALITY,
    HashResult,
    PdqSignal,
    hash_image,
    hash_picture,
    hash_pixels,
)
from stukje.hashing.signal import (
    DEFAULT_THRESHOLD,
    HASH_BITS,
    HASH_BYTES,
    PdqHash,
    distance,
    matches,
    parse_hash,
    parse_hash_array,
)
from stukje.hashing.variants import query_signals, submission_signals, trim_box

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_THRESHOLD",
    "DIHEDRAL_NAMES",
    "HASH_BITS",
    "HASH_BYTES",
    "LOW_QUALITY",
    "SUPPORTED_FORMATS",
    "HashResult",
    "ImageLimits",
    "ImageSource",
    "PdqHash",
    "PdqSignal",
    "Picture",
    "distance",
    "hash_image",
    "hash_picture",
    "hash_pixels",
    "load_picture",
    "matches",
    "parse_hash",
    "parse_hash_array",
    "pdq_target_size",
    "query_signals",
    "submission_signals",
    "trim_box",
]
