"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import os

from fastapi import APIRouter, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import ServicesDep
from stukje.api.metrics import CONTENT_TYPE_LATEST

router = APIRouter(tags=["operations"])

#: Not ready when the index has not polled the change feed for this long.
STALE_AFTER_S = 5.0


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    index_signals: int
    index_seq: int
    feed_lag: int
    seconds_since_poll: float
    worker_pid: int
    last_error: str | None


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(services: ServicesDep, response: Response) -> Readiness:
    """The index is loaded and following the change feed; how far behind it is."""
    matcher = services.matcher
    lag = await run_in_threadpool(matcher.lag)
    since = matcher.seconds_since_poll
    ready = since < STALE_AFTER_S and matcher.last_error is None
    services.metrics.feed_lag.set(lag)
    services.metrics.index_signals.set(len(matcher.index))
    if not ready:
        response.status_code = 503
    return Readiness(
        ready=ready,
        index_signals=len(matcher.index),
        index_seq=matcher.seq,
        feed_lag=lag,
        seconds_since_poll=round(min(since, 1e9), 3),
        worker_pid=os.getpid(),
        last_error=matcher.last_error,
    )


@router.get("/metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    """Prometheus text format."""
    services.metrics.index_signals.set(len(services.matcher.index))
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
