"""Migrations run up and down on both databases and build exactly the schema in the code."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from stukje.bank import Bank, current_revision, downgrade, head_revision, migrate
from stukje.bank.schema import metadata
from stukje.errors import ConfigError


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_go_up_and_down(empty_engine: Engine) -> None:
    migrate(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert _tables(empty_engine) == set(metadata.tables)
    downgrade(empty_engine)
    assert current_revision(empty_engine) is None
    assert _tables(empty_engine) == set()
    migrate(empty_engine)
    assert _tables(empty_engine) == set(metadata.tables)


def test_migrated_schema_equals_the_metadata(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_store_refuses_an_unmigrated_database(empty_engine: Engine) -> None:
    with pytest.raises(ConfigError, match="stukje migrate"):
        Bank(empty_engine)


def test_store_refuses_a_database_behind_the_code(engine: Engine) -> None:
    downgrade(engine)
    with pytest.raises(ConfigError, match="stukje migrate"):
        Bank(engine)
