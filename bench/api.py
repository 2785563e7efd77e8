"""The bank service under load: match throughput, latency and freshness, SQLite and PostgreSQL.

Usage: python bench/api.py [--signals 1000000] [--databases sqlite,postgres] [--seconds 15]

For each database it fills a bank with ``--signals`` realistic PDQ codes (bench/index_codes.py;
uniform random codes if the photo corpus is missing) through the store's bulk import, starts
``stukje serve --workers 2`` as a subprocess (which snapshots the index once; each worker loads
the snapshot and follows the change feed), then drives it from other processes:

- single-hash ``POST /v1/match`` from wrk at several fixed concurrencies: requests/s, p50, p99;
- 1,000-hash batches from wrk: hashes/s;
- freshness: one write at a time through the API (open a one-hash case, later withdraw it), and
  the time from its acknowledgement until every worker's index has applied it (see
  bench/api_freshness.py), first idle, then while wrk keeps up single-hash load.

Queries are fresh draws from the same code model (misses, as most partner traffic is) with 1 %
near-duplicates of stored codes, whose matches are confirmed in the bank and recorded as match
events, as in production. Prints a table against the goals and writes bench/out/api.png. On a
small machine the server's workers, wrk and the database share the cores: read the figures as
what this machine does, and `uptime` is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_freshness import FreshnessSample, WorkerProbes, measure_freshness
from bench.api_load import (
    LoadResult,
    finish_wrk,
    require_wrk,
    run_wrk,
    start_wrk,
    write_bodies,
)
from bench.api_report import DatabaseResult, Goals, print_report, write_plot
from stukje.bank import Bank, SignalRecord, create_bank_engine, migrate
from stukje.hashing import PdqHash
from stukje.index import SignalIndex

OUT = Path(__file__).resolve().parent / "out"
U8 = npt.NDArray[np.uint8]
BATCH = 1000
HIT_RATE = 0.01
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: The benchmark is one partner and one client address: lift the service's rate limits.
UNLIMITED = {
    "STUKJE_PARTNER_HASHES_PER_MINUTE": "0",
    "STUKJE_CASE_CREATES_PER_HOUR": "0",
    "STUKJE_CASE_PIN_TRIES_PER_HOUR": "0",
}


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int
    startup_s: float
    probes: WorkerProbes


@dataclass(frozen=True)
class Codes:
    stored: U8
    single: U8
    batches: U8
    realistic: bool


def make_codes(signals: int, queries: int, batch_queries: int, seed: int = 7) -> Codes:
    """Stored codes and query codes (1 % near-duplicates of stored ones)."""
    rng = np.random.default_rng(seed)
    try:
        from bench.index_codes import CodeModel, near_duplicates, real_samples

        samples, distances = real_samples()
        model = CodeModel(samples)
        draw, realistic = model.draw, True
    except (ImportError, OSError, ValueError) as exc:
        print(f"(realistic codes unavailable: {exc}; using uniform random codes)")
        distances = np.arange(0, 16)

        def draw(n: int, rng: np.random.Generator, chunk: int = 0) -> U8:
            return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)

        realistic = False
        from bench.index_codes import near_duplicates

    stored = draw(signals, rng)

    def queries_of(n: int) -> U8:
        out = draw(n, rng)
        hits = rng.choice(n, size=max(1, int(n * HIT_RATE)), replace=False)
        out[hits] = near_duplicates(stored[rng.choice(signals, size=len(hits))], distances, rng)
        return out

    return Codes(stored, queries_of(queries), queries_of(batch_queries), realistic)


@contextmanager
def database(name: str, workdir: Path, postgres_url: str) -> Iterator[str]:
    """A fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if name == "sqlite":
        yield f"sqlite:///{workdir / 'sqlite' / 'bank.db'}"
        return
    schema = f"bench_api_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def fill_bank(url: str, stored: U8) -> tuple[str, float]:
    """Migrate, bulk-import the codes and make a partner key with the match scope."""
    engine = create_bank_engine(url)
    migrate(engine)
    with Bank(engine) as bank:
        started = time.perf_counter()
        records = (SignalRecord(value=PdqHash(row.tobytes()), quality=100) for row in stored)
        report = bank.import_signals("bench", records)
        import_s = time.perf_counter() - started
        assert report.added == len(stored), report
        _, api_key = bank.create_partner("bench", ["match"])
    return api_key, import_s


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(url: str, data_dir: Path, port: int, workers: int) -> list[str]:
    stukje = Path(sys.executable).with_name("stukje")
    return [
        str(stukje),
        "serve",
        f"--workers={workers}",
        f"--port={port}",
        f"--data-dir={data_dir}",
        f"--database-url={url}",
    ]


