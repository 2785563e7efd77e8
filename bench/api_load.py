"""Load for the API benchmark, from wrk in its own process: match requests at a fixed concurrency.

wrk (Debian package ``wrk``) is a small C load generator; a Python client would need a core of
its own to keep up, and this benchmark shares two cores with the server's workers. A Lua script
cycles through prepared JSON bodies (one per line in a file) and reports requests, latency
percentiles and errors as one JSON line. Latency is wrk's: from writing a request to reading its
response, per connection, at the given concurrency (a closed loop, so p99 is "at concurrency C").
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LoadResult",
    "finish_wrk",
    "require_wrk",
    "run_wrk",
    "start_wrk",
    "write_bodies",
]

_SCRIPT = r"""
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local next_body = 1
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer %(key)s",
}

function setup(thread)
  thread:set("offset", math.random(#bodies))
end

function init(args)
  next_body = (offset or 1)
end

function request()
  local body = bodies[next_body]
  next_body = next_body %% #bodies + 1
  return wrk.format("POST", "%(path)s", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "socket_errors": %%d, "non_2xx": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class LoadResult:
    """One wrk run: completed requests per second and latency, in milliseconds."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    non_2xx: int
    server_cpu_s: float = 0.0  # CPU the server's processes used during the run
    wrk_cpu_s: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU per request, which a busy shared machine disturbs far less than rates."""
        return 1e3 * self.server_cpu_s / max(1, self.requests)

    @property
    def wrk_cpu_ms(self) -> float:
        return 1e3 * self.wrk_cpu_s / max(1, self.requests)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its descendants (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:  # it exited meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
        pending.extend(int(child) for child in children)
    return total


def require_wrk() -> str:
    """The wrk executable, or SystemExit saying how to install it."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("this benchmark needs wrk: apt-get install -y wrk")
    return found


def write_bodies(path: Path, bodies: Sequence[Mapping[str, object]]) -> Path:
    """One compact JSON body per line, as the Lua script reads them."""
    with path.open("w", encoding="utf-8") as stream:
        for body in bodies:
            stream.write(json.dumps(body, separators=(",", ":")) + "\n")
    return path


def start_wrk(
    base_url: str,
    path: str,
    bodies: Path,
    api_key: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
) -> subprocess.Popen[str]:
    """Start POSTing the bodies round-robin to ``path`` for ``seconds`` on ``connections``."""
    script = bodies.with_suffix(".lua")
    script.write_text(_SCRIPT % {"bodies": bodies, "key": api_key, "path": path}, "utf-8")
    command = [
        require_wrk(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={script}",
        base_url,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def finish_wrk(process: subprocess.Popen[str]) -> LoadResult:
    """Wait for a wrk run and read its result line."""
    stdout, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed with exit status {process.returncode}")
    line = next(x for x in stdout.splitlines() if x.startswith("RESULT "))
    found = json.loads(line.removeprefix("RESULT "))
    return LoadResult(
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        p50_ms=found["p50_us"] / 1e3,
        p90_ms=found["p90_us"] / 1e3,
        p99_ms=found["p99_us"] / 1e3,
        max_ms=found["max_us"] / 1e3,
        socket_errors=found["socket_errors"],
        non_2xx=found["non_2xx"],
    )


def run_wrk(
    base_url: str,
    path: str,
    bodies: Path,
    api_key: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
    server_pid: int | None = None,
) -> LoadResult:
    """:func:`start_wrk` and wait for it, counting the CPU the server and wrk used meanwhile."""
    server_before = cpu_seconds(server_pid) if server_pid else 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_before = usage.ru_utime + usage.ru_stime
    process = start_wrk(
        base_url, path, bodies, api_key, connections=connections, seconds=seconds, threads=threads
    )
    result = finish_wrk(process)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return dataclasses.replace(
        result,
        server_cpu_s=cpu_seconds(server_pid) - server_before if server_pid else 0.0,
        wrk_cpu_s=usage.ru_utime + usage.ru_stime - wrk_before,
    )
