"""stukje: stop intimate images from spreading without consent.

Hash pictures on the device with PDQ, keep only the hashes in a bank, match uploads, sends and
forwards against it exactly and fast, and nudge people to think before they forward.
"""

from __future__ import annotations

from stukje.config import Settings, load_settings
from stukje.errors import StukjeError
from stukje.hashing import (
    DEFAULT_THRESHOLD,
    HashResult,
    ImageLimits,
    PdqHash,
    PdqSignal,
    Picture,
    distance,
    hash_image,
    hash_picture,
    hash_pixels,
    load_picture,
    matches,
    parse_hash,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_THRESHOLD",
    "HashResult",
    "ImageLimits",
    "PdqHash",
    "PdqSignal",
    "Picture",
    "Settings",
    "StukjeError",
    "__version__",
    "distance",
    "hash_image",
    "hash_picture",
    "hash_pixels",
    "load_picture",
    "load_settings",
    "matches",
    "parse_hash",
]
