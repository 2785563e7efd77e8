"""Matches and what follows them: match events, partner feedback, helpline review, notes, audit.

The review queue holds the match events a partner flagged (feedback ``pending_review`` or
``false_positive``) that no helpline has decided yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Final

from sqlalchemy import Connection, bindparam, exists, insert, select, text, true
from sqlalchemy.exc import IntegrityError

from stukje.bank import schema
from stukje.bank.base import Actor, StoreBase, actor_name, require
from stukje.bank.credentials import format_case_number, normalize_case_number
from stukje.bank.feed import withdraw_signals
from stukje.bank.models import (
    AuditEntry,
    AuditPage,
    Decision,
    NewMatchEvent,
    Note,
    Partner,
    ReviewItem,
    Scope,
    SignalInfo,
    Status,
    Verdict,
)
from stukje.errors import ConflictError, InvalidInputError, NotFoundError, ScopeError

__all__ = ["MatchStore"]

_FLAGGED = (Verdict.PENDING_REVIEW.value, Verdict.FALSE_POSITIVE.value)

#: record_live_matches on PostgreSQL: the read, the match events and the audit record in one
#: statement, run on its own (autocommit: one statement is one transaction), so a hit is one round
#: trip. Rows: each known signal (event_id NULL), then each recorded event (status NULL).
_RECORD_LIVE_PG: Final = text(
    """
WITH wanted AS (
    SELECT w.signal_id, w.distance, w.action, w.n
    FROM unnest(CAST(:signal_ids AS BIGINT[]), CAST(:distances AS SMALLINT[]),
                CAST(:actions AS VARCHAR[])) WITH ORDINALITY AS w(signal_id, distance, action, n)
), info AS (
    SELECT s.id, s.signal_type, s.status, b.name AS bank, c.status AS case_status
    FROM signals AS s
    JOIN banks AS b ON b.id = s.bank_id
    LEFT JOIN cases AS c ON c.id = s.case_id
    WHERE s.id = ANY(CAST(:signal_ids AS BIGINT[]))
), recorded AS (
    INSERT INTO match_events (partner_id, signal_id, distance, action, created_at)
    SELECT :partner_id, w.signal_id, w.distance, w.action, :now
    FROM wanted AS w JOIN info AS i ON i.id = w.signal_id
    WHERE i.status = :active
    ORDER BY w.n
    RETURNING id, signal_id, distance, action
), audited AS (
    INSERT INTO audit_log (at, actor, action, target, detail)
    SELECT :now, :actor, 'match.record', 'match_events', 'count=' || count(*)
    FROM recorded
    HAVING count(*) > 0
)
SELECT i.id AS signal_id, i.signal_type, i.status, i.bank, i.case_status,
       CAST(NULL AS BIGINT) AS event_id, CAST(NULL AS SMALLINT) AS distance,
       CAST(NULL AS VARCHAR) AS action