@contextmanager
def serving(url: str, data_dir: Path, workers: int) -> Iterator[Server]:
    """``stukje serve`` in a subprocess, ready on every worker."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "STUKJE_LOG_LEVEL": "warning", **UNLIMITED}
    log_path = data_dir.parent / f"serve-{port}.log"
    log = log_path.open("w")
    started = time.perf_counter()
    server = subprocess.Popen(
        serve_command(url, data_dir, port, workers), stdout=log, stderr=subprocess.STDOUT, env=env
    )
    try:
        probes = _wait_ready(base, workers, server, log_path)
        yield Server(base, server.pid, time.perf_counter() - started, probes)
        probes.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_ready(
    base: str, workers: int, server: subprocess.Popen[bytes], log_path: Path
) -> WorkerProbes:
    give_up = time.monotonic() + 900
    while True:
        if server.poll() is not None:
            tail = log_path.read_text("utf-8", "replace")[-3000:]
            raise RuntimeError(f"stukje serve exited with status {server.returncode}:\n{tail}")
        try:
            return WorkerProbes(base, workers, deadline_s=120)
        except httpx.TransportError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.5)


def body_files(workdir: Path, codes: Codes) -> tuple[Path, Path]:
    singles = [{"hashes": [row.tobytes().hex()]} for row in codes.single]
    single = write_bodies(workdir / "single.jsonl", singles)
    batches = [
        {"hashes": [row.tobytes().hex() for row in codes.batches[start : start + BATCH]]}
        for start in range(0, len(codes.batches), BATCH)
    ]
    return single, write_bodies(workdir / "batches.jsonl", batches)


def run_database(
    name: str, url: str, codes: Codes, bodies: tuple[Path, Path], args: argparse.Namespace
) -> DatabaseResult:
    workdir = bodies[0].parent
    print(f"[{name}] importing {len(codes.stored):,} signals ...", flush=True)
    api_key, import_s = fill_bank(url, codes.stored)
    print(f"[{name}] imported in {import_s:.1f} s; starting stukje serve ...", flush=True)
    with serving(url, workdir / f"data-{name}", args.workers) as server:
        print(f"[{name}] serving after {server.startup_s:.1f} s; load ...", flush=True)
        single_bodies, batch_bodies = bodies

        def load(bodies: Path, connections: int, seconds: float) -> LoadResult:
            return run_wrk(
                server.base_url,
                "/v1/match",
                bodies,
                api_key,
                connections=connections,
                seconds=seconds,
                server_pid=server.pid,
            )

        load(single_bodies, 16, 3)  # warm up: caches, key verification, connection pools
        single = {c: load(single_bodies, c, args.seconds) for c in args.connections}
        batch = load(batch_bodies, args.batch_connections, args.seconds)
        idle, loaded, background = _freshness(name, url, server, single_bodies, api_key, args)
    print(f"[{name}] the bare index, for comparison ...", flush=True)
    ceiling = index_alone(workdir / f"data-{name}" / "index", codes)
    return DatabaseResult(
        name, import_s, server.startup_s, single, batch, idle, loaded, background, ceiling
    )


def _freshness(
    name: str, url: str, server: Server, bodies: Path, api_key: str, args: argparse.Namespace
) -> tuple[list[FreshnessSample], list[FreshnessSample], LoadResult | None]:
    """Freshness idle, then under single-hash load from wrk at 16 connections."""
    with Bank(create_bank_engine(url)) as bank:
        print(f"[{name}] freshness, idle ...", flush=True)
        idle = measure_freshness(server.base_url, bank, server.probes, args.writes)
        print(f"[{name}] freshness, under single-hash load ...", flush=True)
        wrk = start_wrk(server.base_url, "/v1/match", bodies, api_key, connections=16, seconds=3600)
        time.sleep(1)
        try:
            loaded = measure_freshness(server.base_url, bank, server.probes, args.writes)
        finally:
            wrk.send_signal(signal.SIGINT)
    try:
        background = finish_wrk(wrk)
    except (RuntimeError, StopIteration):
        background = None
    return idle, loaded, background


def index_alone(snapshot: Path, codes: Codes) -> tuple[float, float]:
    """The ceiling: single-hash searches/s and batch hashes/s of the bare index, here."""
    index, _ = SignalIndex.load(snapshot)
    index.search(codes.single[:16])  # compile and page in before timing
    singles = codes.single[:2000]
    started = time.perf_counter()
    for row in range(len(singles)):
        index.search(singles[row : row + 1])
    single_per_s = len(singles) / (time.perf_counter() - started)
    batches = codes.batches[: 5 * BATCH]
    started = time.perf_counter()
    for start in range(0, len(batches), BATCH):
        index.search(batches[start : start + BATCH])
    return single_per_s, len(batches) / (time.perf_counter() - started)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("STUKJE_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15.0, help="per load run")
    parser.add_argument(
        "--connections",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[4, 16, 64],
        help="single-hash concurrencies; the goal is read at 16",
    )
    parser.add_argument("--batch-connections", type=int, default=4)
    parser.add_argument("--writes", type=int, default=200, help="writes per freshness run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    require_wrk()
    command = shlex.join([sys.executable, *sys.argv])
    if os.environ.get("PYTHONPATH"):
        command = f"PYTHONPATH={shlex.quote(os.environ['PYTHONPATH'])} {command}"
    print(f"command: {command}")
    codes = make_codes(args.signals, queries=20_000, batch_queries=50 * BATCH)
    results = []
    with tempfile.TemporaryDirectory(prefix="stukje-bench-api-") as tmp:
        bodies = body_files(Path(tmp), codes)
        for name in args.databases.split(","):
            with database(name, Path(tmp), args.postgres_url) as url:
                results.append(run_database(name, url, codes, bodies, args))
    load = os.getloadavg()
    goals = Goals()
    print_report(results, goals, args, codes.realistic, load, command)
    write_plot(results, goals, OUT / "api.png")


if __name__ == "__main__":
    main()
