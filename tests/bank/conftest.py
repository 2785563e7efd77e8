"""Fixtures for the bank's tests: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from STUKJE_TEST_POSTGRES_URL; each test gets a fresh schema (through the
connection's search_path), dropped afterwards, so parallel workers never collide. Without that
variable the PostgreSQL cases are deselected; with it, an unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bank.helpers import FakeClock
from stukje.bank import Bank, create_bank_engine, migrate

POSTGRES_ENV = "STUKJE_TEST_POSTGRES_URL"
FAST_SCRYPT = 2**8  # tests need the code path, not the cost


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(POSTGRES_ENV):
        return
    postgres = [item for item in items if item.get_closest_marker("postgres")]
    if postgres:
        config.hook.pytest_deselected(items=postgres)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


def _postgres_schema(base_url: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('bank') / 'bank.db'}"
        return
    base_url = os.environ.get(POSTGRES_ENV)
    assert base_url, f"{POSTGRES_ENV} is not set"
    yield from _postgres_schema(base_url)


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    engine = create_bank_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    migrate(empty_engine)
    return empty_engine


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bank(engine: Engine, clock: FakeClock) -> Iterator[Bank]:
    store = Bank(engine, clock=clock, scrypt_cost=FAST_SCRYPT)
    yield store
    store.close()
