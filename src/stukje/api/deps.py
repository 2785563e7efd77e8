"""What every route needs: the running services and the authenticated partner.

Partners authenticate with ``Authorization: Bearer <api key>``. ``partner_with(scope)`` makes a
dependency that authenticates the key and checks the scope, so a route states what it needs in its
signature. A key is checked against its row in the bank, except that a key which did so in this
worker less than ``KEY_REUSE_S`` ago is taken as still valid: a revocation or key rotation reaches
every worker within that second (docs/security.md).

The unauthenticated case routes are rate-limited per client address (``CaseCreateLimit``,
``CasePinLimit``), and matching per partner by the number of hashes (``charge_hashes``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from stukje.api.metrics import Metrics
from stukje.api.ratelimit import ClientLimits, RateLimit, client_key
from stukje.bank import Bank, Partner, Scope
from stukje.bank.base import require
from stukje.config import Settings
from stukje.errors import InvalidCredentialsError
from stukje.guard import Guard
from stukje.hashing import ImageLimits
from stukje.matcher import Matcher

__all__ = [
    "KEY_REUSE_S",
    "CaseCreateLimit",
    "CasePinLimit",
    "FeedPartner",
    "FeedbackPartner",
    "HelplinePartner",
    "MatchPartner",
    "Services",
    "ServicesDep",
    "authenticate",
    "charge_hashes",
    "partner_with",
]


@dataclass
class Services:
    """Everything a worker process holds for its lifetime."""

    settings: Settings
    bank: Bank
    matcher: Matcher
    guard: Guard
    metrics: Metrics
    rate_limits: ClientLimits

    @property
    def limits(self) -> ImageLimits:
        return ImageLimits.from_settings(self.settings)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

#: How long a key that authenticated in a worker is taken as valid there without a database read.
KEY_REUSE_S: Final = 1.0


async def authenticate(services: Services, api_key: str) -> Partner:
    """The key's partner (InvalidCredentialsError or RevokedKeyError otherwise)."""
    partner = services.bank.recently_authenticated(api_key, KEY_REUSE_S)
    if partner is None:
        partner = await run_in_threadpool(services.bank.authenticate, api_key)
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
