"""Prometheus metrics for ``/metrics``.

Each worker process counts for itself. When ``PROMETHEUS_MULTIPROC_DIR`` is set (``stukje serve``
sets it when running several workers) the workers write their samples there and ``/metrics`` sums
them, so a scrape sees the whole server whichever worker answers.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    """The counters and gauges one worker updates."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        registry = None if self._multiprocess else self.registry
        self.requests = Counter(
            "stukje_http_requests",
            "HTTP requests by route and status.",
            ["route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "stukje_http_request_seconds",
            "HTTP request latency by route.",
            ["route"],
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=registry,
        )
        self.hashes_checked = Counter(
            "stukje_hashes_checked", "Hashes checked against the bank.", registry=registry
        )
        self.matches = Counter(
            "stukje_matches", "Bank matches found for partners.", registry=registry
        )
        self.index_signals = Gauge(
            "stukje_index_signals",
            "Signals in this worker's index.",
            multiprocess_mode="max",
            registry=registry,
        )
        self.feed_lag = Gauge(
            "stukje_feed_lag",
            "Change-feed sequence numbers this worker's index is behind.",
            multiprocess_mode="max",
            registry=registry,
        )

    def render(self) -> bytes:
        if self._multiprocess:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
