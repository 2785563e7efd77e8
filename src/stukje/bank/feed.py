"""The change feed: every add and withdrawal of a signal gets the next sequence number.

Contract (see docs/storage.md): sequence numbers grow strictly in commit order, so a follower
that has seen ``seq`` never later finds a new change at or below it; numbers may have gaps. The
change row is written in the same transaction as the change it records.

How: sequence numbers are handed out while holding the only write lock (SQLite's, taken at
``BEGIN IMMEDIATE``; on PostgreSQL a transaction-scoped advisory lock), which is released only at
commit, so no later-numbered change can commit before an earlier-numbered one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update

from stukje.bank import schema
from stukje.bank.base import StoreBase
from stukje.bank.models import Change, ChangeKind, SignalRecord, Status
from stukje.hashing import PdqHash

__all__ = ["FeedStore", "NewSignalRow", "insert_signals", "withdraw_signals"]

#: The advisory lock every PostgreSQL transaction that writes changes holds until it commits.
_PG_FEED_LOCK: Final = 0x5354554B  # "STUK"


@dataclass(frozen=True, slots=True)
class NewSignalRow:
    record: SignalRecord
    bank_id: int
    case_id: int | None


def _allocate(connection: Connection, count: int) -> int:
    """Reserve ``count`` consecutive sequence numbers; returns the first."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_FEED_LOCK})
        last = connection.scalar(
            text(
                "SELECT setval(pg_get_serial_sequence('changes', 'seq'), "
                "nextval(pg_get_serial_sequence('changes', 'seq')) + :extra)"
            ),
            {"extra": count - 1},
        )
        assert last is not None
        return int(last) - count + 1
    # SQLite: this transaction holds the database's write lock since BEGIN IMMEDIATE.
    last = connection.scalar(
        text("SELECT seq FROM sqlite_sequence WHERE name = 'changes'")
    ) or connection.scalar(select(func.max(schema.changes.c.seq)))
    return int(last or 0) + 1


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``INSERT`` many rows through the driver's executemany, skipping per-row processing.

    Bulk imports spend most of their time in SQLAlchemy's per-value bind processing otherwise.
    Values must already be in driver form: the only column that needs converting, the shared
    ``created_at`` timestamp, is converted once per call.
    """
    if not rows:
        return
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=keys)
    converters = {
        key: converter
        for key in keys
        if key.endswith("_at")
        and (converter := table.c[key].type.bind_processor(connection.dialect)) is not None
    }
    for key, convert in converters.items():
        converted: dict[Any, Any] = {}  # rows of one batch share their timestamp: convert it once
        for row in rows:
            value = row[key]
            if value not in converted:
                converted[value] = convert(value)
            row[key] = converted[value]
    if compiled.positional:
        order = compiled.positiontup or []
        connection.exec_driver_sql(str(compiled), [tuple(row[k] for k in order) for row in rows])
    else:
        connection.exec_driver_sql(str(compiled), rows)


def insert_signals(connection: Connection, rows: Sequence[NewSignalRow], now: datetime) -> int:
    """Add signals and their ``add`` changes; a signal's id is its change's sequence number."""
    if not rows:
        return 0
    first = _allocate(connection, len(rows))
    active, add = Status.ACTIVE.value, ChangeKind.ADD.value
    bulk_insert(
        connection,
        schema.signals,
        [
            {
                "id": first + i,
                "signal_type": row.record.signal_type,
                "value": row.record.value.value,
                "quality": row.record.quality,
                "bank_id": row.bank_id,
                "case_id": row.case_id,
                "status": active,
                "created_at": now,
                "seq": first + i,
            }
            for i, row in enumerate(rows)
        ],
    )
    bulk_insert(
        connection,
        schema.changes,
        [
            {
                "seq": first + i,
                "kind": add,
                "signal_id": first + i,
                "signal_type": row.record.signal_type,
                "value": row.record.value.value,
                "bank_id": row.bank_id,
                "created_at": now,
            }
            for i, row in enumerate(rows)
        ],
    )
    return first + len(rows) - 1


def withdraw_signals(connection: Connection, signal_ids: Sequence[int], now: datetime) -> int:
    """Withdraw the active ones among ``signal_ids``, each with a ``withdraw`` change."""
    s = schema.signals
    active = connection.execute(
        select(s.c.id, s.c.signal_type, s.c.value, s.c.bank_id)
        .where(s.c.id.in_(signal_ids), s.c.status == Status.ACTIVE.value)
        .order_by(s.c.id)
    ).all()
    if not active:
        return 0
    first = _allocate(connection, len(active))
    connection.execute(
        update(s)
        .where(s.c.id == bindparam("signal_id"))
        .values(status=Status.WITHDRAWN.value, seq=bindparam("new_seq")),
        [{"signal_id": row.id, "new_seq": first + i} for i, row in enumerate(active)],
    )
    connection.execute(
        insert(schema.changes),
        [
            {
                "seq": first + i,
                "kind": ChangeKind.WITHDRAW.value,
                "signal_id": row.id,
                "signal_type": row.signal_type,
                "value": row.value,
                "bank_id": row.bank_id,
                "created_at": now,
            }
            for i, row in enumerate(active)
        ],
    )
    return len(active)


class FeedStore(StoreBase):
    """Reading the change feed."""

    def changes_after(self, seq: int, limit: int = 1000) -> list[Change]:
        """Up to ``limit`` changes with a sequence number above ``seq``, oldest first."""
        c, b = schema.changes, schema.banks
        query = (
            select(c, b.c.name.label("bank"))
            .join(b, b.c.id == c.c.bank_id)
            .where(c.c.seq > seq)
            .order_by(c.c.seq)
            .limit(max(0, limit))
        )
        with self._read() as connection:
            rows = connection.execute(query).all()
        return [
            Change(
                seq=row.seq,
                kind=ChangeKind(row.kind),
                signal_id=row.signal_id,
                signal_type=row.signal_type,
                value=PdqHash(bytes(row.value)),
                bank=row.bank,
                created_at=row.created_at,
            )
            for row in rows
        ]

    def last_seq(self) -> int:
        """The newest sequence number in the feed (0 when empty)."""
        with self._read() as connection:
            return int(connection.scalar(select(func.max(schema.changes.c.seq))) or 0)
