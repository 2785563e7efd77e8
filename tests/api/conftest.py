"""An in-process API over a fresh bank (SQLite and PostgreSQL), with keys for each scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import FAST_SCRYPT
from stukje.api import create_app
from stukje.bank import Bank, Scope, create_bank_engine, migrate
from stukje.config import Settings
from stukje.matcher import Matcher

__all__ = ["Api", "make_api"]


@dataclass
class Api:
    client: TestClient
    bank: Bank
    matcher: Matcher
    keys: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def sync(self) -> None:
        """Apply pending changes now (the follower thread would within its poll interval)."""
        self.matcher.catch_up()


def make_api(database_url: str, data_dir: Path, **settings: object) -> Iterator[Api]:
    config = Settings(data_dir=data_dir, database_url=database_url, **settings)  # type: ignore[arg-type]
    engine = create_bank_engine(database_url)
    migrate(engine)
    bank = Bank(engine, scrypt_cost=FAST_SCRYPT)
    keys = {
        scope.value: bank.create_partner(f"partner-{scope.value}", [scope])[1] for scope in Scope
    }
    keys["platform"] = bank.create_partner("platform", ["match", "feed", "feedback"])[1]
    matcher = Matcher(bank, poll_s=0.01)
    app = create_app(config, bank=bank, matcher=matcher)
    with TestClient(app) as client:
        yield Api(client, bank, matcher, keys)
    bank.close()


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(database_url, tmp_path)