FROM info AS i
UNION ALL
SELECT r.signal_id, NULL, NULL, NULL, NULL, r.id, r.distance, r.action
FROM recorded AS r
"""
).bindparams(bindparam("now", type_=schema.UtcDateTime()))


class MatchStore(StoreBase):
    """The match, feedback, review, note and audit methods of :class:`stukje.bank.Bank`."""

    def signals_by_ids(self, ids: Iterable[int]) -> dict[int, SignalInfo]:
        """What answering a match needs, per signal id (unknown ids are left out).

        Read without a transaction (on PostgreSQL one round trip per 5,000 ids, not BEGIN,
        SELECT, ROLLBACK): nothing here has to agree with anything read before or after.
        """
        with self._one_statement.connect() as connection:
            return _signal_infos(connection, ids)

    def record_match_events(self, partner: Partner, events: Sequence[NewMatchEvent]) -> list[int]:
        """Store the matches a partner found; returns their ids, in order."""
        require(partner, Scope.MATCH)
        if not events:
            return []
        _check_events(events)
        with self._write() as connection:
            known = _signal_infos(connection, (event.signal_id for event in events))
            missing = sorted({e.signal_id for e in events} - known.keys())
            if missing:
                raise NotFoundError(f"unknown signal id(s): {', '.join(map(str, missing[:10]))}")
            return self._insert_match_events(connection, partner, events)

    def record_live_matches(
        self, partner: Partner, events: Sequence[NewMatchEvent]
    ) -> list[tuple[int, SignalInfo] | None]:
        """Record the matches on active signals, in one transaction: what answering a hit needs.

        Per event, in order: (its match event id, its signal), or None where the signal is unknown
        or not active (a withdrawal may be in flight), which records nothing. The signals are read
        in the same transaction as the events are written, so an event is never recorded against a
        signal withdrawn after it was read.
        """
        require(partner, Scope.MATCH)
        _check_events(events)
        if not events:
            return []
        if self.engine.dialect.name == "postgresql":
            return self._record_live_matches_in_one_statement(partner, events)
        with self._write() as connection:
            info = _signal_infos(connection, (event.signal_id for event in events))
            live = [i for i, e in enumerate(events) if _active(info.get(e.signal_id))]
            ids = (
                self._insert_match_events(connection, partner, [events[i] for i in live])
                if live
                else []
            )
        answers: list[tuple[int, SignalInfo] | None] = [None] * len(events)
        for i, event_id in zip(live, ids, strict=True):
            answers[i] = (event_id, info[events[i].signal_id])
        return answers

    def _record_live_matches_in_one_statement(
        self, partner: Partner, events: Sequence[NewMatchEvent]
    ) -> list[tuple[int, SignalInfo] | None]:
        """record_live_matches as one PostgreSQL statement (_RECORD_LIVE_PG): one round trip.

        The statement reads the signals and writes the events and the audit record under one
        snapshot and commits them together, as the transaction on SQLite does.
        """
        parameters: dict[str, Any] = {
            "signal_ids": [e.signal_id for e in events],
            "distances": [e.distance for e in events],
            "actions": [e.action for e in events],
            "partner_id": partner.id,
            "now": self._now(),
            "actor": actor_name(partner)[:64],
            "active": Status.ACTIVE.value,
        }
        with self._one_statement.connect() as connection:
            rows = connection.execute(_RECORD_LIVE_PG, parameters).all()
        info: dict[int, SignalInfo] = {}
        # Events alike in every field are interchangeable: each takes the next id recorded for it.
        recorded: defaultdict[tuple[int, int, str], list[int]] = defaultdict(list)
        for row in rows:
            if row.event_id is None:
                info[row.signal_id] = _signal_info(row)
            else:
                recorded[(row.signal_id, row.distance, row.action)].append(row.event_id)
        for ids in recorded.values():
            ids.sort(reverse=True)
        answers: list[tuple[int, SignalInfo] | None] = []
        for event in events:
            left = recorded.get((event.signal_id, event.distance, event.action))
            answers.append((left.pop(), info[event.signal_id]) if left else None)
        return answers

    def _insert_match_events(
        self, connection: Connection, partner: Partner, events: Sequence[NewMatchEvent]
    ) -> list[int]:
        now = self._now()
        rows = [
            {
                "partner_id": partner.id,
                "signal_id": e.signal_id,
                "distance": e.distance,
                "action": e.action,
                "created_at": now,
            }
            for e in events
        ]
        ids = connection.scalars(
            insert(schema.match_events).returning(
                schema.match_events.c.id, sort_by_parameter_order=True
            ),
            rows,
        ).all()
        self._audit(connection, partner, "match.record", "match_events", f"count={len(ids)}")
        return list(ids)

    def record_feedback(self, partner: Partner, match_event_id: int, verdict: Verdict) -> int:
        """What the partner did with one of its own match events; returns the feedback id."""
        require(partner, Scope.FEEDBACK)
        verdict = Verdict(verdict)
        m = schema.match_events
        with self._write() as connection:
            owner = connection.scalar(select(m.c.partner_id).where(m.c.id == match_event_id))
            if owner != partner.id:
                raise NotFoundError(f"this partner has no match event {match_event_id}")
            feedback_id = connection.scalar(
                insert(schema.feedback)
                .values(
                    match_event_id=match_event_id,
                    partner_id=partner.id,
                    verdict=verdict.value,
                    created_at=self._now(),
                )
                .returning(schema.feedback.c.id)
            )
            self._audit(
                connection, partner, "feedback.record", f"match_event:{match_event_id}", verdict
            )
        assert feedback_id is not None
        return int(feedback_id)

    def review_queue(
        self, helpline: Actor, *, after_id: int = 0, limit: int = 50
    ) -> list[ReviewItem]:
        """Flagged match events awaiting a helpline decision, oldest first."""
        require(helpline, Scope.HELPLINE)
        m, fb, d = schema.match_events, schema.feedback, schema.review_decisions
        s, c, p = schema.signals, schema.cases, schema.partners
        flagged = exists().where(fb.c.match_event_id == m.c.id, fb.c.verdict.in_(_FLAGGED))
        decided = exists().where(d.c.match_event_id == m.c.id)
        query = (
            select(m, c.c.case_number, p.c.name.label("partner_name"))
            .join(s, s.c.id == m.c.signal_id)
            .outerjoin(c, c.c.id == s.c.case_id)
            .join(p, p.c.id == m.c.partner_id)
            .where(m.c.id > after_id, flagged, ~decided)
            .order_by(m.c.id)
            .limit(limit)
        )
        with self._write() as connection:
            rows = connection.execute(query).all()
            verdicts: dict[int, list[Verdict]] = {row.id: [] for row in rows}
            for event_id, verdict in connection.execute(
                select(fb.c.match_event_id, fb.c.verdict)
                .where(fb.c.match_event_id.in_(list(verdicts)))
                .order_by(fb.c.id)
            ):
                verdicts[event_id].append(Verdict(verdict))
            self._audit(connection, helpline, "review.list", "review_queue", f"count={len(rows)}")
        return [
            ReviewItem(
                match_event_id=row.id,
                signal_id=row.signal_id,
                case_number=format_case_number(row.case_number) if row.case_number else None,
                partner_name=row.partner_name,
                distance=row.distance,
                action=row.action,
                verdicts=tuple(verdicts[row.id]),
                created_at=row.created_at,
            )
            for row in rows
        ]

    def decide(self, helpline: Partner, match_event_id: int, decision: Decision) -> None:
        """A helpline's decision on a match event; ``signal_withdrawn`` withdraws the signal."""
        require(helpline, Scope.HELPLINE)
        decision = Decision(decision)
        m = schema.match_events
        try:
            with self._write() as connection:
                signal_id = connection.scalar(select(m.c.signal_id).where(m.c.id == match_event_id))
                if signal_id is None:
                    raise NotFoundError(f"there is no match event {match_event_id}")
                connection.execute(
                    insert(schema.review_decisions).values(
                        match_event_id=match_event_id,
                        partner_id=helpline.id,
                        decision=decision.value,
                        created_at=self._now(),
                    )
                )
                if decision is Decision.SIGNAL_WITHDRAWN:
                    withdraw_signals(connection, [signal_id], self._now())
                self._audit(
                    connection, helpline, "review.decide", f"match_event:{match_event_id}", decision
                )
        except IntegrityError as exc:
            raise ConflictError(f"match event {match_event_id} was decided already") from exc

    def add_note(self, helpline: Partner, case_number: str, body: str) -> int:
        """A helpline's note on a case; returns its id. Notes are sensitive: keep them short."""
        require(helpline, Scope.HELPLINE)
        if not body.strip() or len(body) > 10_000:
            raise InvalidInputError("a note is 1 to 10000 characters")
        with self._write() as connection:
            case_id = self._case_id(connection, case_number)
            note_id = connection.scalar(
                insert(schema.notes)
                .values(case_id=case_id, partner_id=helpline.id, body=body, created_at=self._now())
                .returning(schema.notes.c.id)
            )
            self._audit(connection, helpline, "note.add", f"case:{case_id}")
        assert note_id is not None
        return int(note_id)

    def notes(self, helpline: Actor, case_number: str) -> list[Note]:
        require(helpline, Scope.HELPLINE)
        n, p, c = schema.notes, schema.partners, schema.cases
        with self._write() as connection:
            case_id = self._case_id(connection, case_number)
            rows = connection.execute(
                select(n, p.c.name.label("partner_name"), c.c.case_number)
                .join(p, p.c.id == n.c.partner_id)
                .join(c, c.c.id == n.c.case_id)
                .where(n.c.case_id == case_id)
                .order_by(n.c.id)
            ).all()
            self._audit(connection, helpline, "note.list", f"case:{case_id}")
        return [
            Note(
                id=row.id,
                case_number=format_case_number(row.case_number),
                partner_name=row.partner_name,
                body=row.body,
                created_at=row.created_at,
            )
            for row in rows
        ]

    def audit_log(self, reader: Actor, *, before: int | None = None, limit: int = 100) -> AuditPage:
        """The audit log, newest first, a page at a time (reading it is audited too).

        Helplines read it to answer for what happened to the cases they hold; admins too.
        """
        if isinstance(reader, Partner) and not reader.scopes & {Scope.HELPLINE, Scope.ADMIN}:
            raise ScopeError("this needs the 'helpline' or 'admin' scope")
        a = schema.audit_log
        condition = a.c.id < before if before is not None else true()
        with self._write() as connection:
            rows = connection.execute(
                select(a).where(condition).order_by(a.c.id.desc()).limit(limit + 1)
            ).all()
            self._audit(connection, reader, "audit.list", "audit_log")
        entries = tuple(
            AuditEntry(
                id=r.id, at=r.at, actor=r.actor, action=r.action, target=r.target, detail=r.detail
            )
            for r in rows[:limit]
        )
        more = len(rows) > limit
        return AuditPage(entries=entries, next_before=entries[-1].id if more else None)

    def _case_id(self, connection: Connection, case_number: str) -> int:
        number = normalize_case_number(case_number)
        found = connection.scalar(
            select(schema.cases.c.id).where(schema.cases.c.case_number == number)
        )
        if found is None:
            raise NotFoundError("there is no case with this number")
        return int(found)


