"""The change feed, for partners who keep their own copy of the bank's hashes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import FeedPartner, ServicesDep
from stukje.api.schemas import MAX_ID
from stukje.bank import ChangeKind

router = APIRouter(prefix="/v1/feed", tags=["feed (partners)"])

MAX_PAGE = 10_000


class ChangeOut(BaseModel):
    seq: int
    kind: ChangeKind = Field(description="add: start matching this hash; withdraw: stop.")
    signal_id: int
    signal_type: str
    hash: str
    bank: str
    at: datetime


class FeedPage(BaseModel):
    changes: list[ChangeOut]
    next_after: int = Field(description="Pass as `after` to get the next page.")
    last_seq: int = Field(description="The newest change in the bank right now.")


@router.get("", response_model=FeedPage)
async def read_feed(
    partner: FeedPartner,
    services: ServicesDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Changes after this sequence number.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1000,
) -> FeedPage:
    """Adds and withdrawals in sequence order; follow it by passing back ``next_after``."""

    def read() -> FeedPage:
        changes = services.bank.changes_after(after, limit)
        last = services.bank.last_seq()
        services.bank.audit(partner, "feed.read", f"feed:{after}", f"{len(changes)} changes")
        return FeedPage(
            changes=[
                ChangeOut(
                    seq=c.seq,
                    kind=c.kind,
                    signal_id=c.signal_id,
                    signal_type=c.signal_type,
                    hash=c.value.to_hex(),
                    bank=c.bank,
                    at=c.created_at,
                )
                for c in changes
            ],
            next_after=changes[-1].seq if changes else after,
            last_seq=last,
        )

    return await run_in_threadpool(read)
