"""Freshness across worker processes: a real ``stukje serve --workers 2`` on SQLite and PostgreSQL.

Each worker keeps its own in-memory index and follows the change feed, so a case opened through
one worker must start matching in the other, and a withdrawal must reach both. A kept-alive
connection stays with the worker process that accepted it, and ``/readyz`` names that process,
so the test holds one connection per worker and asks each directly. No timing is asserted (the
benchmark bench/api.py measures freshness); the deadline only keeps a broken build from hanging.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

WORKERS = 2
DEADLINE_S = 30.0
NEAR_FLIP = 0b1011  # three bits flipped in the last byte: a near-duplicate, not the same hash


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any]) -> Any:
    """Call ``check`` until it returns something truthy; fail after the deadline."""
    give_up = time.monotonic() + DEADLINE_S
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > give_up:
            pytest.fail(f"gave up after {DEADLINE_S:.0f} s waiting for {what}")
        time.sleep(0.02)


@contextmanager
def serving(database_url: str, data_dir: Path) -> Iterator[tuple[str, str]]:
    """``stukje serve --demo --workers 2``; yields its URL and the demo partner's key."""
    port = free_port()
    log_path = data_dir / "serve.log"
    command = [
        str(Path(sys.executable).with_name("stukje")),
        "serve",
        "--demo",
        f"--workers={WORKERS}",
        f"--port={port}",
        f"--data-dir={data_dir}",
        f"--database-url={database_url}",
    ]
    env = {**os.environ, "STUKJE_LOG_LEVEL": "warning"}
    with log_path.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:

        def demo_key() -> str | None:
            assert server.poll() is None, log_path.read_text("utf-8", "replace")
            for line in log_path.read_text("utf-8", "replace").splitlines():
                if "demo partner key" in line:
                    return line.split()[3]
            return None

        yield f"http://127.0.0.1:{port}", wait_for("the demo key", demo_key)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def readiness(client: httpx.Client) -> dict[str, Any] | None:
    try:
        answer = client.get("/readyz")
    except httpx.TransportError:  # not listening yet
        return None
    found: dict[str, Any] = answer.json()
    return found if found.get("ready") else None


def one_connection_per_worker(base_url: str, stack: ExitStack) -> dict[int, httpx.Client]:
    """Open connections until every worker process has accepted one; keep one per pid."""
    clients: dict[int, httpx.Client] = {}

    def another() -> bool:
        client = stack.enter_context(
            httpx.Client(base_url=base_url, limits=httpx.Limits(max_connections=1), timeout=10)
        )
        ready = readiness(client)
        if ready is not None:
            clients.setdefault(ready["worker_pid"], client)
        return len(clients) == WORKERS

    wait_for(f"{WORKERS} distinct worker processes", another)
    return clients


def worker_state(client: httpx.Client, pid: int) -> dict[str, Any]:
    """This worker's /readyz, checking the connection is still with worker ``pid``."""
    state = client.get("/readyz").json()
    assert state["worker_pid"] == pid, "the kept-alive connection moved to another worker"
    return state  # type: ignore[no-any-return]


def matches(client: httpx.Client, key: str, hex_hash: str) -> list[dict[str, Any]]:
    answer = client.post(
        "/v1/match", json={"hashes": [hex_hash]}, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["matches"]
    return found


def test_every_worker_applies_adds_and_withdrawals(database_url: str, tmp_path: Path) -> None:
    stored = bytes.fromhex(secrets.token_hex(32))
    near = (stored[:-1] + bytes([stored[-1] ^ NEAR_FLIP])).hex()
    with serving(database_url, tmp_path) as (base_url, key), ExitStack() as stack:
        workers = one_connection_per_worker(base_url, stack)
        assert len(workers) == WORKERS
        for pid, client in workers.items():
            assert worker_state(client, pid)["index_signals"] == 0

        opened = httpx.post(f"{base_url}/v1/cases", json={"signals": [{"hash": stored.hex()}]})
        assert opened.status_code == 201, opened.text
        case = opened.json()
        for pid, client in workers.items():
            wait_for(
                f"worker {pid} to index the new signal",
                lambda: worker_state(client, pid)["index_signals"] == 1,  # noqa: B023
            )
            [match] = matches(client, key, near)
            assert match["distance"] == 3
            assert worker_state(client, pid)["index_signals"] == 1

        withdrawn = httpx.post(
            f"{base_url}/v1/cases/{case['case_number']}/withdraw", json={"pin": case["pin"]}
        )
        assert withdrawn.status_code == 200, withdrawn.text
        for pid, client in workers.items():
            wait_for(
                f"worker {pid} to drop the withdrawn signal",
                lambda: worker_state(client, pid)["index_signals"] == 0,  # noqa: B023
            )
            assert matches(client, key, near) == []
