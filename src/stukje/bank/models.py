"""The bank's value types: what its methods take and return (frozen dataclasses and enums)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from stukje.hashing import PdqHash

__all__ = [
    "AuditEntry",
    "AuditPage",
    "BadRow",
    "CaseReceipt",
    "CaseView",
    "Change",
    "ChangeKind",
    "Decision",
    "DemoSeed",
    "ImportReport",
    "NewMatchEvent",
    "Note",
    "Partner",
    "ReviewItem",
    "Scope",
    "SignalInfo",
    "SignalRecord",
    "Status",
    "Verdict",
]


class Scope(StrEnum):
    """What a partner's API key may do."""

    MATCH = "match"
    FEED = "feed"
    FEEDBACK = "feedback"
    HELPLINE = "helpline"
    ADMIN = "admin"


class Status(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class ChangeKind(StrEnum):
    ADD = "add"
    WITHDRAW = "withdraw"


class Verdict(StrEnum):
    """What a partner did with a match."""

    BLOCKED = "blocked"
    NOT_BLOCKED = "not_blocked"
    PENDING_REVIEW = "pending_review"
    FALSE_POSITIVE = "false_positive"


class Decision(StrEnum):
    """A helpline's decision on a match event; ``signal_withdrawn`` also withdraws the signal."""

    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    SIGNAL_WITHDRAWN = "signal_withdrawn"


@dataclass(frozen=True, slots=True)
class SignalRecord:
    """One signal to add or as exported: its type, value and (optional) quality 0-100."""

    value: PdqHash
    signal_type: str = "pdq"
    quality: int | None = None


@dataclass(frozen=True, slots=True)
class BadRow:
    """A line of an import file that could not be read, and why."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Partner:
    id: int
    name: str
    key_id: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes


@dataclass(frozen=True, slots=True)
class CaseReceipt:
    """A newly opened case. The PIN is here once and is never stored in the clear."""

    case_number: str
    pin: str = field(repr=False)
    signal_count: int


@dataclass(frozen=True, slots=True)
class CaseView:
    """What the holder of a case (or a helpline) sees of it."""

    case_number: str
    status: Status
    language: str
    created_at: datetime
    signal_count: int
    match_count: int
    partner_actions: Mapping[Verdict, int]


@dataclass(frozen=True, slots=True)
class SignalInfo:
    """What answering a match needs to know about a signal."""

    signal_id: int
    signal_type: str
    bank: str
    status: Status
    case_status: Status | None


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change feed."""

    seq: int
    kind: ChangeKind
    signal_id: int
    signal_type: str
    value: PdqHash = field(repr=False)
    bank: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewMatchEvent:
    """A match a partner reports: which signal, how far, during what action (upload, ...)."""

    signal_id: int
    distance: int
    action: str


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A match event that awaits a helpline decision."""

    match_event_id: int
    signal_id: int
    case_number: str | None
    partner_name: str
    distance: int
    action: str
    verdicts: tuple[Verdict, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    case_number: str
    partner_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Newest first; pass ``next_before`` as ``before`` for the next page (None: no more)."""

    entries: tuple[AuditEntry, ...]
    next_before: int | None


@dataclass(frozen=True, slots=True)
class ImportReport:
    bank: str
    added: int
    duplicates: int
    bad_rows: tuple[BadRow, ...]
    bad_count: int


@dataclass(frozen=True, slots=True)
class DemoSeed:
    bank: str
    partner: Partner
    api_key: str = field(repr=False)
    case: CaseReceipt | None
