"""The change feed: ordered, complete, written with the change, and replayable."""

from __future__ import annotations

import random

import pytest

from bank.helpers import random_hashes
from stukje.bank import Bank, CaseReceipt, ChangeKind, SignalRecord, Status
from stukje.hashing import PdqHash


def _replay(bank: Bank, page: int = 7) -> dict[int, PdqHash]:
    """The active signals, as a follower paging through the feed sees them."""
    active: dict[int, PdqHash] = {}
    seq = 0
    while batch := bank.changes_after(seq, limit=page):
        for change in batch:
            assert change.seq > seq
            seq = change.seq
            if change.kind is ChangeKind.ADD:
                active[change.signal_id] = change.value
            else:
                active.pop(change.signal_id)
    assert seq == bank.last_seq()
    return active


def _active_in_store(bank: Bank) -> set[int]:
    return {i for i, info in bank.signals_by_ids(range(1, 1000)).items() if info.status == "active"}


def test_an_empty_feed(bank: Bank) -> None:
    assert bank.changes_after(0) == []
    assert bank.last_seq() == 0


def test_adds_and_withdrawals_enter_the_feed_in_order(bank: Bank) -> None:
    hashes = random_hashes(3)
    receipt = bank.create_case(hashes, "en")
    bank.withdraw_case(receipt.case_number, pin=receipt.pin)
    feed = bank.changes_after(0)
    assert [c.kind for c in feed] == [ChangeKind.ADD] * 3 + [ChangeKind.WITHDRAW] * 3
    assert [c.seq for c in feed] == sorted(c.seq for c in feed)
    assert [c.value for c in feed[:3]] == hashes
    assert {c.signal_id for c in feed[:3]} == {c.signal_id for c in feed[3:]}
    assert {c.bank for c in feed} == {"default"}
    assert bank.changes_after(feed[-1].seq) == []
    assert bank.changes_after(feed[2].seq, limit=2) == feed[3:5]


@pytest.mark.parametrize("seed", range(3))
def test_replaying_the_feed_gives_the_active_signals(bank: Bank, seed: int) -> None:
    rng = random.Random(seed)
    open_cases: list[CaseReceipt] = []
    for step in range(12):
        if open_cases and rng.random() < 0.3:
            receipt = open_cases.pop(rng.randrange(len(open_cases)))
            bank.withdraw_case(receipt.case_number, pin=receipt.pin)
        elif rng.random() < 0.2:
            records = [SignalRecord(h) for h in random_hashes(rng.randint(1, 5), seed * 100 + step)]
            bank.import_signals("imported", records)
        else:
            hashes = random_hashes(rng.randint(1, 4), seed=seed * 100 + step)
            open_cases.append(bank.create_case(hashes, "en"))
    assert set(_replay(bank)) == _active_in_store(bank)


def test_a_failed_write_leaves_no_change_behind(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank.create_case(random_hashes(2), "en")
    before = bank.last_seq()

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bank, "_audit", fail)
    with pytest.raises(RuntimeError):
        bank.create_case(random_hashes(2, seed=1), "en")
    assert bank.last_seq() == before
    assert len(bank.signals_by_ids(range(1, 100))) == 2


def test_signals_by_ids_answers_a_match(bank: Bank) -> None:
    receipt = bank.create_case(random_hashes(2), "en")
    bank.import_signals("other", [SignalRecord(h) for h in random_hashes(1, seed=3)])
    infos = bank.signals_by_ids([1, 2, 3, 999])
    assert sorted(infos) == [1, 2, 3]
    assert (infos[1].bank, infos[1].status, infos[1].case_status) == ("default", "active", "active")
    assert (infos[3].bank, infos[3].case_status) == ("other", None)
    bank.withdraw_case(receipt.case_number, pin=receipt.pin)
    assert bank.signals_by_ids([1])[1].status == Status.WITHDRAWN
