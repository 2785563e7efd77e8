"""What every part of the store shares: the engine, transactions, the clock and the audit log."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from stukje.bank import schema
from stukje.bank.credentials import DEFAULT_SCRYPT_COST
from stukje.bank.engine import ensure_migrated, writer
from stukje.bank.models import Partner, Scope
from stukje.errors import NotFoundError, ScopeError

__all__ = ["Actor", "StoreBase", "actor_name", "utc_now"]

#: Who acts: an authenticated partner, or a local operator named by a string ("cli", "system").
#: Local operators have every right: whoever can reach the database file can do anything anyway.
Actor = Partner | str


def utc_now() -> datetime:
    return datetime.now(UTC)


def actor_name(actor: Actor) -> str:
    return f"partner:{actor.id}" if isinstance(actor, Partner) else actor


def require(actor: Actor, scope: Scope) -> None:
    """Raise ScopeError when a partner lacks ``scope``; local operators pass."""
    if isinstance(actor, Partner) and scope not in actor.scopes:
        raise ScopeError(f"this needs the '{scope}' scope")


class StoreBase:
    """The engine, a clock and the scrypt cost; subclasses add the store's methods."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utc_now,
        scrypt_cost: int = DEFAULT_SCRYPT_COST,
        check_migrated: bool = True,
    ) -> None:
        if check_migrated:
            ensure_migrated(engine)
        self.engine = engine
        self._writer = writer(engine)
        # For work that is one statement: on PostgreSQL the same pool in autocommit mode, where a
        # statement is its own transaction (one round trip, not BEGIN, statement, COMMIT).
        self._one_statement = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )
        self._clock = clock
        self._scrypt_cost = scrypt_cost
        # (key id, key hash) -> (SHA-256 of the key, expiry): keys that passed scrypt recently.
        self._verified_keys: dict[tuple[str, str], tuple[bytes, float]] = {}
        # (key id, SHA-256 of a presented key) -> (its lock, how many hold or wait for it): one
        # scrypt check of the same key at a time (PartnerStore._key_matches).
        self._flights: dict[tuple[str, bytes], tuple[threading.Lock, int]] = {}
        self._flights_lock = threading.Lock()
        # SHA-256 of a key -> (its partner, when it last authenticated): see PartnerStore.
        self._recent_keys: dict[bytes, tuple[Partner, float]] = {}

    def close(self) -> None:
        self.engine.dispose()

    def _now(self) -> datetime:
        return self._clock()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self._writer.begin() as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def _audit(
        self, connection: Connection, actor: Actor, action: str, target: str, detail: str = ""
    ) -> None:
        """Record who did what to which target. Never pass hash values, PINs or keys here."""
        connection.execute(
            insert(schema.audit_log).values(
                at=self._now(),
                actor=actor_name(actor)[:64],
                action=action,
                target=target[:64],
                detail=detail[:200],
            )
        )

    def audit(self, actor: Actor, action: str, target: str, detail: str = "") -> None:
        """Record a privileged read or action done outside the store (e.g. by the API)."""
        with self._write() as connection:
            self._audit(connection, actor, action, target, detail)

    def _bank_id(self, connection: Connection, name: str, *, create: bool = False) -> int:
        found = connection.scalar(select(schema.banks.c.id).where(schema.banks.c.name == name))
        if found is not None:
            return int(found)
        if not create:
            raise NotFoundError(f"there is no bank named {name!r}")
        try:
            with connection.begin_nested():
                created = connection.scalar(
                    insert(schema.banks)
                    .values(name=name, description="", created_at=self._now())
                    .returning(schema.banks.c.id)
                )
        except IntegrityError:
            # Another writer created it first: PostgreSQL writers do not queue as SQLite's do.
            created = connection.scalar(
                select(schema.banks.c.id).where(schema.banks.c.name == name)
            )
        assert created is not None
        return int(created)
