"""A lean path for the commonest request: a well-formed ``POST /v1/match``.

Most partner traffic is hashes of ordinary pictures, which match nothing. For those, FastAPI's
dependency solving, body model and response model cost about as much CPU as everything else
together (bench/api.py, docs/service.md). This ASGI middleware answers well-formed requests
directly: it authenticates the key exactly as the route does (``deps.authenticate``), checks the
scope and the batch limit, parses the hashes, searches the index, charges the partner's hash
quota, confirms and records any hits with the route's own ``confirm_hits``, and returns the bytes
the route would send (``{"checked": n, "matches": [...]}``).

Anything else goes to the full route untouched, with the body replayed: any input the route would
refuse or would read differently (so every error keeps its one shape and message), a refused key
or scope, a spent quota. The full route stays the reference; this path only skips work. Hits used
to go to the route too, searched a second time and passed through FastAPI's layers with several
waits on the event loop; they were most of the single-hash p99 (docs/service.md).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stukje.api.deps import Services, authenticate, charge_hashes
from stukje.api.routes.match import (
    MatchResponse,
    confirm_hits,
    hits_of,
    radius_of,
    search_index,
)
from stukje.bank import Partner
from stukje.bank import Scope as KeyScope
from stukje.bank.base import require
from stukje.errors import StukjeError
from stukje.hashing import parse_hash_array

__all__ = ["FastMatch"]

PATH = "/v1/match"
_FIELDS = frozenset({"hashes", "threshold", "action"})
_ACTIONS = frozenset({"upload", "send", "forward", "receive", "scan"})


class _Route:
    """What RequestMetrics reads from ``scope["route"]``: the route template."""

    path = PATH


class FastMatch:
    """Answer ``POST /v1/match`` requests that match nothing; pass everything else on."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        answer = await self._answer(scope, body) if complete else None
        if answer is None:
            await self.app(scope, _replay(body, complete, receive), send)
            return
        scope["route"] = _Route
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    async def _answer(self, scope: Scope, body: bytes) -> bytes | None:
        """The response the route would give, or None to hand the request on."""
        request = _plain_request(scope, body, self.services.settings.max_batch)
        if request is None:
            return None
        api_key, hashes, threshold, action = request
        try:
            partner: Partner = await authenticate(self.services, api_key)
            require(partner, KeyScope.MATCH)
            codes = parse_hash_array(hashes)
        except StukjeError:
            return None  # the route refuses it with the proper error
        found = await search_index(self.services, codes, radius_of(self.services, threshold))
        try:
            charge_hashes(self.services, partner, len(codes))
        except StukjeError:
            return None  # a refused charge takes nothing; the route refuses it again with 429
        self.services.metrics.hashes_checked.inc(len(codes))
        if not len(found.signal_ids):
            return b'{"checked":%d,"matches":[]}' % len(codes)
        scope["route"] = _Route  # label the metrics as the route's, even if confirming fails
        matches = await run_in_threadpool(
            confirm_hits, self.services, partner, hits_of(found), action
        )
        return _json(MatchResponse(checked=len(codes), matches=matches))


def _json(response: MatchResponse) -> bytes:
    """The bytes FastAPI's JSONResponse renders for the route's return value."""
    return json.dumps(
        response.model_dump(mode="json"),
        ensure_ascii=False,
        allow_nan=False,
        indent=None,
        separators=(",", ":"),
    ).encode("utf-8")


def _plain_request(
    scope: Scope, body: bytes, max_batch: int
) -> tuple[str, list[str], int | None, str] | None:
    """(key, hashes, threshold, action) when the request is one the route reads the same way."""
    api_key = _bearer_key(scope)
    if api_key is None:
        return None
    try:
        request: Any = json.loads(body)
    except (ValueError, RecursionError):  # the route decides what a very deep body gets
        return None
    if not isinstance(request, dict) or not request.keys() <= _FIELDS:
        return None
    hashes, threshold = request.get("hashes"), request.get("threshold")
    if not isinstance(hashes, list) or not 0 < len(hashes) <= max_batch:
        return None
    if not all(type(text) is str for text in hashes):
        return None
    if threshold is not None and not (type(threshold) is int and 0 <= threshold <= 64):
        return None
    action = request.get("action", "upload")
    if type(action) is not str or action not in _ACTIONS:  # {} or [] are not hashable
        return None
    return api_key, hashes, threshold, action


def _bearer_key(scope: Scope) -> str | None:
    """The key from ``Authorization: Bearer <key>`` on a JSON request, else None."""
    api_key = content_type = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, credentials = value.decode("latin-1").partition(" ")
            api_key = credentials if kind.lower() == "bearer" and credentials else None
        elif name == b"content-type":
            content_type = value
    if content_type is None or not content_type.startswith(b"application/json"):
        return None
    return api_key


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body, and False if the stream ended some other way (e.g. a disconnect)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the real stream."""
    pending = complete

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
