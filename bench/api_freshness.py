"""Freshness probe for the API benchmark: how long until every worker applies a change.

A signal's id is the sequence number of the change that added it, and each worker's ``/readyz``
reports the sequence number its index reflects (``index_seq``) and its ``worker_pid``. So after a
write is acknowledged, "this worker's index_seq >= the bank's newest seq" is an exact, cheap test
that the change is effective there. The probe keeps one connection per worker process (a
kept-alive connection stays with the worker that accepted it; the kernel picks that worker) and
polls each until both have caught up. Every answer names its pid, so a connection that silently
moved to another worker is noticed rather than mismeasured.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import httpx

from stukje.bank import Bank

__all__ = ["FreshnessSample", "WorkerProbes", "measure_freshness"]

_POLL_S = 0.002


@dataclass(frozen=True)
class FreshnessSample:
    """Seconds from a write's acknowledgement until every worker had applied it."""

    kind: str  # "add" or "withdraw"
    seconds: float


class WorkerProbes:
    """One kept-alive connection to each worker process, told apart by /readyz's worker_pid."""

    def __init__(self, base_url: str, workers: int, *, deadline_s: float = 30.0) -> None:
        self.base_url, self.workers = base_url, workers
        self.clients: dict[int, httpx.Client] = {}
        self.connect(deadline_s)

    def connect(self, deadline_s: float = 30.0) -> None:
        """(Re)open one connection per worker: idle ones are closed by the server after 5 s."""
        self.close()
        self.clients = {}
        base_url, workers = self.base_url, self.workers
        give_up = time.monotonic() + deadline_s
        while len(self.clients) < workers:
            if time.monotonic() > give_up:
                self.close()
                raise RuntimeError(f"only reached workers {sorted(self.clients)} of {workers}")
            client = httpx.Client(
                base_url=base_url,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                timeout=10.0,
            )
            pid, _ = self._probe(client)
            if pid in self.clients:
                client.close()
            else:
                self.clients[pid] = client

    @staticmethod
    def _probe(client: httpx.Client) -> tuple[int, int]:
        answer = client.get("/readyz").json()
        return int(answer["worker_pid"]), int(answer["index_seq"])

    def wait_for(self, seq: int, since: float, *, deadline_s: float = 30.0) -> float:
        """Seconds from ``since`` (perf_counter) until every worker's index_seq >= ``seq``."""
        pending = set(self.clients)
        latest = since
        while pending:
            for pid in sorted(pending):
                answered, index_seq = self._probe(self.clients[pid])
                if answered != pid:  # the server closed it and httpx reconnected elsewhere
                    self.connect()
                    break
                if index_seq >= seq:
                    latest = time.perf_counter()
                    pending.discard(pid)
            if pending:
                if time.perf_counter() - since > deadline_s:
                    raise RuntimeError(f"workers {sorted(pending)} never reached seq {seq}")
                time.sleep(_POLL_S)
        return latest - since

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def measure_freshness(
    base_url: str, bank: Bank, probes: WorkerProbes, writes: int
) -> list[FreshnessSample]:
    """Open ``writes // 2`` one-hash cases through the API, then withdraw them, one at a time."""
    samples: list[FreshnessSample] = []
    cases: list[tuple[str, str]] = []
    probes.connect()
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        for _ in range(writes // 2):
            body = {"signals": [{"hash": secrets.token_hex(32)}], "language": "en"}
            answer = client.post("/v1/cases", json=body)
            acknowledged = time.perf_counter()
            answer.raise_for_status()
            created = answer.json()
            cases.append((created["case_number"], created["pin"]))
            seconds = probes.wait_for(bank.last_seq(), acknowledged)
            samples.append(FreshnessSample("add", seconds))
        for case_number, pin in cases:
            answer = client.post(f"/v1/cases/{case_number}/withdraw", json={"pin": pin})
            acknowledged = time.perf_counter()
            answer.raise_for_status()
            seconds = probes.wait_for(bank.last_seq(), acknowledged)
            samples.append(FreshnessSample("withdraw", seconds))
    return samples
