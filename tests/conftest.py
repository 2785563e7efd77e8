"""Shared test helpers: where the image corpus lives, and a database on SQLite and PostgreSQL.

PostgreSQL comes from STUKJE_TEST_POSTGRES_URL (.ci/run points it at the machine's server); each
test gets a fresh schema (through the connection's search_path), dropped afterwards, so parallel
workers never collide. Without that variable the PostgreSQL cases are deselected; with it, an
unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path:
    """../shared/corpus beside the repository (CI clones the repo with shared/ beside it)."""
    return REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def photos_dir() -> Path:
    path = corpus_dir() / "photos"
    assert path.is_dir(), f"the image corpus is missing at {path}"
    return path


@pytest.fixture(scope="session")
def odd_dir() -> Path:
    path = corpus_dir() / "odd"
    assert path.is_dir(), f"the odd-image corpus is missing at {path}"
    return path


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
