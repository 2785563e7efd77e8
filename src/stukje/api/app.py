"""The FastAPI application: ``create_app(settings)`` wires the bank, the matcher and the guard.

Nothing happens at import time. ``create_app`` opens the bank (which must be migrated), builds
the matcher from the newest index snapshot plus the change feed, and starts following the feed
when the app starts; ``app_from_env`` is the factory uvicorn workers call.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from stukje import __version__
from stukje.api.deps import Services
from stukje.api.errors import ERROR_RESPONSES, install_error_handlers
from stukje.api.fast_match import FastMatch
from stukje.api.metrics import Metrics
from stukje.api.middleware import BodyLimit, RequestMetrics
from stukje.api.ratelimit import ClientLimits
from stukje.api.routes import ROUTERS
from stukje.bank import Bank, Status, open_bank
from stukje.config import Settings, load_settings
from stukje.guard import BankMatch, Guard, build_guard
from stukje.hashing import DEFAULT_THRESHOLD, PdqHash
from stukje.matcher import Matcher
from stukje.warm import warm_up as warm_kernels

__all__ = ["app_from_env", "create_app", "snapshot_dir"]

log = logging.getLogger(__name__)

_JSON_SLACK_BYTES = 2_000_000

DESCRIPTION = """
stukje's bank service. People open cases with hashes of pictures they want kept from spreading
(never the pictures); partners match uploads, sends and forwards against the bank, follow the
change feed and report what they did; helplines manage cases on someone's behalf.

Partner routes need `Authorization: Bearer <api key>` with the scope each route names.
Every error has the shape `{"error": {"code": "...", "message": "..."}}`.
"""


def snapshot_dir(settings: Settings) -> Path:
    """Where the matcher's index snapshots live."""
    return settings.data_dir / "index"


def bank_matcher(bank: Bank, matcher: Matcher) -> object:
    """The guard's view of the bank: active matches for a picture's signals."""

    def find(signals: Sequence[PdqHash]) -> Sequence[BankMatch]:
        found = matcher.search(list(signals), DEFAULT_THRESHOLD)
        nearest: dict[int, int] = {}  # several hashes of one picture may hit one signal
        for signal_id, distance in zip(
            found.signal_ids.tolist(), found.distances.tolist(), strict=True
        ):
            nearest[signal_id] = min(distance, nearest.get(signal_id, distance))
        if not nearest:
            return ()
        info = bank.signals_by_ids(list(nearest))
        return tuple(
            BankMatch(distance=distance, reference=str(signal_id))
            for signal_id, distance in sorted(nearest.items(), key=lambda item: item[1])
            if signal_id in info and info[signal_id].status is Status.ACTIVE
        )

    return find


def create_app(
    settings: Settings | None = None,
    *,
    bank: Bank | None = None,
    matcher: Matcher | None = None,
    guard: Guard | None = None,
) -> FastAPI:
    """The API over the bank named by ``settings`` (or the given bank and matcher)."""
    settings = settings or load_settings()
    bank = bank or open_bank(settings)
    matcher = matcher or Matcher.open(bank, snapshot_dir(settings))
    guard = guard or build_guard(settings.policy_file, matcher=bank_matcher(bank, matcher))  # type: ignore[arg-type]
    metrics = Metrics()
    services = Services(
        settings, bank, matcher, guard, metrics, ClientLimits.from_settings(settings)
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        matcher.start()
        # Load the compiled steps now, not on the first requests (seconds on a new machine).
        started = time.perf_counter()
        warm_kernels()
        guard.warm_up()  # its classifier's model and the message catalogues
        log.info("warmed up in %.1f s", time.perf_counter() - started)
        try:
            yield
        finally:
            matcher.stop()

    app = FastAPI(
        title="stukje",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.services = services
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, responses=ERROR_RESPONSES)
    app.add_middleware(FastMatch, services=services)  # innermost: inside the body limit
    app.add_middleware(BodyLimit, max_bytes=settings.max_image_bytes + _JSON_SLACK_BYTES)
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app


def app_from_env() -> FastAPI:
    """The factory each uvicorn worker calls (settings from STUKJE_* variables)."""
    logging.basicConfig(level=os.environ.get("STUKJE_LOG_LEVEL", "info").upper())
    return create_app(load_settings())
