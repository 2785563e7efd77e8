"""The guard at upload, send, forward and receive time, and what people did after a nudge.

``POST /v1/guard`` takes either JSON (hashes the app computed, optionally a nudity score from a
classifier the app runs itself, e.g. on the device) or ``multipart/form-data`` with the picture and
a ``context`` field holding the same context JSON; the picture is decoded once, in memory, hashed
and (if a classifier is configured) classified, then discarded.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import MatchPartner, Services, ServicesDep, charge_hashes
from stukje.api.uploads import read_upload
from stukje.bank import NewMatchEvent, Partner
from stukje.classify import Classification
from stukje.errors import InvalidInputError
from stukje.guard import Content, Context, Decision, OutcomeReport
from stukje.hashing import load_picture, parse_hash, query_signals

router = APIRouter(prefix="/v1/guard", tags=["guard"])

#: The largest query set (stukje.hashing.query_signals): plain, least channel and trimmed, then
#: the whole (up to 3 orientations), 4 halves, 45 crops, 4 strips and the top of the picture and
#: of its trimmed part: 3 + 2 x 57 = 117; a screenshot gives about 114.
MAX_GUARD_SIGNALS = 128


class GuardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signals: list[str] = Field(
        default_factory=list,
        max_length=MAX_GUARD_SIGNALS,
        description="PDQ hashes of the picture (hex or base64), computed by the app.",
    )
    nudity_score: float | None = Field(
        None, ge=0, le=1, description="From a nudity classifier the app runs itself (0 to 1)."
    )
    context: Context


def _decide(services: Services, partner: Partner, content: Content, context: Context) -> Decision:
    decision = services.guard.decide(content, context)
    if decision.record_match_event and decision.matches:
        services.bank.record_match_events(
            partner,
            [
                NewMatchEvent(int(m.reference), m.distance, context.action.value)
                for m in decision.matches
                if m.reference is not None
            ],
        )
    return decision


def _picture_content(services: Services, data: bytes) -> Content:
    picture = load_picture(data, limits=services.limits)
    signals = query_signals(picture)  # plain, trimmed if it trims, and crops (docs/quality.md)
    return Content(signals=tuple(s.hash for s in signals), pixels=picture.pixels)


def _context_field(raw: str | None) -> Context:
    if raw is None:
        raise InvalidInputError("send the context as a form field named 'context' (JSON)")
    try:
        return Context.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise InvalidInputError("the 'context' field is not valid JSON") from exc
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


@router.post(
    "",
    response_model=Decision,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/GuardIn"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "context": {"type": "string", "description": "Context as JSON."},
                        },
                        "required": ["file", "context"],
                    }
                },
            },
            "required": True,
        }
    },
)
async def guard(request: Request, partner: MatchPartner, services: ServicesDep) -> Decision:
    """Allow, nudge, block or blur, with the reasons, the words to show and help resources."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        charge_hashes(services, partner, 1)  # before decoding: a spent quota costs no work
        upload = await read_upload(request, services.settings.max_image_bytes, "file")
        context = _context_field(upload.fields.get("context"))
        content = await run_in_threadpool(_picture_content, services, upload.data)
        del upload
        charge_hashes(services, partner, len(content.signals) - 1)  # the rest of the query set
    else:
        try:
            body = GuardIn.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from exc
        charge_hashes(services, partner, max(1, len(body.signals)))
        context = body.context
        classification = (
            None
            if body.nudity_score is None
            else Classification(nudity_score=body.nudity_score, model="client")
        )
        content = Content(
            signals=tuple(parse_hash(s) for s in body.signals), classification=classification
        )
    return await run_in_threadpool(_decide, services, partner, content, context)


@router.post("/outcome", status_code=status.HTTP_204_NO_CONTENT)
async def outcome(body: OutcomeReport, partner: MatchPartner, services: ServicesDep) -> None:
    """What the person did after the guard spoke; kept as counts only (no content, no ids)."""
    await run_in_threadpool(services.bank.record_outcome, body)
