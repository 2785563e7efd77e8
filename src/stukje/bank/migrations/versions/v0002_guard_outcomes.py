"""Guard outcomes: what people did after a nudge, kept as daily counts only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "guard_outcomes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_outcomes")),
        sa.UniqueConstraint(
            "day",
            "outcome",
            "verdict",
            "reason",
            "action",
            "tier",
            name=op.f("uq_guard_outcomes_day_outcome_verdict_reason_action_tier"),
        ),
    )


def downgrade() -> None:
    op.drop_table("guard_outcomes")
