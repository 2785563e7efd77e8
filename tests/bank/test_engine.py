"""The bank's engine: pooled PostgreSQL connections are pinged only after sitting idle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from stukje.bank import Bank, NewMatchEvent, create_bank_engine, migrate

from .conftest import FAST_SCRYPT
from .helpers import random_hashes


def _pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every ping the engine's dialect makes."""
    pings: list[object] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


@pytest.fixture
def idle_bank(database_url: str) -> Iterator[Bank]:
    """A bank whose pooled connections count as idle at once (pinged at every reuse)."""
    engine = create_bank_engine(database_url, ping_idle_s=0.0)
    migrate(engine)
    bank = Bank(engine, scrypt_cost=FAST_SCRYPT)
    yield bank
    bank.close()


def test_a_connection_in_steady_use_is_not_pinged(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _pings(bank.engine, monkeypatch)
    partner, _ = bank.create_partner("platform", "match")
    bank.create_case(random_hashes(1), "en")
    for distance in range(5):
        assert bank.record_live_matches(partner, [NewMatchEvent(1, distance, "upload")])[0]
    assert pings == []  # reused within PING_IDLE_S (SQLite is never pinged)


def test_an_idle_connection_is_pinged_and_a_dropped_one_replaced(
    idle_bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = idle_bank
    partner, _ = bank.create_partner("platform", "match")
    bank.create_case(random_hashes(1), "en")
    pings = _pings(bank.engine, monkeypatch)
    assert bank.record_live_matches(partner, [NewMatchEvent(1, 3, "upload")])[0]
    if bank.engine.dialect.name != "postgresql":
        assert pings == []  # a file needs no liveness check
        return
    assert len(pings) == 1
    with bank.engine.connect() as connection:  # the pool's one connection (pinged again)
        backend = connection.scalar(text("SELECT pg_backend_pid()"))
    admin = create_bank_engine(bank.engine.url.render_as_string(hide_password=False))
    with admin.begin() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()
    answer = bank.record_live_matches(partner, [NewMatchEvent(1, 4, "upload")])  # no error
    assert answer[0] is not None
    with bank.engine.connect() as connection:
        assert connection.scalar(text("SELECT pg_backend_pid()")) != backend
        assert connection.scalar(text("SELECT count(*) FROM match_events")) == 2


def test_a_key_check_and_a_hit_are_one_round_trip_each_on_postgresql(bank: Bank) -> None:
    """No transaction around them there: no BEGIN and COMMIT or ROLLBACK round trips."""
    partner, key = bank.create_partner("platform", "match")
    bank.create_case(random_hashes(1), "en")
    states: list[str] = []

    def after(connection: Any, *_args: object) -> None:
        if bank.engine.dialect.name == "postgresql":  # SQLite, in the process, keeps BEGIN
            states.append(connection.connection.dbapi_connection.info.transaction_status.name)

    event.listen(bank.engine, "after_cursor_execute", after)
    try:
        assert bank.authenticate(key) == partner
        assert bank.record_live_matches(partner, [NewMatchEvent(1, 2, "upload")])[0]
    finally:
        event.remove(bank.engine, "after_cursor_execute", after)
    if bank.engine.dialect.name == "postgresql":
        assert states == ["IDLE", "IDLE"]  # each statement committed on its own
