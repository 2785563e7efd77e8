"""What every route needs: the running services and the authenticated partner.

Partners authenticate with ``Authorization: Bearer <api key>``. ``partner_with(scope)`` makes a
dependency that authenticates the key and checks the scope, so a route states what it needs in its
signature. A key is checked against its row in the bank, except that a key which did so in this
worker less than ``KEY_REUSE_S`` ago is taken as still valid: a revocation or key rotation reaches
every worker within that second (docs/security.md). A key in steady use is read again in the
background once it is ``KEY_REFRESH_S`` old, one read at a time, so no request waits for that read
(before, every request arriving while the expired key was being read waited for a read of its own).

The unauthenticated case routes are rate-limited per client address (``CaseCreateLimit``,
``CasePinLimit``), and matching per partner by the number of hashes (``charge_hashes``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from stukje.api.metrics import Metrics
from stukje.api.ratelimit import ClientLimits, RateLimit, client_key
from stukje.bank import Bank, Partner, Scope
from stukje.bank.base import require
from stukje.config import Settings
from stukje.errors import InvalidCredentialsError, StukjeError
from stukje.guard import Guard
from stukje.hashing import ImageLimits
from stukje.matcher import Matcher

__all__ = [
    "KEY_REFRESH_S",
    "KEY_REUSE_S",
    "CaseCreateLimit",
    "CasePinLimit",
    "FeedPartner",
    "FeedbackPartner",
    "HelplinePartner",
    "KeyRefreshes",
    "MatchPartner",
    "Services",
    "ServicesDep",
    "authenticate",
    "charge_hashes",
    "partner_with",
]


_log = logging.getLogger(__name__)


class KeyRefreshes:
    """Background reads of remembered keys' rows: at most one per key at a time."""

    def __init__(self) -> None:
        self._running: dict[bytes, asyncio.Task[None]] = {}  # by SHA-256 of the key

    def start(self, bank: Bank, api_key: str) -> None:
        """Read the key's row in a worker thread, unless a read of it is under way."""
        digest = hashlib.sha256(api_key.encode()).digest()
        if digest in self._running:
            return
        task = asyncio.get_running_loop().create_task(_refresh(bank, api_key))
        self._running[digest] = task  # the loop keeps only a weak reference
        task.add_done_callback(lambda _: self._running.pop(digest, None))


async def _refresh(bank: Bank, api_key: str) -> None:
    try:
        await run_in_threadpool(bank.authenticate, api_key)
    except StukjeError:
        pass  # revoked or rotated: not remembered again, so refused once KEY_REUSE_S is up
    except Exception:  # e.g. the database is unreachable: requests read the key themselves then
        _log.warning("reading a remembered API key again failed", exc_info=True)


@dataclass
class Services:
    """Everything a worker process holds for its lifetime."""

    settings: Settings
    bank: Bank
    matcher: Matcher
    guard: Guard
    metrics: Metrics
    rate_limits: ClientLimits
    key_refreshes: KeyRefreshes = field(default_factory=KeyRefreshes)

    @property
    def limits(self) -> ImageLimits:
        return ImageLimits.from_settings(self.settings)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

#: How long a key that authenticated in a worker is taken as valid there without a database read.
KEY_REUSE_S: Final = 1.0
#: A remembered key this old is read again in the background (it is still used meanwhile).
KEY_REFRESH_S: Final = KEY_REUSE_S / 2


async def authenticate(services: Services, api_key: str) -> Partner:
    """The key's partner (InvalidCredentialsError or RevokedKeyError otherwise)."""
    bank = services.bank
    partner = bank.recently_authenticated(api_key, KEY_REUSE_S)
    if partner is None:
        return await run_in_threadpool(bank.authenticate, api_key)
    if bank.recently_authenticated(api_key, KEY_REFRESH_S) is None:
        services.key_refreshes.start(bank, api_key)
    return partner


_bearer = HTTPBearer(auto_error=False, description="A partner API key: `Bearer stk_...`.")


def partner_with(scope: Scope) -> Callable[..., object]:
    """A dependency returning the calling partner, who must hold ``scope``."""

    async def authenticated_partner(
        services: ServicesDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Partner:
        if credentials is None or not credentials.credentials:
            raise InvalidCredentialsError(
                "this needs a partner API key: send the header 'Authorization: Bearer <key>'"
            )
        partner = await authenticate(services, credentials.credentials)
        require(partner, scope)
        return partner

    authenticated_partner.__name__ = f"partner_with_{scope.value}"
    return authenticated_partner


MatchPartner = Annotated[Partner, Depends(partner_with(Scope.MATCH))]
FeedPartner = Annotated[Partner, Depends(partner_with(Scope.FEED))]
FeedbackPartner = Annotated[Partner, Depends(partner_with(Scope.FEEDBACK))]
HelplinePartner = Annotated[Partner, Depends(partner_with(Scope.HELPLINE))]


def per_client(pick: Callable[[ClientLimits], RateLimit]) -> Callable[..., object]:
    """A dependency charging one request to the calling address under the limit ``pick`` names."""

    async def rate_limited_client(request: Request, services: ServicesDep) -> None:
        host = request.client.host if request.client else None
        pick(services.rate_limits).charge(client_key(host))

    return rate_limited_client


def charge_hashes(services: Services, partner: Partner, count: int) -> None:
    """Count ``count`` hashes against the partner's quota; RateLimitedError when it is spent."""
    services.rate_limits.partner_hashes.charge(f"partner:{partner.id}", count)


CaseCreateLimit = Depends(per_client(lambda limits: limits.case_creates))
CasePinLimit = Depends(per_client(lambda limits: limits.case_pin_tries))
