"""Crash safety at length: 20 SIGKILLs (or more) under load on SQLite and PostgreSQL, cold restarts.

The trial itself is tests/reliability/crash.py (what is checked is listed there): client threads
open cases, add to them, withdraw some and match while the server is killed at random moments,
and every restart is a fresh ``stukje serve`` process (``--forked`` restarts by forking this warm
process instead, as the test suite does). Prints a table and writes bench/out/crash.json.

    .venv/bin/python bench/crash.py --kills 20
    .venv/bin/python bench/crash.py --kills 20 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from reliability.crash import CrashReport, run_crash_trial  # noqa: E402

OUT = REPO / "bench" / "out"


def _postgres_schema_url(base_url: str) -> tuple[str, str]:
    schema = f"crash_{uuid.uuid4().hex[:12]}"
    with create_engine(base_url).begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def _drop_schema(base_url: str, schema: str) -> None:
    with create_engine(base_url).begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", help="base URL of a PostgreSQL server (skipped if unset)")
    parser.add_argument("--forked", action="store_true", help="restart by forking, not exec")
    args = parser.parse_args()
    reports: list[tuple[CrashReport, float]] = []
    targets = ["sqlite"] + (["postgres"] if args.postgres else [])
    for target in targets:
        folder = Path(tempfile.mkdtemp(prefix=f"crash-{target}-"))
        schema = ""
        if target == "sqlite":
            url = f"sqlite:///{folder / 'stukje.db'}"
        else:
            url, schema = _postgres_schema_url(args.postgres)
        started = time.monotonic()
        try:
            report = run_crash_trial(
                url, folder, kills=args.kills, seed=args.seed, fresh=not args.forked, label=target
            )
        finally:
            if schema:
                _drop_schema(args.postgres, schema)
        reports.append((report, time.monotonic() - started))
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{'database':10} {'kills':>5} {'in start-up':>11} {'acked cases':>11} "
        f"{'acked signals':>13} {'withdrawals':>11} {'2xx':>6} {'5xx':>4} {'no answer':>9} "
        f"{'problems':>8} {'time':>7}"
    )
    for report, seconds in reports:
        o = report.outcomes
        print(
            f"{report.database:10} {report.kills:5} {report.kills_while_starting:11} "
            f"{report.acknowledged_cases:11} {report.acknowledged_signals:13} "
            f"{report.acknowledged_withdrawals:11} {o.get('2xx', 0):6} {o.get('5xx', 0):4} "
            f"{o.get('no answer', 0):9} {len(report.problems):8} {seconds:6.0f}s"
        )
        for problem in report.problems[:20]:
            print(f"  problem: {problem}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "crash.json").write_text(
        json.dumps([dataclasses.asdict(r) | {"seconds": s} for r, s in reports], indent=1)
    )
    failed = any(r.problems or r.outcomes.get("5xx", 0) for r, _ in reports)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
