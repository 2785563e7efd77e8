"""Partner feedback: what a partner did with a match it was given."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import FeedbackPartner, ServicesDep
from stukje.api.schemas import MAX_ID
from stukje.bank import Verdict

router = APIRouter(prefix="/v1/feedback", tags=["feedback (partners)"])


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match_event_id: int = Field(le=MAX_ID)
    verdict: Verdict


class FeedbackOut(BaseModel):
    id: int


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FeedbackOut)
async def give_feedback(
    body: FeedbackIn, partner: FeedbackPartner, services: ServicesDep
) -> FeedbackOut:
    """Report blocked, not_blocked, pending_review or false_positive for one of your matches."""
    feedback_id = await run_in_threadpool(
        services.bank.record_feedback, partner, body.match_event_id, body.verdict
    )
    return FeedbackOut(id=feedback_id)
