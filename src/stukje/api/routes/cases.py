"""Cases for people, no account needed: open, add hashes, look up with the PIN, withdraw.

The PIN travels in a body or the ``X-Case-Pin`` header, never in a URL, so it stays out of logs.
Opening cases and every request carrying a PIN are rate-limited per client address.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from stukje.api.deps import CaseCreateLimit, CasePinLimit, ServicesDep
from stukje.api.schemas import SignalIn, to_records
from stukje.bank import CaseView

router = APIRouter(prefix="/v1/cases", tags=["cases (people)"])

#: About 16 pictures' submission sets; add more to an open case with POST .../signals.
MAX_SIGNALS_PER_REQUEST = 2000


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signals: list[SignalIn] = Field(min_length=1, max_length=MAX_SIGNALS_PER_REQUEST)
    language: str = Field("nl", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=16)


class CaseCreated(BaseModel):
    case_number: str
    pin: str = Field(description="Shown this once; only a slow hash of it is kept.")
    signal_count: int


class AddSignalsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pin: str = Field(min_length=1, max_length=64)
    signals: list[SignalIn] = Field(min_length=1, max_length=MAX_SIGNALS_PER_REQUEST)


class AddedOut(BaseModel):
    added: int


class PinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pin: str = Field(min_length=1, max_length=64)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseCreated,
    dependencies=[CaseCreateLimit],
)
async def open_case(body: CaseIn, services: ServicesDep) -> CaseCreated:
    """Open a case with the hashes of one or more pictures; returns the case number and PIN."""
    records = to_records(body.signals)
    receipt = await run_in_threadpool(services.bank.create_case, records, body.language.lower())
    return CaseCreated(
        case_number=receipt.case_number, pin=receipt.pin, signal_count=receipt.signal_count
    )


@router.post("/{case_number}/signals", response_model=AddedOut, dependencies=[CasePinLimit])
async def add_signals(case_number: str, body: AddSignalsIn, services: ServicesDep) -> AddedOut:
    """Add hashes of more pictures to an open case."""
    records = to_records(body.signals)
    added = await run_in_threadpool(
        lambda: services.bank.add_signals(case_number, records, pin=body.pin)
    )
    return AddedOut(added=added)


@router.get("/{case_number}", response_model=CaseView, dependencies=[CasePinLimit])
async def get_case(
    case_number: str,
    services: ServicesDep,
    x_case_pin: Annotated[str, Header(min_length=1, max_length=64)],
) -> CaseView:
    """Status, number of hashes and what partners did with matches (PIN in ``X-Case-Pin``)."""
    return await run_in_threadpool(lambda: services.bank.get_case(case_number, x_case_pin))


@router.post("/{case_number}/withdraw", response_model=CaseView, dependencies=[CasePinLimit])
async def withdraw_case(case_number: str, body: PinIn, services: ServicesDep) -> CaseView:
    """Withdraw the case: every hash in it stops matching at once."""
    return await run_in_threadpool(lambda: services.bank.withdraw_case(case_number, pin=body.pin))
