"""Fixtures for the bank's tests: every store test runs on SQLite and on PostgreSQL.

The ``database_url`` fixture (both databases) lives in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bank.helpers import FakeClock
from conftest import FAST_SCRYPT
from stukje.bank import Bank, create_bank_engine, migrate

__all__ = ["FAST_SCRYPT"]


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
