"""stukje: stop intimate images from spreading without consent.

Hash pictures on the device with PDQ, keep only the hashes in a bank, match uploads, sends and
forwards against it exactly and fast, and nudge people to think before they forward.
"""

from __future__ import annotations

from stukje.config import Settings, load_settings
from stukje.errors import StukjeError
from stukje.hashing import DEFAULT_THRESHOLD, PdqHash, distance, matches, parse_hash

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_THRESHOLD",
    "PdqHash",
    "Settings",
    "StukjeError",
    "__version__",
    "distance",
    "load_settings",
    "matches",
    "parse_hash",
]
