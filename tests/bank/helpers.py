"""Small builders shared by the bank's tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from stukje.hashing import PdqHash


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def random_hashes(count: int, seed: int = 0) -> list[PdqHash]:
    rng = random.Random(seed)
    return [PdqHash(rng.randbytes(32)) for _ in range(count)]
