"""Guard outcomes as daily counts: how often people reconsidered after a nudge.

Only counters are stored (day, outcome, verdict, leading reason, action, tier -> count): no
content, no user, no partner, nothing that could trace one person.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from stukje.bank import schema
from stukje.bank.base import StoreBase
from stukje.guard import OutcomeReport

__all__ = ["OutcomeCount", "OutcomeStore"]


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    day: str
    outcome: str
    verdict: str
    reason: str
    action: str
    tier: str
    count: int


def _upsert_one(connection: Connection, key: dict[str, str]) -> None:
    table = schema.guard_outcomes
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**key, count=1)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in key],
            set_={"count": table.c["count"] + 1},
        )
    )


class OutcomeStore(StoreBase):
    """The outcome methods of :class:`stukje.bank.Bank`."""

    def record_outcome(self, report: OutcomeReport) -> None:
        """Add one to the counter of this outcome, today."""
        outcome, verdict, reason, action, tier = report.count_key()
        key = {
            "day": self._now().date().isoformat(),
            "outcome": outcome,
            "verdict": verdict,
            "reason": reason,
            "action": action,
            "tier": tier,
        }
        with self._write() as connection:
            _upsert_one(connection, key)

    def outcome_counts(self, *, since_day: str | None = None) -> list[OutcomeCount]:
        """Counters per day and situation, oldest day first."""
        table = schema.guard_outcomes
        query = select(
            table.c.day,
            table.c.outcome,
            table.c.verdict,
            table.c.reason,
            table.c.action,
            table.c.tier,
            func.sum(table.c["count"]).label("total"),
        ).group_by(
            table.c.day,
            table.c.outcome,
            table.c.verdict,
            table.c.reason,
            table.c.action,
            table.c.tier,
        )
        if since_day is not None:
            query = query.where(table.c.day >= since_day)
        with self._read() as connection:
            rows = connection.execute(query.order_by(table.c.day)).all()
        return [
            OutcomeCount(r.day, r.outcome, r.verdict, r.reason, r.action, r.tier, int(r.total))
            for r in rows
        ]
