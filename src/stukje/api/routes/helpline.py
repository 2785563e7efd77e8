"""Helplines: cases on someone's behalf, the review queue, notes and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import HelplinePartner, ServicesDep
from stukje.api.routes.cases import MAX_SIGNALS_PER_REQUEST, AddedOut, CaseCreated, CaseIn
from stukje.api.schemas import MAX_ID, SignalIn, to_records
from stukje.bank import AuditPage, CaseView, Decision, Note, ReviewItem

router = APIRouter(prefix="/v1/helpline", tags=["helpline"])


class SignalsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signals: list[SignalIn] = Field(min_length=1, max_length=MAX_SIGNALS_PER_REQUEST)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
    body: str = Field(min_length=1, max_length=10_000, pattern=r"^[^\x00]*$")


class CreatedOut(BaseModel):
    id: int


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=CaseCreated)
async def open_case_for(
    body: CaseIn, helpline: HelplinePartner, services: ServicesDep
) -> CaseCreated:
    """Open a case on someone's behalf; give them the case number and PIN."""
    records = to_records(body.signals)
    receipt = await run_in_threadpool(
        services.bank.create_case, records, body.language.lower(), helpline
    )
    return CaseCreated(
        case_number=receipt.case_number, pin=receipt.pin, signal_count=receipt.signal_count
    )


@router.get("/cases/{case_number}", response_model=CaseView)
async def case_detail(
    case_number: str, helpline: HelplinePartner, services: ServicesDep
) -> CaseView:
    return await run_in_threadpool(lambda: services.bank.get_case(case_number, helpline=helpline))


@router.post("/cases/{case_number}/signals", response_model=AddedOut)
async def add_signals_for(
    case_number: str, body: SignalsIn, helpline: HelplinePartner, services: ServicesDep
) -> AddedOut:
    records = to_records(body.signals)
    added = await run_in_threadpool(
        lambda: services.bank.add_signals(case_number, records, helpline=helpline)
    )
    return AddedOut(added=added)


@router.post("/cases/{case_number}/withdraw", response_model=CaseView)
async def withdraw_for(
    case_number: str, helpline: HelplinePartner, services: ServicesDep
) -> CaseView:
    return await run_in_threadpool(
        lambda: services.bank.withdraw_case(case_number, helpline=helpline)
    )


@router.get("/cases/{case_number}/notes", response_model=list[Note])
async def case_notes(
    case_number: str, helpline: HelplinePartner, services: ServicesDep
) -> list[Note]:
    return await run_in_threadpool(services.bank.notes, helpline, case_number)


@router.post(
    "/cases/{case_number}/notes", status_code=status.HTTP_201_CREATED, response_model=CreatedOut
)
async def add_note(
    case_number: str, body: NoteIn, helpline: HelplinePartner, services: ServicesDep
) -> CreatedOut:
    note_id = await run_in_threadpool(services.bank.add_note, helpline, case_number, body.body)
    return CreatedOut(id=note_id)


@router.get("/review", response_model=list[ReviewItem])
async def review_queue(
    helpline: HelplinePartner,
    services: ServicesDep,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ReviewItem]:
    """Matches that partners flagged (pending review, false positive) awaiting a decision."""
    return await run_in_threadpool(
        lambda: services.bank.review_queue(helpline, after_id=after_id, limit=limit)
    )


@router.post("/review/{match_event_id}", status_code=status.HTTP_204_NO_CONTENT)
async def decide(
    match_event_id: Annotated[int, Path(ge=0, le=MAX_ID)],
    body: DecisionIn,
    helpline: HelplinePartner,
    services: ServicesDep,
) -> None:
    """Confirm the match, mark it a false positive, or withdraw the signal."""
    await run_in_threadpool(services.bank.decide, helpline, match_event_id, body.decision)


@router.get("/audit", response_model=AuditPage)
async def audit_log(
    helpline: HelplinePartner,
    services: ServicesDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Every write and privileged read, newest first; pass ``next_before`` as ``before`` for the
    next (older) page."""
    return await run_in_threadpool(
        lambda: services.bank.audit_log(helpline, before=before, limit=limit)
    )
