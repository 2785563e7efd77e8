"""Read-only queries for the helpline dashboard: the case list and counts for its charts.

Functions over a :class:`~stukje.bank.Bank` rather than more Bank methods: they only read, and
return counts or case summaries (never hash values, PINs or note text). Days are UTC dates as
``YYYY-MM-DD`` strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select

from stukje.bank import schema
from stukje.bank.credentials import format_case_number
from stukje.bank.models import Status, Verdict
from stukje.bank.store import Bank
from stukje.guard import Outcome
from stukje.guard import Verdict as GuardVerdict

__all__ = [
    "CaseSummary",
    "DayCount",
    "NudgeOutcomes",
    "list_cases",
    "matches_per_day",
    "nudge_outcomes",
    "partner_actions",
]


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One line of the case list."""

    id: int
    case_number: str
    status: Status
    language: str
    created_at: datetime
    signal_count: int
    match_count: int
    opened_by: str | None


@dataclass(frozen=True, slots=True)
class DayCount:
    day: str
    count: int


@dataclass(frozen=True, slots=True)
class NudgeOutcomes:
    """What people did after a nudge on one day."""

    day: str
    sent_anyway: int
    cancelled: int
    asked_for_help: int

    @property
    def reconsidered(self) -> int:
        """Stopped or looked for help instead of sending."""
        return self.cancelled + self.asked_for_help


def list_cases(
    bank: Bank, *, status: Status | None = None, before_id: int | None = None, limit: int = 50
) -> list[CaseSummary]:
    """Newest cases first, ``limit`` at a time; page on with the last summary's ``id``."""
    c, s, m, p = schema.cases, schema.signals, schema.match_events, schema.partners
    signal_count = (
        select(func.count())
        .where(s.c.case_id == c.c.id, s.c.status == Status.ACTIVE.value)
        .scalar_subquery()
    )
    match_count = (
        select(func.count())
        .select_from(m.join(s, s.c.id == m.c.signal_id))
        .where(s.c.case_id == c.c.id)
        .scalar_subquery()
    )
    query = (
        select(
            c.c.id,
            c.c.case_number,
            c.c.status,
            c.c.language,
            c.c.created_at,
            signal_count.label("signal_count"),
            match_count.label("match_count"),
            p.c.name.label("opened_by"),
        )
        .select_from(c.outerjoin(p, p.c.id == c.c.opened_by_partner_id))
        .order_by(c.c.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(c.c.status == status.value)
    if before_id is not None:
        query = query.where(c.c.id < before_id)
    with bank.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        CaseSummary(
            id=int(r.id),
            case_number=format_case_number(r.case_number),
            status=Status(r.status),
            language=r.language,
            created_at=r.created_at,
            signal_count=int(r.signal_count or 0),
            match_count=int(r.match_count or 0),
            opened_by=r.opened_by,
        )
        for r in rows
    ]


def matches_per_day(bank: Bank, *, since: date) -> list[DayCount]:
    """Match events reported by partners per UTC day from ``since``, every day listed (0s too)."""
    m = schema.match_events
    day = _utc_day(m.c.created_at, bank.engine.dialect.name)
    query = (
        select(day.label("day"), func.count().label("count"))
        .where(m.c.created_at >= _midnight(since))
        .group_by(day)
    )
    with bank.engine.connect() as connection:
        counts = {str(row[0]): int(row[1]) for row in connection.execute(query)}
    return [DayCount(d, counts.get(d, 0)) for d in _days(since, _today(bank))]


def partner_actions(bank: Bank, *, since: date | None = None) -> dict[Verdict, int]:
    """How often partners reported each action on matches (all time, or from ``since``)."""
    fb = schema.feedback
    query = select(fb.c.verdict, func.count()).group_by(fb.c.verdict)
    if since is not None:
        query = query.where(fb.c.created_at >= _midnight(since))
    with bank.engine.connect() as connection:
        rows = connection.execute(query).all()
    found = {Verdict(verdict): int(count) for verdict, count in rows}
    return {verdict: found.get(verdict, 0) for verdict in Verdict}


def nudge_outcomes(bank: Bank, *, since: date) -> list[NudgeOutcomes]:
    """Per day, what people did after a nudge (from the guard's outcome counters)."""
    totals: dict[str, dict[str, int]] = {}
    for row in bank.outcome_counts(since_day=since.isoformat()):
        if row.verdict != GuardVerdict.NUDGE.value:
            continue
        per_day = totals.setdefault(row.day, {})
        per_day[row.outcome] = per_day.get(row.outcome, 0) + row.count
    return [
        NudgeOutcomes(
            day=day,
            sent_anyway=totals.get(day, {}).get(Outcome.SENT_ANYWAY.value, 0),
            cancelled=totals.get(day, {}).get(Outcome.CANCELLED.value, 0),
            asked_for_help=totals.get(day, {}).get(Outcome.ASKED_FOR_HELP.value, 0),
        )
        for day in _days(since, _today(bank))
    ]


def _utc_day(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """The UTC date of a timestamp column (SQLite keeps UTC text; PostgreSQL converts)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.date(column)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _today(bank: Bank) -> date:
    return bank._now().date()


def _days(first: date, last: date) -> list[str]:
    count = max((last - first).days + 1, 0)
    return [(first + timedelta(days=n)).isoformat() for n in range(count)]
