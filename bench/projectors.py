"""Projector figures: lag while commands run beside `run_projectors`, and throughput projecting the log afresh.

The bench's commands leave the ledger and stock per location to the projectors (bench/settings.py), as
`make run` and compose do, so the command rows count only the command's own transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connection, connections, transaction

from products.read.checkpoints import ProjectorCheckpoint
from products.read.projectors import PROJECTORS, catch_up_all, run_batch
from products.read.projectors.health import projector_lags

from .timing import percentile

MANAGE = Path(__file__).resolve().parents[1] / "manage.py"
# A fresh projection stops timing after this many events (at 1M products the log holds about 6M).
REPLAY_EVENTS = 500_000
BATCH = 5000


class ProjectorsBeside:
    """`run_projectors` in a process of its own while the block runs; a thread samples each projector's lag."""

    def __init__(self, db_url: str, *, every: float = 0.1):
        self.db_url = db_url
        self.every = every
        self.samples: dict[str, list[float]] = {name: [] for name in PROJECTORS}
        self.stop = threading.Event()

    def __enter__(self):
        env = {**os.environ, "DATABASE_URL": self.db_url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        env["PROJECTORS_IN_PROCESS"] = "0"
        self.process = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [sys.executable, str(MANAGE), "run_projectors"], env=env, stdout=subprocess.DEVNULL
        )
        self._until_elected()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()
        return self

    def _until_elected(self, timeout: float = 120) -> None:
        """The commands start once the worker holds every projector (else its start-up counts as lag)."""
        deadline = time.monotonic() + timeout
        with connection.cursor() as cursor:
            while time.monotonic() < deadline and self.process.poll() is None:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
                if cursor.fetchone()[0] >= len(PROJECTORS):
                    return
                time.sleep(0.1)

    def _sample(self):
        try:
            while not self.stop.wait(self.every):
                for lag in projector_lags(list(PROJECTORS)):
                    self.samples[lag.name].append(lag.seconds)
        finally:
            connections.close_all()

    def __exit__(self, *exc):
        self.stop.set()
        self.sampler.join(timeout=10)
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    def report(self, results, label: str) -> None:
        for name, samples in self.samples.items():
            results.add(
                "projectors",
                f"lag {name}, {label}",
                samples=len(samples),
                p50_s=round(percentile(samples, 0.5), 3),
                p99_s=round(percentile(samples, 0.99), 3),
                max_s=round(max(samples, default=0.0), 3),
            )


def catch_up_backlog(results) -> None:
    """Whatever the projectors had not reached when the commands stopped, caught up in-process."""
    started = time.perf_counter()
    moved = catch_up_all()
    elapsed = time.perf_counter() - started
    results.add("projectors", "catch up after the commands", events=sum(moved.values()), seconds=round(elapsed, 2))


def fresh_projection(results) -> None:
    """Empty the projectors' tables and time each projecting the log from 0 (up to REPLAY_EVENTS).

    The tables are left part way: the rebuild section after this one (or a rebuild here) puts them right.
    """
    for name, projector in PROJECTORS.items():
        with transaction.atomic():
            for model in projector.tables:
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 (our tables)
            ProjectorCheckpoint.objects.filter(pk=name).update(position=0, failed_position=None)
        done, started = 0, time.perf_counter()
        while done < REPLAY_EVENTS:
            moved = run_batch(projector, limit=BATCH)
            if not moved:
                break
            done += moved
        elapsed = time.perf_counter() - started
        results.add(
            "projectors",
            f"project the log afresh: {name}",
            events=done,
            seconds=round(elapsed, 2),
            events_per_s=round(done / elapsed) if elapsed else None,
            batch=BATCH,
        )


def restore(skip: set) -> None:
    """After fresh_projection, when no rebuild follows: rebuild so the tables are whole again."""
    if "rebuild" in skip:
        from products.read.replay import rebuild

        rebuild()
