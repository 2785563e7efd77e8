"""HMA-compatible routes, so a platform wired to Meta's Hasher-Matcher-Actioner 1.x switches by
changing its base URL (and sending a stukje API key: stukje never serves hashes unauthenticated).

- ``GET /m/lookup?signal_type=pdq&signal=<hex>`` -> the names of the banks that matched
- ``GET /m/raw_lookup?signal_type=pdq&signal=<hex>[&include_distance=true]``
  -> ``{"matches": [...]}``
- ``POST /h/hash`` with an uploaded picture -> ``{"pdq": "<hex>"}``
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import MatchPartner, ServicesDep, charge_hashes
from stukje.api.routes.match import confirm_hits, search_hits
from stukje.api.uploads import read_upload
from stukje.errors import InvalidInputError
from stukje.hashing import hash_image, parse_hash

router = APIRouter(tags=["HMA compatibility"])

SignalType = Annotated[str, Query(description="Only 'pdq' is supported.")]
SignalValue = Annotated[str, Query(description="The PDQ hash, 64 hex digits.", max_length=100)]


def _codes(signal_type: str, signal: str) -> np.ndarray[Any, np.dtype[np.uint8]]:
    if signal_type != "pdq":
        raise InvalidInputError(f"No such SignalType '{signal_type}' (stukje supports 'pdq')")
    return np.frombuffer(parse_hash(signal).value, dtype=np.uint8).reshape(1, -1)


@router.get("/m/lookup", response_model=list[str])
async def lookup(
    signal_type: SignalType, signal: SignalValue, partner: MatchPartner, services: ServicesDep
) -> list[str]:
    """The banks holding a signal within the threshold of this one (HMA 1.x shape)."""
    charge_hashes(services, partner, 1)
    hits = await search_hits(services, _codes(signal_type, signal), None)
    if not hits:
        return []
    matches = await run_in_threadpool(confirm_hits, services, partner, hits, "upload")
    return sorted({m.bank for m in matches})


@router.get("/m/raw_lookup")
async def raw_lookup(
    signal_type: SignalType,
    signal: SignalValue,
    partner: MatchPartner,
    services: ServicesDep,
    include_distance: bool = False,
) -> dict[str, list[Any]]:
    """Matching signal ids, with distances if asked (HMA 1.x shape)."""
    charge_hashes(services, partner, 1)
    hits = await search_hits(services, _codes(signal_type, signal), None)
    matches = (
        await run_in_threadpool(confirm_hits, services, partner, hits, "upload") if hits else []
    )
    if include_distance:
        return {
            "matches": [{"content_id": m.signal_id, "distance": str(m.distance)} for m in matches]
        }
    return {"matches": [m.signal_id for m in matches]}


@router.post("/h/hash")
async def hash_upload(
    request: Request, partner: MatchPartner, services: ServicesDep
) -> dict[str, str]:
    """Hash an uploaded picture in memory (never stored); HMA 1.x shape."""
    charge_hashes(services, partner, 1)
    upload = await read_upload(request, services.settings.max_image_bytes)
    result = await run_in_threadpool(hash_image, upload.data, limits=services.limits)
    return {"pdq": result.signal.hash.to_hex()}
