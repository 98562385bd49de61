"""Real `manage.py db_worker` processes against the test database (PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from ..api.conftest import clerk_client, manager_client, viewer_client  # noqa: F401 (token clients for the API tests)

MANAGE = Path(__file__).resolve().parents[3] / "manage.py"


def wait_for(condition, *, timeout: float = 120, what: str = "condition"):
    """Poll until condition() is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


def manage(*args: str, **env: str) -> subprocess.Popen:
    """`manage.py args...` in a process of its own on the test database (DEBUG off), output discarded."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "worker-test-key", "SECURE_SSL": "0", **env}
    return subprocess.Popen(  # noqa: S603 (our own manage.py)
        [sys.executable, str(MANAGE), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


@contextmanager
def processes():
    """A list to put started processes in; every one still running is killed at the end."""
    started: list[subprocess.Popen] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture
def start_worker(settings):
    """Start db_worker processes on the test database; every one left is stopped at teardown."""
    with processes() as started:

        def start(*, chunk_rows: int = 500) -> subprocess.Popen:
            worker = manage(
                "db_worker", "--no-reload", "--interval", "0.1", "--no-startup-delay", IMPORT_CHUNK_ROWS=str(chunk_rows)
            )
            started.append(worker)
            return worker

        yield start
