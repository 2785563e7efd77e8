"""Crash trials: sustained submissions and matches, SIGKILL at random moments, then audit.

:func:`run_crash_trial` starts ``stukje serve``, drives it with client threads that open cases,
add to them, withdraw some and match, writes down every submission the server acknowledged with
a 2xx, kills the server with SIGKILL at a random moment (sometimes while it is still starting,
sometimes in the middle of traffic), restarts it, and repeats. At the end :func:`audit_store`
checks the database and the index the restarted server builds:

- every acknowledged case is there with every acknowledged hash, withdrawn if that was
  acknowledged, and its PIN still opens it;
- nothing is half-written: every case has signals, every signal has its feed entry with its
  sequence number, every feed entry its signal, and a case and its signals agree on their status;
- the index rebuilt from the snapshot plus the feed, and the one rebuilt from the feed alone,
  hold exactly the active signals (the same count, each found at distance 0, no withdrawn one).

Used by tests/reliability/test_crash.py (a few kills per database) and bench/crash.py (20+).
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import func, select

from reliability.live import LiveServer, start_server
from stukje.api.app import snapshot_dir
from stukje.bank import Bank, create_bank_engine, migrate, schema
from stukje.bank.credentials import normalize_case_number, verify_secret
from stukje.config import Settings
from stukje.matcher import Matcher

__all__ = ["CrashReport", "audit_store", "run_crash_trial"]

CLIENT_THREADS = 3
PIN_CHECKS = 5


@dataclass
class AckedCase:
    pin: str
    hashes: set[str]
    withdrawn: bool = False
    #: A withdrawal was sent; without its answer it may or may not have happened.
    withdraw_sent: bool = False


@dataclass
class Ledger:
    """What the server acknowledged, written only after a 2xx arrived."""

    cases: dict[str, AckedCase] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1


@dataclass
class CrashReport:
    database: str
    kills: int
    kills_while_starting: int
    acknowledged_cases: int
    acknowledged_signals: int
    acknowledged_withdrawals: int
    outcomes: dict[str, int]
    stored_signals: int
    active_signals: int
    problems: list[str]


def _new_hash() -> str:
    return secrets.token_hex(32)


def _one_request(client: httpx.Client, key: str, ledger: Ledger, rng: random.Random) -> None:
    with ledger.lock:
        known = list(ledger.cases.items())
    roll = rng.random()
    if roll < 0.45 or not known:
        hashes = [_new_hash() for _ in range(rng.randint(1, 3))]
        answer = client.post("/v1/cases", json={"signals": [{"hash": h} for h in hashes]})
        if answer.status_code == 201:
            body = answer.json()
            with ledger.lock:
                ledger.cases[body["case_number"]] = AckedCase(body["pin"], set(hashes))
    elif roll < 0.65:
        number, case = rng.choice(known)
        hashes = [_new_hash() for _ in range(rng.randint(1, 2))]
        answer = client.post(
            f"/v1/cases/{number}/signals",
            json={"pin": case.pin, "signals": [{"hash": h} for h in hashes]},
        )
        if answer.status_code == 200:
            with ledger.lock:
                case.hashes.update(hashes)
    elif roll < 0.72:
        number, case = rng.choice(known)
        with ledger.lock:
            case.withdraw_sent = True
        answer = client.post(f"/v1/cases/{number}/withdraw", json={"pin": case.pin})
        if answer.status_code == 200:
            with ledger.lock:
                case.withdrawn = True
    else:
        picked = [next(iter(rng.choice(known)[1].hashes)) for _ in range(rng.randint(1, 20))]
        answer = client.post(
            "/v1/match", json={"hashes": picked}, headers={"Authorization": f"Bearer {key}"}
        )
    ledger.count("5xx" if answer.status_code >= 500 else f"{answer.status_code // 100}xx")


def _traffic(base_url: str, key: str, ledger: Ledger, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not stop.is_set():
            try:
                _one_request(client, key, ledger, rng)
            except httpx.TransportError:
                ledger.count("no answer")  # the server is down: nothing was acknowledged
                time.sleep(0.02)


def run_crash_trial(
    database_url: str,
    data_dir: Path,
    *,
    kills: int,
    seed: int = 0,
    fresh: bool = False,
    label: str = "",
) -> CrashReport:
    """``kills`` SIGKILLs under traffic, a clean restart, then :func:`audit_store`."""
    rng = random.Random(seed)
    engine = create_bank_engine(database_url)
    migrate(engine)
    with Bank(engine, scrypt_cost=2**8) as bank:
        key = bank.create_partner(f"crash-{seed}", ["match"])[1]
    ledger = Ledger()
    while_starting = 0
    log_path = data_dir / "server.log"
    for kill in range(kills):
        server = start_server(database_url, data_dir, log_path, fresh=fresh)
        if rng.random() < 0.2:  # somewhere in start-up: migrations check, snapshot, index
            time.sleep(rng.uniform(0.0, 1.5))
            while_starting += 1
            server.kill()
            continue
        server.wait_ready()
        stop = threading.Event()
        threads = [
            threading.Thread(target=_traffic, args=(server.base_url, key, ledger, stop, n))
            for n in range(kill * CLIENT_THREADS, (kill + 1) * CLIENT_THREADS)
        ]
        acknowledged = len(ledger.cases)
        for thread in threads:
            thread.start()
        # At least one new acknowledged case per round, however slow a busy machine makes it.
        give_up = time.monotonic() + 60
        while len(ledger.cases) == acknowledged and time.monotonic() < give_up:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.5))
        server.kill()  # while the client threads are still sending
        stop.set()
        for thread in threads:
            thread.join()
    final = start_server(database_url, data_dir, log_path, fresh=fresh)
    try:
        final.wait_ready()
        problems = _matches_after_restart(final, key, ledger)
    finally:
        final.stop()
    report = audit_store(database_url, data_dir, ledger)
    report.problems[:0] = problems
    report.database = label or database_url.split(":")[0]
    report.kills, report.kills_while_starting = kills, while_starting
    engine.dispose()
    return report


def _matches_after_restart(server: LiveServer, key: str, ledger: Ledger) -> list[str]:
    """The restarted server matches acknowledged active hashes and not withdrawn ones."""
    problems = []
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for number, case in list(ledger.cases.items())[:50]:
            if case.withdraw_sent and not case.withdrawn:
                continue  # its withdrawal may have committed before the kill: either is right
            answer = client.post(
                "/v1/match",
                json={"hashes": sorted(case.hashes), "threshold": 0},
                headers={"Authorization": f"Bearer {key}"},
            )
            found = len(answer.json()["matches"])
            expected = 0 if case.withdrawn else len(case.hashes)
            if answer.status_code != 200 or found < expected or (case.withdrawn and found):
                problems.append(f"case {number}: {found} matches after restart, {expected} due")
    return problems


def audit_store(database_url: str, data_dir: Path, ledger: Ledger) -> CrashReport:
    """Check the database and the rebuilt index against what was acknowledged."""
    engine = create_bank_engine(database_url)
    problems: list[str] = []
    with engine.connect() as connection:
        cases = {row.case_number: row for row in connection.execute(select(schema.cases))}
        signals = list(connection.execute(select(schema.signals)))
        changes = list(connection.execute(select(schema.changes)))
        signals_per_case: dict[int, int] = dict(
            connection.execute(
                select(schema.signals.c.case_id, func.count()).group_by(schema.signals.c.case_id)
            ).all()
        )
    problems += _check_acknowledged(ledger, cases, signals)
    problems += _check_whole(cases, signals, changes, signals_per_case)
    active = {int(s.id): bytes(s.value) for s in signals if s.status == "active"}
    withdrawn = {int(s.id): bytes(s.value) for s in signals if s.status != "active"}
    with Bank(engine, scrypt_cost=2**8) as bank:
        settings = Settings(data_dir=data_dir, database_url=database_url)
        for name, matcher in (
            ("snapshot + feed", Matcher.open(bank, snapshot_dir(settings))),
            ("feed alone", Matcher.open(bank, None)),
        ):
            problems += [f"index ({name}): {p}" for p in _check_index(matcher, active, withdrawn)]
    engine.dispose()
    return CrashReport(
        database="",
        kills=0,
        kills_while_starting=0,
        acknowledged_cases=len(ledger.cases),
        acknowledged_signals=sum(len(c.hashes) for c in ledger.cases.values()),
        acknowledged_withdrawals=sum(c.withdrawn for c in ledger.cases.values()),
        outcomes=dict(ledger.outcomes),
        stored_signals=len(signals),
        active_signals=len(active),
        problems=problems,
    )


def _check_acknowledged(ledger: Ledger, cases: dict[str, Any], signals: list[Any]) -> list[str]:
    problems = []
    values_by_case: dict[int, set[str]] = {}
    for s in signals:
        values_by_case.setdefault(s.case_id, set()).add(bytes(s.value).hex())
    for checked, (number, acked) in enumerate(ledger.cases.items()):
        row = cases.get(normalize_case_number(number))
        if row is None:
            problems.append(f"acknowledged case {number} is missing")
            continue
        missing = acked.hashes - values_by_case.get(row.id, set())
        if missing:
            problems.append(f"case {number} lost {len(missing)} acknowledged hashes")
        if acked.withdrawn and row.status != "withdrawn":
            problems.append(f"case {number}: acknowledged withdrawal not kept")
        if checked < PIN_CHECKS and not verify_secret(acked.pin, row.pin_hash):
            problems.append(f"case {number}: its PIN no longer opens it")
    return problems


def _check_whole(
    cases: dict[str, Any],
    signals: list[Any],
    changes: list[Any],
    signals_per_case: dict[int, int],
) -> list[str]:
    problems = []
    status_by_case = {c.id: c.status for c in cases.values()}
    empty = [cid for cid in status_by_case if not signals_per_case.get(cid)]
    if empty:
        problems.append(f"{len(empty)} cases have no signals (half-written)")
    adds = {c.signal_id: c for c in changes if c.kind == "add"}
    latest: dict[int, int] = {}
    for change in changes:
        latest[change.signal_id] = max(latest.get(change.signal_id, 0), change.seq)
    by_id = {s.id: s for s in signals}
    for s in signals:
        add = adds.get(s.id)
        if add is None or add.seq != s.id or bytes(add.value) != bytes(s.value):
            problems.append(f"signal {s.id} has no matching add in the feed")
        if latest.get(s.id) != s.seq:
            problems.append(f"signal {s.id}: seq {s.seq} is not its latest change")
        case_status = status_by_case.get(s.case_id)
        if case_status is not None and case_status != s.status:
            problems.append(f"signal {s.id} is {s.status}, its case {case_status}")
    orphans = [c.seq for c in changes if c.signal_id not in by_id]
    if orphans:
        problems.append(f"{len(orphans)} feed entries name no signal")
    return problems


def _check_index(
    matcher: Matcher, active: dict[int, bytes], withdrawn: dict[int, bytes]
) -> list[str]:
    problems = []
    if len(matcher.index) != len(active):
        problems.append(f"holds {len(matcher.index)} signals, the store {len(active)} active")
    for wanted, expect_found in ((active, True), (withdrawn, False)):
        if not wanted:
            continue
        ids = list(wanted)
        codes = np.frombuffer(b"".join(wanted[i] for i in ids), dtype=np.uint8).reshape(-1, 32)
        found = matcher.search(codes, 0)
        for position, signal_id in enumerate(ids):
            hits = found.signal_ids[found.offsets[position] : found.offsets[position + 1]]
            if (signal_id in hits.tolist()) != expect_found:
                state = "missing" if expect_found else "still there although withdrawn"
                problems.append(f"signal {signal_id} {state}")
    return problems
