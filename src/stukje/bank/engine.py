"""Connecting to the bank's database, and migrating it with Alembic.

SQLite (the embedded default) is opened in WAL mode with foreign keys on and a busy timeout.
Transactions that write start with ``BEGIN IMMEDIATE`` (the engine returned by :func:`writer`),
so two processes that write at once queue on SQLite's lock for up to the busy timeout instead of
failing; reads start ``BEGIN DEFERRED`` and never block writers. PostgreSQL needs nothing special.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from stukje.errors import ConfigError

__all__ = [
    "BUSY_TIMEOUT_S",
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
_WRITE_OPTION: Final = "stukje_write"
_SCRIPT_LOCATION: Final = "stukje.bank:migrations"


def create_bank_engine(url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    """An engine for ``url`` (a SQLAlchemy URL), set up for the bank."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        return create_engine(sa_url, pool_pre_ping=True)
    if sa_url.database and sa_url.database != ":memory:":
        Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(sa_url, connect_args={"timeout": busy_timeout_s})
    event.listen(engine, "connect", _sqlite_connect(busy_timeout_s))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


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
