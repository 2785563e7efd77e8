"""Two processes writing at once: nothing is lost, and a follower of the feed misses nothing."""

from __future__ import annotations

import multiprocessing

from bank.helpers import random_hashes
from stukje.bank import Bank, SignalRecord, create_bank_engine

from .conftest import FAST_SCRYPT

ROUNDS = 15


def _write(url: str, worker: int) -> None:
    bank = Bank(create_bank_engine(url), scrypt_cost=FAST_SCRYPT)
    try:
        for round_number in range(ROUNDS):
            seed = worker * 1000 + round_number
            receipt = bank.create_case(random_hashes(2, seed), "en")
            if round_number % 3 == 0:
                bank.withdraw_case(receipt.case_number, pin=receipt.pin)
            records = [SignalRecord(h) for h in random_hashes(3, seed + 500)]
            bank.import_signals(f"bulk-{worker}", records, batch_size=2)
    finally:
        bank.close()


def test_two_writer_processes_and_a_follower(bank: Bank, database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write, args=(database_url, n)) for n in (1, 2)]
    for process in workers:
        process.start()
    followed: list[int] = []
    while any(process.is_alive() for process in workers):
        followed.extend(c.seq for c in bank.changes_after(followed[-1] if followed else 0))
    for process in workers:
        process.join()
        assert process.exitcode == 0
    followed.extend(c.seq for c in bank.changes_after(followed[-1] if followed else 0, 10**6))

    withdrawals_per_worker = 2 * len(range(0, ROUNDS, 3))
    expected = 2 * (ROUNDS * (2 + 3) + withdrawals_per_worker)
    everything = [c.seq for c in bank.changes_after(0, limit=10**6)]
    assert len(everything) == expected
    assert followed == everything  # in order, none skipped while the writers were busy
    assert len(bank.signals_by_ids(range(1, 10**4))) == 2 * ROUNDS * 5
