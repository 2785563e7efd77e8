"""The durable hash bank: cases, signals and their change feed, partners, matches and audit.

Storage is SQLAlchemy Core on SQLite (embedded default) or PostgreSQL, migrated with Alembic
(:func:`migrate`). Open a store with :func:`open_bank` (or ``Bank(engine)``). See docs/storage.md.
"""

from __future__ import annotations

from stukje.bank.cases import DEFAULT_BANK, MAX_PIN_FAILURES, PIN_WINDOW, SignalInput
from stukje.bank.credentials import format_case_number, normalize_case_number, parse_api_key
from stukje.bank.engine import (
    create_bank_engine,
    current_revision,
    downgrade,
    ensure_migrated,
    head_revision,
    migrate,
)
from stukje.bank.files import FileFormat, detect_format, read_signals, write_signals
from stukje.bank.models import (
    AuditEntry,
    AuditPage,
    BadRow,
    CaseReceipt,
    CaseView,
    Change,
    ChangeKind,
    Decision,
    DemoSeed,
    ImportReport,
    NewMatchEvent,
    Note,
    Partner,
    ReviewItem,
    Scope,
    SignalInfo,
    SignalRecord,
    Status,
    Verdict,
)
from stukje.bank.outcomes import OutcomeCount
from stukje.bank.partners import parse_scopes
from stukje.bank.store import DEMO_BANK, DEMO_PARTNER, Bank, open_bank

__all__ = [
    "DEFAULT_BANK",
    "DEMO_BANK",
    "DEMO_PARTNER",
    "MAX_PIN_FAILURES",
    "PIN_WINDOW",
    "AuditEntry",
    "AuditPage",
    "BadRow",
    "Bank",
    "CaseReceipt",
    "CaseView",
    "Change",
    "ChangeKind",
    "Decision",
    "DemoSeed",
    "FileFormat",
    "ImportReport",
    "NewMatchEvent",
    "Note",
    "OutcomeCount",
    "Partner",
    "ReviewItem",
    "Scope",
    "SignalInfo",
    "SignalInput",
    "SignalRecord",
    "Status",
    "Verdict",
    "create_bank_engine",
    "current_revision",
    "detect_format",
    "downgrade",
    "ensure_migrated",
    "format_case_number",
    "head_revision",
    "migrate",
    "normalize_case_number",
    "open_bank",
    "parse_api_key",
    "parse_scopes",
    "read_signals",
    "write_signals",
]
