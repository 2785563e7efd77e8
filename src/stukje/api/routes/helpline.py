"""Helplines: cases on someone's behalf, the review queue, notes and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import HelplinePartner, ServicesDep
from stukje.api.routes.cases import MAX_SIGNALS_PER_REQUEST, AddedOut, CaseCreated, CaseIn
from stukje.api.schemas import MAX_ID, CaseOut, SignalIn, to_records
from stukje.bank import Decision, Verdict

router = APIRouter(prefix="/v1/helpline", tags=["helpline"])


class SignalsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signals: list[SignalIn] = Field(min_length=1, max_length=MAX_SIGNALS_PER_REQUEST)


class ReviewItemOut(BaseModel):
    match_event_id: int
    signal_id: int
    case_number: str | None
    partner_name: str
    distance: int
    action: str
    verdicts: list[Verdict]
    created_at: datetime


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
    body: str = Field(min_length=1, max_length=10_000, pattern=r"^[^\x00]*$")


class NoteOut(BaseModel):
    id: int
    case_number: str
    partner_name: str
    body: str
    created_at: datetime


class CreatedOut(BaseModel):
    id: int


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page.")


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


@router.get("/cases/{case_number}", response_model=CaseOut)
async def case_detail(
    case_number: str, helpline: HelplinePartner, services: ServicesDep
) -> CaseOut:
    view = await run_in_threadpool(lambda: services.bank.get_case(case_number, helpline=helpline))
    return CaseOut.of(view)


@router.post("/cases/{case_number}/signals", response_model=AddedOut)
async def add_signals_for(
    case_number: str, body: SignalsIn, helpline: HelplinePartner, services: ServicesDep
) -> AddedOut:
    records = to_records(body.signals)
    added = await run_in_threadpool(
        lambda: services.bank.add_signals(case_number, records, helpline=helpline)
    )
    return AddedOut(added=added)


@router.post("/cases/{case_number}/withdraw", response_model=CaseOut)
async def withdraw_for(
    case_number: str, helpline: HelplinePartner, services: ServicesDep
) -> CaseOut:
    view = await run_in_threadpool(
        lambda: services.bank.withdraw_case(case_number, helpline=helpline)
    )
    return CaseOut.of(view)


@router.get("/cases/{case_number}/notes", response_model=list[NoteOut])
async def case_notes(
    case_number: str, helpline: HelplinePartner, services: ServicesDep
) -> list[NoteOut]:
    notes = await run_in_threadpool(services.bank.notes, helpline, case_number)
    return [
        NoteOut(
            id=n.id,
            case_number=n.case_number,
            partner_name=n.partner_name,
            body=n.body,
            created_at=n.created_at,
        )
        for n in notes
    ]


@router.post(
    "/cases/{case_number}/notes", status_code=status.HTTP_201_CREATED, response_model=CreatedOut
)
async def add_note(
    case_number: str, body: NoteIn, helpline: HelplinePartner, services: ServicesDep
) -> CreatedOut:
    note_id = await run_in_threadpool(services.bank.add_note, helpline, case_number, body.body)
    return CreatedOut(id=note_id)


@router.get("/review", response_model=list[ReviewItemOut])
async def review_queue(
    helpline: HelplinePartner,
    services: ServicesDep,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ReviewItemOut]:
    """Matches that partners flagged (pending review, false positive) awaiting a decision."""
    items = await run_in_threadpool(
        lambda: services.bank.review_queue(helpline, after_id=after_id, limit=limit)
    )
    return [
        ReviewItemOut(
            match_event_id=i.match_event_id,
            signal_id=i.signal_id,
            case_number=i.case_number,
            partner_name=i.partner_name,
            distance=i.distance,
            action=i.action,
            verdicts=list(i.verdicts),
            created_at=i.created_at,
        )
        for i in items
    ]


@router.post("/review/{match_event_id}", status_code=status.HTTP_204_NO_CONTENT)
async def decide(
    match_event_id: Annotated[int, Path(ge=0, le=MAX_ID)],
    body: DecisionIn,
    helpline: HelplinePartner,
    services: ServicesDep,
) -> None:
    """Confirm the match, mark it a false positive, or withdraw the signal."""
    await run_in_threadpool(services.bank.decide, helpline, match_event_id, body.decision)


@router.get("/audit", response_model=AuditPageOut)
async def audit_log(
    helpline: HelplinePartner,
    services: ServicesDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPageOut:
    """Every write and privileged read, newest first."""
    page = await run_in_threadpool(
        lambda: services.bank.audit_log(helpline, before=before, limit=limit)
    )
    return AuditPageOut(
        entries=[
            AuditEntryOut(
                id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, detail=e.detail
            )
            for e in page.entries
        ],
        next_before=page.next_before,
    )
