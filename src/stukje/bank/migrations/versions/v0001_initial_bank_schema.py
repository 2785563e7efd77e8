"""Initial bank schema: banks, cases, signals, the change feed, partners, matches, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# SQLite's INTEGER PRIMARY KEY is a rowid alias only with the exact type INTEGER.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "banks",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_banks")),
        sa.UniqueConstraint("name", name=op.f("uq_banks_name")),
    )
    op.create_table(
        "partners",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("key_id", name=op.f("uq_partners_key_id")),
        sa.UniqueConstraint("name", name=op.f("uq_partners_name")),
    )
    op.create_table(
        "cases",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_number", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("bank_id", BIG_ID, nullable=False),
        sa.Column("opened_by_partner_id", BIG_ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name=op.f("ck_cases_status")),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name=op.f("fk_cases_bank_id_banks")),
        sa.ForeignKeyConstraint(
            ["opened_by_partner_id"],
            ["partners.id"],
            name=op.f("fk_cases_opened_by_partner_id_partners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_number", name=op.f("uq_cases_case_number")),
    )
    op.create_table(
        "notes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("partner_id", BIG_ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_notes_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_notes_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(op.f("ix_notes_case_id"), "notes", ["case_id"], unique=False)

    op.create_table(
        "pin_failures",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_pin_failures_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pin_failures")),
    )
    op.create_index(
        op.f("ix_pin_failures_case_id_failed_at"),
        "pin_failures",
        ["case_id", "failed_at"],
        unique=False,
    )

    op.create_table(
        "signals",
        sa.Column("id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("signal_type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("quality", sa.SmallInteger(), nullable=True),
        sa.Column("bank_id", BIG_ID, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name=op.f("ck_signals_status")),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name=op.f("fk_signals_bank_id_banks")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_signals_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
    )
    op.create_index(op.f("ix_signals_bank_id_value"), "signals", ["bank_id", "value"], unique=False)
    op.create_index(op.f("ix_signals_case_id"), "signals", ["case_id"], unique=False)

    op.create_table(
        "changes",
        sa.Column("seq", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("signal_id", BIG_ID, nullable=False),
        sa.Column("signal_type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("bank_id", BIG_ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('add', 'withdraw')", name=op.f("ck_changes_kind")),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name=op.f("fk_changes_bank_id_banks")),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["signals.id"], name=op.f("fk_changes_signal_id_signals")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "match_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("partner_id", BIG_ID, nullable=False),
        sa.Column("signal_id", BIG_ID, nullable=False),
        sa.Column("distance", sa.SmallInteger(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_match_events_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["signals.id"], name=op.f("fk_match_events_signal_id_signals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_events")),
    )
    op.create_index(op.f("ix_match_events_signal_id"), "match_events", ["signal_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("match_event_id", BIG_ID, nullable=False),
        sa.Column("partner_id", BIG_ID, nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "verdict IN ('blocked', 'not_blocked', 'pending_review', 'false_positive')",
            name=op.f("ck_feedback_verdict"),
        ),
        sa.ForeignKeyConstraint(
            ["match_event_id"],
            ["match_events.id"],
            name=op.f("fk_feedback_match_event_id_match_events"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_feedback_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(
        op.f("ix_feedback_match_event_id"), "feedback", ["match_event_id"], unique=False
    )

    op.create_table(
        "review_decisions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("match_event_id", BIG_ID, nullable=False),
        sa.Column("partner_id", BIG_ID, nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('confirmed', 'false_positive', 'signal_withdrawn')",
            name=op.f("ck_review_decisions_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["match_event_id"],
            ["match_events.id"],
            name=op.f("fk_review_decisions_match_event_id_match_events"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_review_decisions_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
        sa.UniqueConstraint("match_event_id", name=op.f("uq_review_decisions_match_event_id")),
    )


def downgrade() -> None:
    op.drop_table("review_decisions")
    op.drop_index(op.f("ix_feedback_match_event_id"), table_name="feedback")
    op.drop_table("feedback")
    op.drop_index(op.f("ix_match_events_signal_id"), table_name="match_events")
    op.drop_table("match_events")
    op.drop_table("changes")
    op.drop_index(op.f("ix_signals_case_id"), table_name="signals")
    op.drop_index(op.f("ix_signals_bank_id_value"), table_name="signals")
    op.drop_table("signals")
    op.drop_index(op.f("ix_pin_failures_case_id_failed_at"), table_name="pin_failures")
    op.drop_table("pin_failures")
    op.drop_index(op.f("ix_notes_case_id"), table_name="notes")
    op.drop_table("notes")
    op.drop_table("cases")
    op.drop_table("partners")
    op.drop_table("banks")
    op.drop_table("audit_log")
