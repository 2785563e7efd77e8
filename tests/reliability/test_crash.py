"""Crash safety: SIGKILL the server under load, restart it, lose nothing acknowledged.

Three kills per database here (the server is forked from this warm process so a restart takes
well under a second); bench/crash.py runs twenty and more with cold restarts. What is checked is
listed in :mod:`reliability.crash`.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import FAST_SCRYPT
from reliability.crash import run_crash_trial
from stukje.bank import Bank, create_bank_engine, migrate
from stukje.hashing import PdqHash

KILLS = 3


def test_acknowledged_submissions_survive_sigkill(database_url: str, tmp_path: Path) -> None:
    report = run_crash_trial(database_url, tmp_path, kills=KILLS, seed=7)
    assert report.problems == []
    assert report.outcomes.get("5xx", 0) == 0, report.outcomes
    assert report.acknowledged_cases > 0


@pytest.mark.slow
def test_twenty_kills_lose_nothing(database_url: str, tmp_path: Path) -> None:
    report = run_crash_trial(database_url, tmp_path, kills=20, seed=11)
    assert report.problems == []
    assert report.outcomes.get("5xx", 0) == 0, report.outcomes


@pytest.mark.parametrize("bank_name", ["default", "imported"])
def test_first_cases_opened_at_once_all_succeed(database_url: str, bank_name: str) -> None:
    # The crash test found this: on PostgreSQL two first cases raced to create the bank row
    # and one request got a 500 (a unique violation).
    engine = create_bank_engine(database_url)
    migrate(engine)
    with Bank(engine, scrypt_cost=FAST_SCRYPT) as bank:
        start = threading.Barrier(6)

        def open_one(n: int) -> str:
            start.wait()
            return bank.create_case([PdqHash(bytes([n]) * 32)], "nl", bank=bank_name).case_number

        with ThreadPoolExecutor(6) as pool:
            numbers = list(pool.map(open_one, range(6)))
    assert len(set(numbers)) == 6
    engine.dispose()