def _check_events(events: Sequence[NewMatchEvent]) -> None:
    for event in events:
        if not 0 <= event.distance <= 256 or not event.action or len(event.action) > 32:
            raise InvalidInputError("a match has a distance 0-256 and an action name")


def _active(signal: SignalInfo | None) -> bool:
    return signal is not None and signal.status is Status.ACTIVE


def _signal_infos(connection: Connection, ids: Iterable[int]) -> dict[int, SignalInfo]:
    """What answering a match needs, per signal id (unknown ids are left out)."""
    s, b, c = schema.signals, schema.banks, schema.cases
    wanted = sorted(set(ids))
    query = (
        select(
            s.c.id.label("signal_id"),
            s.c.signal_type,
            s.c.status,
            b.c.name.label("bank"),
            c.c.status.label("case_status"),
        )
        .join(b, b.c.id == s.c.bank_id)
        .outerjoin(c, c.c.id == s.c.case_id)
    )
    found: dict[int, SignalInfo] = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        for row in connection.execute(query.where(s.c.id.in_(chunk))):
            found[row.signal_id] = _signal_info(row)
    return found


def _signal_info(row: Any) -> SignalInfo:
    """A row with signal_id, signal_type, status, bank and case_status as a SignalInfo (this
    module's query, or _RECORD_LIVE_PG's signal rows)."""
    return SignalInfo(
        signal_id=row.signal_id,
        signal_type=row.signal_type,
        bank=row.bank,
        status=Status(row.status),
        case_status=Status(row.case_status) if row.case_status else None,
    )
