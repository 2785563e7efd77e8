"""Exact Hamming-radius search over PDQ signals, updated live, snapshotted to numpy files.

Design and scaling notes: docs/index.md.
"""

from __future__ import annotations

from stukje.index.persist import FORMAT_VERSION
from stukje.index.signal_index import BatchResult, Match, SignalIndex

__all__ = ["FORMAT_VERSION", "BatchResult", "Match", "SignalIndex"]
