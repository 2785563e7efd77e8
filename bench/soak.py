"""Soak: mixed traffic at a fixed share of measured capacity for minutes; errors, p99, memory.

Starts ``stukje serve`` (one worker, SQLite, rate limits off) over a bank of 10,000 signals,
measures the capacity of the traffic mix with a closed loop (``--probe`` seconds at 16
concurrent requests), then sends the same mix open-loop (requests start on a fixed schedule,
whatever the answers) at ``--share`` of that capacity for ``--minutes``:

- 45 % POST /v1/match, 10 hashes (some near stored ones), 20 % POST /v1/match, one hash,
- 20 % POST /v1/guard (JSON: the app's hash and context), 10 % GET /v1/feed (100 changes),
- 5 % POST /v1/cases (a submission: a new case with one hash; scrypt PIN hash on the server).

Goals: zero 5xx, zero timeouts (10 s), p99 recorded, the server's resident memory growing at
most 5 % after warm-up (the first fifth of the run). Prints a table; writes bench/out/soak.json
and bench/out/soak.png (p99 and memory over time).

    .venv/bin/python bench/soak.py --minutes 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from reliability.live import start_server  # noqa: E402
from stukje.bank import Bank, create_bank_engine, migrate  # noqa: E402
from stukje.hashing import PdqHash  # noqa: E402

OUT = REPO / "bench" / "out"
MIX = (("match10", 45), ("match1", 20), ("guard", 20), ("feed", 10), ("submit", 5))
TIMEOUT_S = 10.0
PROBE_CONCURRENCY = 16
MAX_IN_FLIGHT = 512


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[str] = field(default_factory=Counter)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (start, latency)

    def add(self, kind: str, started: float, latency: float, outcome: str) -> None:
        self.latencies[kind].append(latency)
        self.statuses[outcome] += 1
        self.timeline.append((started, latency))


class Traffic:
    """Request bodies for the mix, from the stored hashes."""

    def __init__(self, stored: list[bytes], key: str, seed: int = 1) -> None:
        self.stored = stored
        self.auth = {"Authorization": f"Bearer {key}"}
        self.rng = random.Random(seed)
        self.kinds = [kind for kind, weight in MIX for _ in range(weight)]

    def _query(self) -> str:
        if self.rng.random() < 0.3:
            raw = bytearray(self.rng.choice(self.stored))
            for _ in range(self.rng.randint(0, 8)):
                raw[self.rng.randrange(32)] ^= 1 << self.rng.randrange(8)
            return bytes(raw).hex()
        return secrets.token_hex(32)

    async def send(self, client: httpx.AsyncClient, recorder: Recorder) -> None:
        kind = self.rng.choice(self.kinds)
        started = time.monotonic()
        try:
            answer = await self._request(client, kind)
            outcome = f"{answer.status_code // 100}xx"
        except httpx.TimeoutException:
            outcome = "timeout"
        except httpx.TransportError:
            outcome = "transport error"
        recorder.add(kind, started, time.monotonic() - started, outcome)

    async def _request(self, client: httpx.AsyncClient, kind: str) -> httpx.Response:
        if kind in ("match10", "match1"):
            hashes = [self._query() for _ in range(10 if kind == "match10" else 1)]
            return await client.post("/v1/match", json={"hashes": hashes}, headers=self.auth)
        if kind == "guard":
            body = {
                "signals": [self._query()],
                "context": {"action": "forward", "audience": "group", "group_size": 20},
            }
            return await client.post("/v1/guard", json=body, headers=self.auth)
        if kind == "feed":
            after = self.rng.randrange(0, len(self.stored))
            return await client.get(f"/v1/feed?after={after}&limit=100", headers=self.auth)
        return await client.post("/v1/cases", json={"signals": [{"hash": secrets.token_hex(32)}]})


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def probe(base_url: str, traffic: Traffic, seconds: float) -> float:
    """Closed-loop throughput of the mix, requests per second."""
    recorder = Recorder()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=PROBE_CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S, limits=limits) as client:

        async def loop() -> None:
            while time.monotonic() < deadline:
                await traffic.send(client, recorder)

        await asyncio.gather(*(loop() for _ in range(PROBE_CONCURRENCY)))
    return sum(recorder.statuses.values()) / seconds


async def soak(
    base_url: str, pid: int, traffic: Traffic, rate: float, seconds: float
) -> tuple[Recorder, list[tuple[float, float]], int]:
    recorder = Recorder()
    memory: list[tuple[float, float]] = []
    late = 0
    start = time.monotonic()
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT)
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S, limits=limits) as client:
        tasks: set[asyncio.Task[None]] = set()
        sent, next_sample = 0, start
        while (now := time.monotonic()) < start + seconds:
            if now >= next_sample:
                memory.append((now - start, rss_mb(pid)))
                next_sample += 5.0
            due = int((now - start) * rate) - sent
            for _ in range(max(0, due)):
                if len(tasks) >= MAX_IN_FLIGHT:
                    late += 1  # the server fell this far behind: counted, not sent
                    continue
                task = asyncio.create_task(traffic.send(client, recorder))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            sent += max(0, due)
            await asyncio.sleep(0.002)
        await asyncio.gather(*tasks)
    memory.append((time.monotonic() - start, rss_mb(pid)))
    return recorder, memory, late


def seed_bank(url: str, signals: int) -> tuple[str, list[bytes]]:
    engine = create_bank_engine(url)
    migrate(engine)
    rng = np.random.default_rng(7)
    stored = [bytes(row) for row in rng.integers(0, 256, (signals, 32), dtype=np.uint8)]
    with Bank(engine, scrypt_cost=2**8) as bank:
        key = bank.create_partner("soak", ["match", "feed"])[1]
        for start in range(0, signals, 1000):
            bank.create_case([PdqHash(v) for v in stored[start : start + 1000]], "nl")
    engine.dispose()
    return key, stored


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def report(
    recorder: Recorder, memory: list[tuple[float, float]], **facts: object
) -> dict[str, object]:
    warm_at = float(facts["seconds"]) / 5  # type: ignore[arg-type]
    after = [mb for t, mb in memory if t >= warm_at]
    baseline = after[0] if after else float("nan")
    growth = (max(after) - baseline) / baseline * 100 if after else float("nan")
    kinds = {
        kind: {
            "requests": len(values),
            "p50_ms": round(percentile(values, 50), 1),
            "p99_ms": round(percentile(values, 99), 1),
        }
        for kind, values in sorted(recorder.latencies.items())
    }
    every = [latency for values in recorder.latencies.values() for latency in values]
    result: dict[str, object] = {
        **facts,
        "requests": len(every),
        "outcomes": dict(recorder.statuses),
        "p50_ms": round(percentile(every, 50), 1),
        "p99_ms": round(percentile(every, 99), 1),
        "max_ms": round(max(every) * 1000, 1) if every else None,
        "rss_mb_start": round(memory[0][1], 1),
        "rss_mb_after_warmup": round(baseline, 1),
        "rss_mb_max_after_warmup": round(max(after), 1) if after else None,
        "rss_mb_end": round(memory[-1][1], 1),
        "rss_growth_after_warmup_pct": round(growth, 2),
        "by_kind": kinds,
    }
    return result


def plot(recorder: Recorder, memory: list[tuple[float, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = min(t for t, _ in recorder.timeline)
    windows: dict[int, list[float]] = defaultdict(list)
    for started, latency in recorder.timeline:
        windows[int((started - start) // 30)].append(latency)
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    top.plot(
        [w * 30 + 15 for w in sorted(windows)],
        [percentile(windows[w], 99) for w in sorted(windows)],
    )
    top.set_ylabel("p99 latency per 30 s (ms)")
    bottom.plot([t for t, _ in memory], [mb for _, mb in memory])
    bottom.set_ylabel("server resident memory (MB)")
    bottom.set_xlabel("seconds")
    figure.suptitle("stukje soak: mixed traffic, open loop")
    figure.tight_layout()
    figure.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--share", type=float, default=0.5, help="of the measured capacity")
    parser.add_argument("--probe", type=float, default=30, help="capacity probe, seconds")
    parser.add_argument("--rate", type=float, help="requests/s; skips the probe")
    parser.add_argument("--signals", type=int, default=10_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    url = f"sqlite:///{folder / 'stukje.db'}"
    key, stored = seed_bank(url, args.signals)
    server = start_server(url, folder, folder / "server.log", fresh=True)
    try:
        server.wait_ready()
        traffic = Traffic(stored, key)
        capacity = args.rate / args.share if args.rate else None
        if capacity is None:
            capacity = asyncio.run(probe(server.base_url, traffic, args.probe))
        rate = capacity * args.share
        print(f"capacity of the mix {capacity:.0f} req/s; soaking at {rate:.0f} req/s")
        seconds = args.minutes * 60
        recorder, memory, late = asyncio.run(
            soak(server.base_url, server.pid, traffic, rate, seconds)
        )
    finally:
        server.stop()
    result = report(
        recorder,
        memory,
        seconds=seconds,
        capacity_rps=round(capacity, 1),
        rate_rps=round(rate, 1),
        share=args.share,
        not_sent_server_behind=late,
        server_tracebacks=server.log().count("Traceback"),
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "soak.json").write_text(json.dumps(result, indent=1))
    plot(recorder, memory, OUT / "soak.png")
    print(f"{'kind':8} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, row in result["by_kind"].items():  # type: ignore[attr-defined]
        print(f"{kind:8} {row['requests']:9} {row['p50_ms']:8} {row['p99_ms']:8}")
    print(json.dumps({k: v for k, v in result.items() if k != "by_kind"}))
    outcomes = recorder.statuses
    failed = outcomes.get("5xx", 0) or outcomes.get("timeout", 0) or late
    sys.exit(1 if failed or result["rss_growth_after_warmup_pct"] > 5 else 0)  # type: ignore[operator]


if __name__ == "__main__":
    main()
