"""Rate limits: per client address on the unauthenticated case routes, per partner on matching.

Each limit is a GCRA (generic cell rate algorithm, the leaky bucket as a meter): one float per
key, the time its bucket would be empty, so a full burst of ``limit`` is allowed and then one unit
every ``period / limit`` seconds. A refusal raises :class:`~stukje.errors.RateLimitedError`, which
the API answers with 429, a ``Retry-After`` header and the one JSON error shape.

Counters live in the worker process: with several workers each counts for itself, so a client can
get up to ``workers`` times a limit (docs/security.md). The case PIN throttle that matters most
(10 wrong PINs per case per hour) is kept in the database and is exact across workers.

Memory stays bounded whoever calls: keys whose bucket has drained are swept once the table has
grown, IPv6 clients count per /64 network (one host owns a whole /64), and past ``max_keys``
the least recently charged keys are dropped.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from stukje.config import Settings
from stukje.errors import RateLimitedError

__all__ = ["ClientLimits", "RateLimit", "client_key"]

_HOUR_S = 3600.0
_MINUTE_S = 60.0
DEFAULT_MAX_KEYS = 100_000


def client_key(host: str | None) -> str:
    """The key a client address counts under: IPv4 as is, IPv6 by its /64 network."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]  # a test client or a unix socket: count it by name
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass
class RateLimit:
    """At most ``limit`` units per ``period_s`` per key; ``limit`` 0 means no limit."""

    name: str
    limit: int
    period_s: float
    what: str = "requests"
    max_keys: int = DEFAULT_MAX_KEYS
    clock: Callable[[], float] = time.monotonic
    _empty_at: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _sweep_at_size: int = field(default=1024, repr=False)

    def charge(self, key: str, cost: int = 1) -> None:
        """Take ``cost`` units from ``key``'s bucket, or raise RateLimitedError."""
        if self.limit <= 0 or cost <= 0:
            return
        interval = self.period_s / self.limit
        if cost > self.limit:
            raise RateLimitedError(
                f"one request may use at most {self.limit:,} {self.what} of this limit",
                retry_after_s=math.ceil(self.period_s),
            )
        with self._lock:
            now = self.clock()
            empty_at = max(self._empty_at.pop(key, now), now) + cost * interval
            wait = empty_at - now - self.period_s
            if wait > 0:
                self._empty_at[key] = empty_at - cost * interval
                raise RateLimitedError(
                    f"too many {self.what} ({self.limit:,} per {_period_words(self.period_s)}); "
                    "try again later",
                    retry_after_s=max(1, math.ceil(wait)),
                )
            self._empty_at[key] = empty_at  # re-inserted last: the dict is in recency order
            if len(self._empty_at) >= self._sweep_at_size:
                self._sweep(now)

    def remaining(self, key: str) -> int:
        """Units ``key`` could use right now (the limit for an unknown key)."""
        if self.limit <= 0:
            return 0
        with self._lock:
            now = self.clock()
            used_s = max(self._empty_at.get(key, now), now) - now
        return self.limit - math.ceil(used_s * self.limit / self.period_s - 1e-9)

    def __len__(self) -> int:
        return len(self._empty_at)

    def _sweep(self, now: float) -> None:
        """Drop drained buckets; past max_keys also the least recently charged half."""
        self._empty_at = {k: t for k, t in self._empty_at.items() if t > now}
        if len(self._empty_at) > self.max_keys:
            keep = list(self._empty_at.items())[-self.max_keys // 2 :]
            self._empty_at = dict(keep)
        self._sweep_at_size = max(1024, 2 * len(self._empty_at))


def _period_words(period_s: float) -> str:
    return {_HOUR_S: "hour", _MINUTE_S: "minute"}.get(period_s, f"{period_s:g} s")


@dataclass
class ClientLimits:
    """The limits one worker process enforces, built from the settings."""

    case_creates: RateLimit
    case_pin_tries: RateLimit
    partner_hashes: RateLimit

    @classmethod
    def from_settings(
        cls, settings: Settings, *, clock: Callable[[], float] = time.monotonic
    ) -> ClientLimits:
        return cls(
            case_creates=RateLimit(
                "case_creates", settings.case_creates_per_hour, _HOUR_S, "new cases", clock=clock
            ),
            case_pin_tries=RateLimit(
                "case_pin_tries",
                settings.case_pin_tries_per_hour,
                _HOUR_S,
                "case requests",
                clock=clock,
            ),
            partner_hashes=RateLimit(
                "partner_hashes",
                settings.partner_hashes_per_minute,
                _MINUTE_S,
                "hashes checked",
                clock=clock,
            ),
        )
