"""The bank's tables, as SQLAlchemy Core metadata (the Alembic migrations mirror this).

What is sensitive: ``signals.value`` and ``changes.value`` are hashes of victims' pictures;
``cases.pin_hash`` and ``partners.key_hash`` are slow hashes of secrets; ``notes.body`` is free
text written by helpline staff. Nothing here holds a name, address or picture.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

__all__ = [
    "audit_log",
    "banks",
    "cases",
    "changes",
    "feedback",
    "guard_outcomes",
    "match_events",
    "metadata",
    "notes",
    "partners",
    "pin_failures",
    "review_decisions",
    "signals",
]

# Stable constraint names, so migrations can refer to them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite's INTEGER PRIMARY KEY is a rowid alias only with the exact type INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _id() -> Column[int]:
    return Column("id", BigId, primary_key=True, autoincrement=True)


def _created() -> Column[datetime]:
    return Column("created_at", UtcDateTime(), nullable=False)


banks = Table(
    "banks",
    metadata,
    _id(),
    Column("name", String(64), nullable=False, unique=True),
    Column("description", Text(), nullable=False, server_default=""),
    _created(),
)

partners = Table(
    "partners",
    metadata,
    _id(),
    Column("name", String(128), nullable=False, unique=True),
    Column("key_id", String(32), nullable=False, unique=True),
    Column("key_hash", String(200), nullable=False),
    Column("scopes", String(200), nullable=False),
    _created(),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

cases = Table(
    "cases",
    metadata,
    _id(),
    Column("case_number", String(16), nullable=False, unique=True),
    Column("pin_hash", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("language", String(16), nullable=False),
    Column("bank_id", ForeignKey("banks.id"), nullable=False),
    Column("opened_by_partner_id", ForeignKey("partners.id"), nullable=True),
    _created(),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
    CheckConstraint("status IN ('active', 'withdrawn')", name="status"),
)

# A signal's id is the sequence number of the change that added it: ids grow with the feed, and
# a batch of new signals needs one allocation of sequence numbers, not one round trip per row.
signals = Table(
    "signals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("signal_type", String(16), nullable=False),
    Column("value", LargeBinary(), nullable=False),
    Column("quality", SmallInteger(), nullable=True),
    Column("bank_id", ForeignKey("banks.id"), nullable=False),
    Column("case_id", ForeignKey("cases.id"), nullable=True),
    Column("status", String(16), nullable=False),
    _created(),
    # The sequence number of this signal's latest change (its add, or its withdrawal).
    Column("seq", BigInteger(), nullable=False),
    CheckConstraint("status IN ('active', 'withdrawn')", name="status"),
    Index(None, "bank_id", "value"),
    Index(None, "case_id"),
)

changes = Table(
    "changes",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("signal_id", ForeignKey("signals.id"), nullable=False),
    Column("signal_type", String(16), nullable=False),
    Column("value", LargeBinary(), nullable=False),
    Column("bank_id", ForeignKey("banks.id"), nullable=False),
    _created(),
    CheckConstraint("kind IN ('add', 'withdraw')", name="kind"),
    sqlite_autoincrement=True,  # never reuse a sequence number, even after a rollback
)

pin_failures = Table(
    "pin_failures",
    metadata,
    _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("failed_at", UtcDateTime(), nullable=False),
    Index(None, "case_id", "failed_at"),
)

match_events = Table(
    "match_events",
    metadata,
    _id(),
    Column("partner_id", ForeignKey("partners.id"), nullable=False),
    Column("signal_id", ForeignKey("signals.id"), nullable=False),
    Column("distance", SmallInteger(), nullable=False),
    Column("action", String(32), nullable=False),
    _created(),
    Index(None, "signal_id"),
)

feedback = Table(
    "feedback",
    metadata,
    _id(),
    Column("match_event_id", ForeignKey("match_events.id"), nullable=False),
    Column("partner_id", ForeignKey("partners.id"), nullable=False),
    Column("verdict", String(32), nullable=False),
    _created(),
    CheckConstraint(
        "verdict IN ('blocked', 'not_blocked', 'pending_review', 'false_positive')",
        name="verdict",
    ),
    Index(None, "match_event_id"),
)

review_decisions = Table(
    "review_decisions",
    metadata,
    _id(),
    Column("match_event_id", ForeignKey("match_events.id"), nullable=False, unique=True),
    Column("partner_id", ForeignKey("partners.id"), nullable=False),
    Column("decision", String(32), nullable=False),
    _created(),
    CheckConstraint(
        "decision IN ('confirmed', 'false_positive', 'signal_withdrawn')", name="decision"
    ),
)

notes = Table(
    "notes",
    metadata,
    _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("partner_id", ForeignKey("partners.id"), nullable=False),
    Column("body", Text(), nullable=False),
    _created(),
    Index(None, "case_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(64), nullable=False),
    Column("detail", String(200), nullable=False, server_default=""),
)

guard_outcomes = Table(
    "guard_outcomes",
    metadata,
    _id(),
    Column("day", String(10), nullable=False),  # YYYY-MM-DD, UTC
    Column("outcome", String(32), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("action", String(16), nullable=False),
    Column("tier", String(16), nullable=False),
    Column("count", BigInteger(), nullable=False),
    UniqueConstraint("day", "outcome", "verdict", "reason", "action", "tier"),
)
