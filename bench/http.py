"""HTTP load on loopback: the app under gunicorn (2 workers), driven by wrk.

Server time comes from the app's own structured request log (duration_ms per request),
client latency and requests/s from wrk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .timing import percentile

LUA_DIR = Path(__file__).parent / "lua"


class LoadToolMissing(RuntimeError):
    pass


@dataclass
class Server:
    """gunicorn serving cqrs_demo on 127.0.0.1:port; its request log goes to a file we read back."""

    port: int
    env: dict
    workers: int = 2
    log_path: Path = field(default_factory=lambda: Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1]))
    process: subprocess.Popen | None = None

    def __enter__(self):
        self.log = self.log_path.open("w")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "cqrs_demo.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--backlog",
            "256",
            "--timeout",
            "120",
            "--no-control-socket",
        ]
        self.process = subprocess.Popen(command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
            if self.process.poll() is not None:
                break
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not start on port {self.port}; see {self.log_path}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def drain(self, timeout: float = 120) -> None:
        """Wait until every worker is free: requests queued by the last run must not spill into the next."""
        from concurrent.futures import ThreadPoolExecutor

        def ping(_):
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=timeout) as response:  # noqa: S310
                return response.status

        with ThreadPoolExecutor(self.workers) as pool:
            list(pool.map(ping, range(self.workers)))

    def log_offset(self) -> int:
        self.log.flush()
        return self.log_path.stat().st_size

    def server_times(self, since: int, path_prefix: str) -> list[float]:
        """duration_ms of every logged request under path_prefix written after `since`."""
        times = []
        with self.log_path.open() as log:
            log.seek(since)
            for line in log:
                start = line.find("{")
                if start < 0 or '"duration_ms"' not in line:
                    continue
                try:
                    record = json.loads(line[start:])
                except ValueError:
                    continue
                if record.get("path", "").startswith(path_prefix):
                    times.append(record["duration_ms"])
        return times


@dataclass(frozen=True)
class LoadResult:
    requests: int
    per_second: float
    client_p50_ms: float
    client_p99_ms: float
    server_p50_ms: float
    server_p99_ms: float
    errors: int
    statuses: str
    server_ms: tuple[float, ...] = ()

    @classmethod
    def merged(cls, runs: list[LoadResult]) -> LoadResult:
        """Several runs of one path as one: requests over their time, server percentiles over every request."""
        seconds = sum(run.requests / run.per_second for run in runs if run.per_second)
        server_ms = tuple(ms for run in runs for ms in run.server_ms)
        counts: dict[str, int] = {}
        for run in runs:
            for part in run.statuses.split():
                code, _, n = part.partition("=")
                counts[code] = counts.get(code, 0) + int(n or 0)
        return cls(
            requests=sum(run.requests for run in runs),
            per_second=sum(run.requests for run in runs) / seconds if seconds else float("nan"),
            client_p50_ms=percentile([run.client_p50_ms for run in runs], 0.5),  # the middle run's median
            client_p99_ms=max(run.client_p99_ms for run in runs),
            server_p50_ms=percentile(list(server_ms), 0.5),
            server_p99_ms=percentile(list(server_ms), 0.99),
            errors=sum(run.errors for run in runs),
            statuses=" ".join(f"{code}={n}" for code, n in sorted(counts.items())),
            server_ms=server_ms,
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(
    server: Server,
    path: str,
    *,
    seconds: float,
    connections: int = 8,
    threads: int = 2,
    headers: dict | None = None,
    script: str | None = None,
    script_env: dict | None = None,
) -> LoadResult:
    """One bounded wrk run against the server; raises if wrk is not installed."""
    binary = shutil.which("wrk")
    if binary is None:
        raise LoadToolMissing("wrk is not installed (Debian: apt-get install wrk)")
    command = [
        binary,
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(LUA_DIR / script)]
    command.append(f"http://127.0.0.1:{server.port}{path}")
    offset = server.log_offset()
    env = {**os.environ, **(script_env or {})}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout  # noqa: S603
    server.drain()  # requests still queued finish (and log) before the next run starts
    time.sleep(0.2)  # let the workers flush their last log lines
    prefix = path.split("?")[0]
    if script_env and "BENCH_PATH_PREFIX" in script_env:
        prefix = script_env["BENCH_PATH_PREFIX"]
    server_ms = server.server_times(offset, prefix)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    statuses = re.search(r"BENCH_STATUSES (.*)", output)
    return LoadResult(
        requests=requests,
        per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        client_p50_ms=_ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        client_p99_ms=_ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        server_p50_ms=percentile(server_ms, 0.5),
        server_p99_ms=percentile(server_ms, 0.99),
        errors=errors,
        statuses=statuses.group(1).strip() if statuses else "",
        server_ms=tuple(server_ms),
    )
