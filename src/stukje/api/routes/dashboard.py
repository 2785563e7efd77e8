"""Read-only helpline routes behind the dashboard: the case list and the counts for its charts.

Listing cases is a privileged read, so it is audited like opening one. The statistics are counts
only: no hash values, no PINs, nothing that traces a person.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import HelplinePartner, ServicesDep
from stukje.bank import Status, Verdict
from stukje.bank.stats import (
    CaseSummary,
    list_cases,
    matches_per_day,
    nudge_outcomes,
    partner_actions,
)

router = APIRouter(prefix="/v1/helpline", tags=["helpline"])


class CaseListOut(BaseModel):
    cases: list[CaseSummary]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page.")


class DayCountOut(BaseModel):
    day: str
    count: int


class NudgeDayOut(BaseModel):
    day: str
    sent_anyway: int
    cancelled: int
    asked_for_help: int


class StatsOut(BaseModel):
    days: int
    matches_per_day: list[DayCountOut]
    partner_actions: dict[Verdict, int]
    nudge_outcomes: list[NudgeDayOut]
    reconsidered_share: float | None = Field(
        description="Of all nudges answered in the period, the share cancelled or turned to help."
    )


@router.get("/cases", response_model=CaseListOut)
async def case_list(
    helpline: HelplinePartner,
    services: ServicesDep,
    status: Status | None = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CaseListOut:
    """Cases, newest first; page with ``before`` (an id from the previous page)."""
    bank = services.bank
    cases = await run_in_threadpool(
        lambda: list_cases(bank, status=status, before_id=before, limit=limit)
    )
    await run_in_threadpool(bank.audit, helpline, "list_cases", "cases", f"{len(cases)} shown")
    return CaseListOut(
        cases=cases,
        next_before=cases[-1].id if len(cases) == limit else None,
    )


@router.get("/stats", response_model=StatsOut)
async def stats(
    helpline: HelplinePartner,
    services: ServicesDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> StatsOut:
    """Matches per day, partner actions and what people did after a nudge, over ``days`` days."""
    del helpline  # the scope check is the point
    bank = services.bank
    since = bank._now().date() - timedelta(days=days - 1)
    per_day = await run_in_threadpool(lambda: matches_per_day(bank, since=since))
    actions = await run_in_threadpool(lambda: partner_actions(bank, since=since))
    nudges = await run_in_threadpool(lambda: nudge_outcomes(bank, since=since))
    answered = sum(n.sent_anyway + n.reconsidered for n in nudges)
    reconsidered = sum(n.reconsidered for n in nudges)
    return StatsOut(
        days=days,
        matches_per_day=[DayCountOut(day=d.day, count=d.count) for d in per_day],
        partner_actions=actions,
        nudge_outcomes=[
            NudgeDayOut(
                day=n.day,
                sent_anyway=n.sent_anyway,
                cancelled=n.cancelled,
                asked_for_help=n.asked_for_help,
            )
            for n in nudges
        ],
        reconsidered_share=reconsidered / answered if answered else None,
    )
