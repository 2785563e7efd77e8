"""Table and plot for the API benchmark (bench/api.py): figures against the issue's goals."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.api_freshness import FreshnessSample
from bench.api_load import LoadResult

__all__ = ["DatabaseResult", "Goals", "print_report", "write_plot"]


CORES = os.cpu_count() or 1


@dataclass(frozen=True)
class Goals:
    single_per_s: float = 3000.0
    single_p99_ms: float = 20.0
    single_connections: int = 16
    batch_hashes_per_s: float = 200_000.0
    freshness_p99_s: float = 1.0


@dataclass
class DatabaseResult:
    """Everything measured on one database."""

    name: str
    import_s: float
    startup_s: float
    single: dict[int, LoadResult]
    batch: LoadResult
    fresh_idle: list[FreshnessSample]
    fresh_loaded: list[FreshnessSample]
    background: LoadResult | None
    index_alone: tuple[float, float]  # single searches/s, batch hashes/s, in one process

    @property
    def batch_hashes_per_s(self) -> float:
        return self.batch.per_second * 1000


def percentile(samples: list[FreshnessSample], q: float) -> float:
    return float(np.percentile([s.seconds for s in samples], q)) if samples else float("nan")


def _ratio(measured: float, target: float, at_least: bool) -> str:
    ratio = measured / target if at_least else target / measured
    return f"x{ratio:.2f} {'met' if ratio >= 1 else 'SHORT'}"


def goal_rows(result: DatabaseResult, goals: Goals) -> list[tuple[str, str, str, str]]:
    """(goal, target, measured, ratio) for one database."""
    at = result.single.get(goals.single_connections)
    rows = []
    if at is not None:
        rows.append(
            (
                f"single-hash requests/s (c={goals.single_connections})",
                f">= {goals.single_per_s:,.0f}",
                f"{at.per_second:,.0f}",
                _ratio(at.per_second, goals.single_per_s, True),
            )
        )
        rows.append(
            (
                f"single-hash p99 ms (c={goals.single_connections})",
                f"<= {goals.single_p99_ms:.0f}",
                f"{at.p99_ms:.1f}",
                _ratio(at.p99_ms, goals.single_p99_ms, False),
            )
        )
    rows.append(
        (
            "hashes/s in 1,000-hash batches",
            f">= {goals.batch_hashes_per_s:,.0f}",
            f"{result.batch_hashes_per_s:,.0f}",
            _ratio(result.batch_hashes_per_s, goals.batch_hashes_per_s, True),
        )
    )
    for label, samples in (("idle", result.fresh_idle), ("under load", result.fresh_loaded)):
        p99 = percentile(samples, 99)
        rows.append(
            (
                f"freshness p99 s, {label}",
                f"<= {goals.freshness_p99_s:.0f}",
                f"{p99:.3f}",
                _ratio(p99, goals.freshness_p99_s, False),
            )
        )
    return rows


def print_report(
    results: list[DatabaseResult],
    goals: Goals,
    args: argparse.Namespace,
    realistic: bool,
    load: tuple[float, float, float],
    command: str,
) -> None:
    kind = "realistic" if realistic else "uniform random"
    print(f"\n{args.signals:,} {kind} PDQ signals, stukje serve --workers {args.workers}")
    print(f"load average at the end (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for result in results:
        print(
            f"\n== {result.name}: import {result.import_s:.1f} s, startup {result.startup_s:.1f} s"
        )
        print(
            f"{'connections':>12} {'requests/s':>11} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
            f"{'server CPU ms/req':>18} {'wrk CPU ms/req':>15}"
        )
        for connections, run in sorted(result.single.items()):
            print(
                f"{connections:>12} {run.per_second:>11,.0f} {run.p50_ms:>8.2f} "
                f"{run.p90_ms:>8.2f} {run.p99_ms:>8.2f} {run.server_cpu_ms:>18.3f} "
                f"{run.wrk_cpu_ms:>15.3f}"
                + (f"  errors {run.socket_errors}/{run.non_2xx}" if _failed(run) else "")
            )
        at = result.single.get(goals.single_connections)
        if at is not None and at.server_cpu_ms > 0:
            per_request = at.server_cpu_ms + at.wrk_cpu_ms
            print(
                f"CPU-bound ceiling on {CORES} otherwise idle cores (server + wrk CPU per "
                f"request at c={goals.single_connections}): {CORES * 1e3 / per_request:,.0f} "
                "requests/s"
            )
        b = result.batch
        print(
            f"batches of 1,000 (c={args.batch_connections}): {b.per_second:,.1f} requests/s, "
            f"{result.batch_hashes_per_s:,.0f} hashes/s, p50 {b.p50_ms:.1f} ms, "
            f"p99 {b.p99_ms:.1f} ms, server CPU {b.server_cpu_ms:.1f} ms per batch"
            + ("  ERRORS" if _failed(b) else "")
        )
        single_ceiling, batch_ceiling = result.index_alone
        print(
            f"the bare index in one process, for comparison: {single_ceiling:,.0f} single "
            f"searches/s, {batch_ceiling:,.0f} hashes/s in batches of 1,000"
        )
        for label, samples in (("idle", result.fresh_idle), ("loaded", result.fresh_loaded)):
            if not samples:
                continue
            print(
                f"freshness {label:>6} ({len(samples)} writes): "
                f"p50 {percentile(samples, 50) * 1e3:.0f} ms, "
                f"p99 {percentile(samples, 99) * 1e3:.0f} ms, "
                f"max {max(s.seconds for s in samples) * 1e3:.0f} ms"
            )
        if result.background is not None:
            print(f"  (background load meanwhile: {result.background.per_second:,.0f} requests/s)")
        print(f"\n{'goal':<36} {'target':>10} {'measured':>10}  ratio")
        for goal, target, measured, ratio in goal_rows(result, goals):
            print(f"{goal:<36} {target:>10} {measured:>10}  {ratio}")
    print(f"\nrerun: {command}")


def _failed(run: LoadResult) -> bool:
    return bool(run.socket_errors or run.non_2xx)


def write_plot(results: list[DatabaseResult], goals: Goals, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot; pip install -e '.[bench]')")
        return
    path.parent.mkdir(exist_ok=True)
    figure, (single, batch, fresh) = plt.subplots(1, 3, figsize=(15, 4.5))
    for result in results:
        runs = sorted(result.single.items())
        rates, p99s = [r.per_second for _, r in runs], [r.p99_ms for _, r in runs]
        single.plot(rates, p99s, marker="o", label=result.name)
        for connections, run in runs:
            single.annotate(f"c={connections}", (run.per_second, run.p99_ms), fontsize=8)
    single.axvline(goals.single_per_s, color="grey", linestyle="--")
    single.axhline(goals.single_p99_ms, color="grey", linestyle="--")
    single.set(xlabel="requests/s", ylabel="p99 ms (log)", yscale="log")
    single.set(title="single-hash /v1/match (goal: grey)")
    single.legend()
    names = [r.name for r in results]
    batch.bar(names, [r.batch_hashes_per_s for r in results])
    batch.axhline(goals.batch_hashes_per_s, color="grey", linestyle="--")
    batch.set(ylabel="hashes/s (log)", yscale="log", title="1,000-hash batches (goal: grey)")
    for result in results:
        for label, samples in (("idle", result.fresh_idle), ("loaded", result.fresh_loaded)):
            seconds = np.sort([s.seconds for s in samples]) * 1e3
            share = np.arange(1, len(seconds) + 1) / len(seconds)
            fresh.plot(seconds, share, label=f"{result.name}, {label}")
    fresh.axvline(goals.freshness_p99_s * 1e3, color="grey", linestyle="--")
    fresh.axhline(0.99, color="grey", linestyle=":")
    fresh.set(xlabel="ms until every worker applied a write", ylabel="share of writes")
    fresh.set(xscale="log", title="freshness")
    fresh.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    print(f"plot: {path}")
