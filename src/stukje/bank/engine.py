"""Connecting to the bank's database, and migrating it with Alembic.

SQLite (the embedded default) is opened in WAL mode with foreign keys on and a busy timeout.
Transactions that write start with ``BEGIN IMMEDIATE`` (the engine returned by :func:`writer`),
so two processes that write at once queue on SQLite's lock for up to the busy timeout instead of
failing; reads start ``BEGIN DEFERRED`` and never block writers.

On PostgreSQL a pooled connection that sat unused for over ``PING_IDLE_S`` is pinged when it is
taken from the pool, and replaced if the server dropped it (a restart, an idle timeout, a
firewall). SQLAlchemy's ``pool_pre_ping`` would ping on every checkout: a round trip more for
every transaction, which under load is most of what a hit's one-statement write costs
(docs/service.md). A connection in steady use is not pinged; one that dies in use fails its
statement, and SQLAlchemy then discards every connection of the pool opened before it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InvalidatePoolError

from stukje.errors import ConfigError

__all__ = [
    "BUSY_TIMEOUT_S",
    "PING_IDLE_S",
    "create_bank_engine",
    "current_revision",
    "downgrade",
    "ensure_migrated",
    "head_revision",
    "is_sqlite",
    "migrate",
    "writer",
]

#: How long a writer waits for another process's write to finish on SQLite.
BUSY_TIMEOUT_S: Final = 60.0
#: A pooled PostgreSQL connection unused for longer than this is pinged before it is used again.
PING_IDLE_S: Final = 1.0
_IDLE_SINCE: Final = "stukje_idle_since"
_WRITE_OPTION: Final = "stukje_write"
_SCRIPT_LOCATION: Final = "stukje.bank:migrations"


def create_bank_engine(
    url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S, ping_idle_s: float = PING_IDLE_S
) -> Engine:
    """An engine for ``url`` (a SQLAlchemy URL), set up for the bank."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        # LIFO: the connections in use stay few and warm; the rest idle, and are pinged if reused.
        engine = create_engine(sa_url, pool_use_lifo=True)
        _ping_idle_connections(engine, ping_idle_s)
        return engine
    if sa_url.database and sa_url.database != ":memory:":
        Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(sa_url, connect_args={"timeout": busy_timeout_s})
    event.listen(engine, "connect", _sqlite_connect(busy_timeout_s))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _ping_idle_connections(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection on checkout if it was unused for over ``idle_s``."""

    def on_checkin(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)  # a new connection has none: no ping
        if since is None or time.monotonic() - since <= idle_s:
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if not dialect.is_disconnect(exc, dbapi_connection, None):
                raise
            # The pool drops this connection and every older one, then opens a new one.
            raise InvalidatePoolError(f"a pooled connection was dropped: {exc}") from exc

    event.listen(engine, "checkin", on_checkin)
    event.listen(engine, "checkout", on_checkout)


def writer(engine: Engine) -> Engine:
    """The same engine (and pool), whose transactions take SQLite's write lock at BEGIN."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_connect(busy_timeout_s: float) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, instead of pysqlite's guesswork.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes in WAL mode
        # 64 MiB of page cache (default 2 MiB): bulk inserts into the hash index stay in memory.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    return on_connect


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (default: the newest)."""
    with writer(engine).begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the database to ``revision`` (default: empty)."""
    with writer(engine).begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_migrated(engine: Engine) -> None:
    """Raise ConfigError unless the database is at the newest migration."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        current = current_revision(engine)
    except Exception as exc:
        raise ConfigError(f"cannot open the bank database {where}: {exc}") from exc
    head = head_revision()
    if current != head:
        raise ConfigError(
            f"the bank database {where} is not migrated (at {current or 'nothing'}, "
            f"this stukje needs {head}): run `stukje migrate` first"
        )
