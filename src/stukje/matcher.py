"""The matcher: an in-memory index that follows the bank's change feed.

Every API worker process holds one. It starts from the newest index snapshot (plain numpy files,
memory-mapped) or from empty, replays the change feed from the snapshot's position, then keeps
polling the feed in a background thread so that a new or withdrawn signal is effective in every
worker shortly after its write is acknowledged (docs/benchmarks.md has the measured freshness).

Polling, not notifications, because it works the same on SQLite and PostgreSQL, costs one indexed
``seq > ?`` query per interval, and cannot miss a change: the feed's sequence numbers grow in
commit order (see :mod:`stukje.bank.feed`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from stukje.bank import Bank, Change, ChangeKind
from stukje.errors import ConfigError
from stukje.hashing import DEFAULT_THRESHOLD, HASH_BYTES, PdqHash
from stukje.index import BatchResult, SignalIndex

__all__ = ["Matcher"]

log = logging.getLogger(__name__)

_PAGE = 10_000


class Matcher:
    """A :class:`SignalIndex` kept in step with a :class:`Bank`'s change feed."""

    def __init__(
        self, bank: Bank, index: SignalIndex | None = None, seq: int = 0, *, poll_s: float = 0.05
    ) -> None:
        self.bank = bank
        self.index = index if index is not None else SignalIndex()
        self._seq = seq
        self._poll_s = poll_s
        self._apply_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_poll = 0.0
        self._last_error: str | None = None

    @classmethod
    def open(cls, bank: Bank, snapshot_dir: Path | None, *, poll_s: float = 0.05) -> Matcher:
        """A matcher from the snapshot in ``snapshot_dir`` (if one is there), caught up."""
        index, seq = None, 0
        if snapshot_dir is not None and snapshot_dir.exists():
            try:
                index, seq = SignalIndex.load(snapshot_dir)
            except (ConfigError, OSError, ValueError) as exc:
                log.warning("index snapshot unusable (%s); rebuilding from the change feed", exc)
        matcher = cls(bank, index, seq, poll_s=poll_s)
        matcher.catch_up()
        return matcher

    @property
    def seq(self) -> int:
        """The change-feed position the index reflects."""
        return self._seq

    def lag(self) -> int:
        """How many sequence numbers the index is behind the bank (0 when current)."""
        return max(0, self.bank.last_seq() - self._seq)

    @property
    def seconds_since_poll(self) -> float:
        return time.monotonic() - self._last_poll if self._last_poll else float("inf")

    @property
    def last_error(self) -> str | None:
        return self._last_error

    def catch_up(self) -> int:
        """Apply every change newer than the index; returns how many were applied."""
        applied = 0
        with self._apply_lock:
            while True:
                changes = self.bank.changes_after(self._seq, limit=_PAGE)
                if changes:
                    self._apply(changes)
                    applied += len(changes)
                if len(changes) < _PAGE:
                    break
        self._last_poll = time.monotonic()
        return applied

    def _apply(self, changes: Sequence[Change]) -> None:
        """Apply changes in order, batching runs of the same kind."""
        run: list[Change] = []
        for change in changes:
            if run and change.kind != run[0].kind:
                self._apply_run(run)
                run = []
            run.append(change)
        if run:
            self._apply_run(run)
        self._seq = changes[-1].seq

    def _apply_run(self, run: list[Change]) -> None:
        pdq = [c for c in run if c.signal_type == "pdq"]
        if not pdq:
            return
        ids = np.fromiter((c.signal_id for c in pdq), dtype=np.int64, count=len(pdq))
        if run[0].kind == ChangeKind.ADD:
            codes = np.frombuffer(b"".join(c.value.value for c in pdq), dtype=np.uint8)
            self.index.add(ids, codes.reshape(-1, HASH_BYTES))
        else:
            self.index.remove(ids)

    # ---- following -----------------------------------------------------------------------

    def start(self) -> None:
        """Follow the feed in a daemon thread until :meth:`stop`."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._follow, name="stukje-matcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _follow(self) -> None:
        while not self._stop.wait(self._poll_s):
            try:
                self.catch_up()
                self._last_error = None
            except Exception as exc:  # keep following: a database hiccup must not stop matching
                self._last_error = type(exc).__name__
                log.warning("change feed poll failed: %s", type(exc).__name__)

    # ---- matching ------------------------------------------------------------------------

    def search(
        self, codes: npt.NDArray[np.uint8] | Sequence[PdqHash], radius: int = DEFAULT_THRESHOLD
    ) -> BatchResult:
        """Matches for each code, flat (see :class:`stukje.index.BatchResult`)."""
        if not isinstance(codes, np.ndarray):
            codes = np.frombuffer(b"".join(h.value for h in codes), dtype=np.uint8).reshape(
                -1, HASH_BYTES
            )
        return self.index.search(codes, radius)

    def save_snapshot(self, snapshot_dir: Path) -> int:
        """Write the index with the seq it reflects; returns that seq."""
        with self._apply_lock:
            seq = self._seq
            self.index.save(snapshot_dir, seq)
        return seq
