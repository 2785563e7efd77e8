"""Alembic's entry point for stukje's bank: runs migrations on the connection it is given.

stukje calls Alembic from code (:mod:`stukje.bank.engine`), never through an alembic.ini; the
caller puts an open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from stukje.bank.schema import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("stukje runs its migrations from code: see stukje.bank.engine.migrate")
run_migrations(connection)
