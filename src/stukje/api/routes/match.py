"""Matching for partners: hashes, or an uploaded picture hashed in memory and discarded."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import MatchPartner, Services, ServicesDep, charge_hashes
from stukje.api.uploads import read_upload
from stukje.bank import NewMatchEvent, Partner
from stukje.errors import BatchTooLargeError, InvalidInputError
from stukje.hashing import PdqSignal, load_picture, parse_hash_array, query_signals
from stukje.index import BatchResult

router = APIRouter(prefix="/v1/match", tags=["matching (partners)"])

ContentAction = Literal["upload", "send", "forward", "receive", "scan"]
#: Up to this many hashes are searched on the event loop; more in a worker thread.
SMALL_SEARCH = 16


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hashes: list[str] = Field(
        min_length=1, description="PDQ hashes (hex or base64); up to the server's batch limit."
    )
    threshold: int | None = Field(
        None, ge=0, le=64, description="Match distance in bits; default the server's (31)."
    )
    action: ContentAction = "upload"


class MatchOut(BaseModel):
    index: int = Field(description="Position of the matched hash in the request.")
    signal_id: int
    distance: int
    bank: str
    match_event_id: int = Field(description="Report what you did with it: POST /v1/feedback.")


class MatchResponse(BaseModel):
    checked: int
    matches: list[MatchOut]


class ImageMatchResponse(MatchResponse):
    hash: str
    quality: int


Hit = tuple[int, int, int]  # (position in the request, signal id, distance)


def radius_of(services: Services, threshold: int | None) -> int:
    """The request's threshold, or the service's default."""
    return services.settings.match_threshold if threshold is None else threshold


async def search_hits(
    services: Services, codes: npt.NDArray[np.uint8], threshold: int | None
) -> list[Hit]:
    """Every stored signal within the threshold of each code, from the live index."""
    found = await search_index(services, codes, radius_of(services, threshold))
    services.metrics.hashes_checked.inc(len(codes))
    return hits_of(found)


async def search_index(
    services: Services, codes: npt.NDArray[np.uint8], radius: int
) -> BatchResult:
    """The live index's answer: a small search on the event loop (quicker than a hop to a worker
    thread), a larger one in a worker thread."""
    if len(codes) <= SMALL_SEARCH:
        return services.matcher.search(codes, radius)
    return await run_in_threadpool(services.matcher.search, codes, radius)


def hits_of(found: BatchResult) -> list[Hit]:
    """The index's flat answer as (position in the request, signal id, distance) triples."""
    query_of = np.repeat(np.arange(len(found.offsets) - 1), np.diff(found.offsets))
    return list(
        zip(query_of.tolist(), found.signal_ids.tolist(), found.distances.tolist(), strict=True)
    )


def confirm_hits(
    services: Services, partner: Partner, hits: list[Hit], action: str
) -> list[MatchOut]:
    """Keep hits on active signals (a withdrawal may be in flight) and record a match event each.

    One database transaction: the signals are read and the events written together.
    """
    recorded = services.bank.record_live_matches(
        partner, [NewMatchEvent(signal_id, distance, action) for _, signal_id, distance in hits]
    )
    matches = [
        MatchOut(
            index=index,
            signal_id=signal_id,
            distance=distance,
            bank=signal.bank,
            match_event_id=event_id,
        )
        for (index, signal_id, distance), answer in zip(hits, recorded, strict=True)
        if answer is not None
        for event_id, signal in (answer,)
    ]
    if matches:
        services.metrics.matches.inc(len(matches))
    return matches


def one_per_signal(hits: list[Hit]) -> list[Hit]:
    """Hits of several hashes of ONE picture: each stored signal once, at its nearest distance."""
    nearest: dict[int, int] = {}
    for _, signal_id, distance in hits:
        nearest[signal_id] = min(distance, nearest.get(signal_id, distance))
    return sorted(((0, signal_id, d) for signal_id, d in nearest.items()), key=lambda h: h[2])


async def find_matches(
    services: Services,
    partner: Partner,
    codes: npt.NDArray[np.uint8],
    threshold: int | None,
    action: str,
    *,
    one_picture: bool = False,
) -> list[MatchOut]:
    """Matches of each code; with ``one_picture`` the codes are the query set of one picture."""
    hits = await search_hits(services, codes, threshold)
    if one_picture:
        hits = one_per_signal(hits)
    if not hits:
        return []
    return await run_in_threadpool(confirm_hits, services, partner, hits, action)


@router.post("", response_model=MatchResponse)
async def match_hashes(
    body: MatchIn, partner: MatchPartner, services: ServicesDep
) -> MatchResponse:
    """Check one hash or a batch against the bank; every stored hash within the threshold."""
    limit = services.settings.max_batch
    if len(body.hashes) > limit:
        raise BatchTooLargeError(
            f"at most {limit:,} hashes per request; this one has {len(body.hashes):,}"
        )
    charge_hashes(services, partner, len(body.hashes))
    codes = parse_hash_array(body.hashes)
    matches = await find_matches(services, partner, codes, body.threshold, body.action)
    return MatchResponse(checked=len(codes), matches=matches)


@router.post(
    "/image",
    response_model=ImageMatchResponse,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "image/*": {"schema": {"type": "string", "format": "binary"}},
            },
            "required": True,
        }
    },
)
async def match_image(
    request: Request, partner: MatchPartner, services: ServicesDep
) -> ImageMatchResponse:
    """Hash an uploaded picture in memory (it is never stored), then match it.

    Besides the plain hash, the picture's query set (docs/quality.md) is looked up: e.g. the
    picture with a screenshot frame or added borders trimmed. Each stored signal is reported once,
    at its nearest distance; ``hash`` and ``quality`` are the plain hash's.
    """
    charge_hashes(services, partner, 1)  # before decoding: a spent quota costs no work
    upload = await read_upload(request, services.settings.max_image_bytes, "file")
    action = upload.fields.get("action", "upload")
    if action not in ("upload", "send", "forward", "receive", "scan"):
        raise InvalidInputError(f"unknown action {action!r}")
    signals = await run_in_threadpool(picture_query_signals, services, upload.data)
    del upload
    charge_hashes(services, partner, len(signals) - 1)  # the rest of the query set
    codes = np.frombuffer(b"".join(s.hash.value for s in signals), dtype=np.uint8)
    matches = await find_matches(
        services, partner, codes.reshape(len(signals), -1), None, action, one_picture=True
    )
    plain = signals[0]
    return ImageMatchResponse(
        checked=1, matches=matches, hash=plain.hash.to_hex(), quality=plain.quality
    )


def picture_query_signals(services: Services, data: bytes) -> tuple[PdqSignal, ...]:
    """Decode a picture (in memory) and compute its query set, the plain hash first."""
    return query_signals(load_picture(data, limits=services.limits))
