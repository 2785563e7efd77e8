"""A real ``stukje serve`` process for the reliability checks: start, wait until ready, kill.

Two ways to start it: ``fresh=True`` runs the installed ``stukje serve`` command in a new
interpreter (what an operator runs; seconds to import on a busy machine), ``fresh=False`` forks
this already-warm test process and runs the same ``serve`` command in the child, which starts in
well under a second. Either way the server is a process of its own, its stdout and stderr (the
uvicorn and logging output) go to a log file, and SIGKILL ends it with no chance to clean up.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["NO_RATE_LIMITS", "LiveServer", "free_port", "start_server"]

#: The rate limits would refuse a load generator's traffic from one address.
NO_RATE_LIMITS = {
    "STUKJE_CASE_CREATES_PER_HOUR": "0",
    "STUKJE_CASE_PIN_TRIES_PER_HOUR": "0",
    "STUKJE_PARTNER_HASHES_PER_MINUTE": "0",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    pid: int
    log_path: Path
    _popen: subprocess.Popen[bytes] | None = None
    _child: multiprocessing.process.BaseProcess | None = None

    def alive(self) -> bool:
        if self._popen is not None:
            return self._popen.poll() is None
        assert self._child is not None
        return self._child.is_alive()

    def wait_ready(self, deadline_s: float = 120.0) -> None:
        """Until ``/readyz`` says ready; AssertionError if the server died or took too long."""
        give_up = time.monotonic() + deadline_s
        while time.monotonic() < give_up:
            assert self.alive(), f"the server died:\n{self.log()[-3000:]}"
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"the server was not ready in {deadline_s:.0f} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, as in a power cut of the process."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """A clean shutdown (SIGINT, as Ctrl-C), or SIGKILL if it does not end in 20 s."""
        self._signal(signal.SIGINT, grace_s=20)

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    def _signal(self, sig: signal.Signals, grace_s: float = 10) -> None:
        if self.alive():
            os.kill(self.pid, sig)
        if self._popen is not None:
            try:
                self._popen.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
        else:
            assert self._child is not None
            self._child.join(grace_s)
            if self._child.is_alive():
                self._child.kill()
                self._child.join()


def _serve_in_child(argv: list[str], env: dict[str, str], log_path: Path) -> None:
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    # pytest swaps sys.stdout and sys.stderr for its own objects: point them at the log too.
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.environ.update(env)
    tempfile.tempdir = None  # the parent may have cached its own; read TMPDIR afresh
    from stukje.cli import main

    main(argv)


def start_server(
    database_url: str,
    data_dir: Path,
    log_path: Path,
    *,
    env: dict[str, str] | None = None,
    fresh: bool = False,
) -> LiveServer:
    """``stukje serve`` on a free port over ``database_url`` (already migrated)."""
    port = free_port()
    argv = ["serve", f"--port={port}", f"--data-dir={data_dir}", f"--database-url={database_url}"]
    extra = {"STUKJE_LOG_LEVEL": "info", **NO_RATE_LIMITS, **(env or {})}
    base_url = f"http://127.0.0.1:{port}"
    if fresh:
        command = [str(Path(sys.executable).with_name("stukje")), *argv]
        with log_path.open("ab") as log:
            popen = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **extra}
            )
        return LiveServer(base_url, popen.pid, log_path, _popen=popen)
    child = multiprocessing.get_context("fork").Process(
        target=_serve_in_child, args=(argv, extra, log_path), daemon=True
    )
    child.start()
    assert child.pid is not None
    return LiveServer(base_url, child.pid, log_path, _child=child)
