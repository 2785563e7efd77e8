"""Fuzz every API route against its OpenAPI schema with schemathesis, at length, on a real server.

Starts ``stukje serve`` over a fresh SQLite bank (or a PostgreSQL schema), gives schemathesis a
partner key with every scope but admin and one open case, and runs ``schemathesis run`` with all
checks but "schema-valid data is accepted" (the schema cannot say an upload must be a picture, so
such requests are rightly refused) until the server has answered at least ``--requests``
requests. The count comes from the server's own /metrics, by status; goals: zero 5xx and zero
check failures. Writes bench/out/fuzz_api.log (schemathesis' output) and bench/out/fuzz_api.json.

    .venv/bin/python bench/fuzz_api.py --requests 10000
    .venv/bin/python bench/fuzz_api.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from reliability.live import start_server  # noqa: E402
from stukje.bank import Bank, create_bank_engine, migrate  # noqa: E402
from stukje.hashing import PdqHash  # noqa: E402

OUT = REPO / "bench" / "out"
_SAMPLE = re.compile(r'^stukje_http_requests_total\{route="([^"]*)",status="(\d+)"\} ([\d.e+]+)$')


def served(base_url: str) -> Counter[str]:
    """Requests the server answered so far, by status class (from its Prometheus counters)."""
    counts: Counter[str] = Counter()
    for line in httpx.get(f"{base_url}/metrics", timeout=30).text.splitlines():
        found = _SAMPLE.match(line)
        if found:
            counts[f"{found.group(2)[0]}xx"] += int(float(found.group(3)))
    return counts


def prepare(url: str) -> str:
    engine = create_bank_engine(url)
    migrate(engine)
    with Bank(engine) as bank:
        key = bank.create_partner("fuzzer", ["match", "feed", "feedback", "helpline"])[1]
        bank.create_case([PdqHash(bytes(range(32)))], "nl")
    engine.dispose()
    return key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--examples", type=int, default=300, help="per operation and round")
    parser.add_argument("--postgres", help="a PostgreSQL base URL; default: SQLite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fuzz-api-"))
    url, schema = f"sqlite:///{folder / 'stukje.db'}", ""
    if args.postgres:
        schema = f"fuzz_{uuid.uuid4().hex[:12]}"
        with create_engine(args.postgres).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        options = {"options": f"-csearch_path={schema}"}
        url = make_url(args.postgres).update_query_dict(options).render_as_string(False)
    key = prepare(url)
    server = start_server(url, folder, folder / "server.log", fresh=True)
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "fuzz_api.log"
    log.write_text("")
    rounds, failed_rounds, started = 0, 0, time.monotonic()
    try:
        server.wait_ready()
        counts = served(server.base_url)
        while sum(counts.values()) < args.requests:
            rounds += 1
            command = [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{server.base_url}/openapi.json",
                "--checks=all",
                "--exclude-checks=positive_data_acceptance",
                f"--header=Authorization: Bearer {key}",
                f"--max-examples={args.examples}",
                f"--seed={rounds}",
                "--continue-on-failure",
                "--request-timeout=30",
                "--no-color",
            ]
            with log.open("a") as out:
                code = subprocess.run(command, stdout=out, stderr=out, check=False).returncode
            failed_rounds += code != 0
            counts = served(server.base_url)
            print(f"round {rounds}: schemathesis exit {code}, {sum(counts.values()):,} requests")
    finally:
        server.stop()
        if args.postgres:
            with create_engine(args.postgres).begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    unexpected = server.log().count("unexpected error") + server.log().count("Traceback")
    result = {
        "requests": sum(counts.values()),
        "by_status": dict(counts),
        "rounds": rounds,
        "rounds_with_failures": failed_rounds,
        "server_tracebacks": unexpected,
        "database": "postgresql" if args.postgres else "sqlite",
        "seconds": round(time.monotonic() - started),
    }
    (OUT / "fuzz_api.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result))
    sys.exit(1 if failed_rounds or counts.get("5xx") or unexpected else 0)


if __name__ == "__main__":
    main()
