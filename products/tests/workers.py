"""Which pytest-xdist worker runs this test, so a test that binds fixed ports gives each worker ports of its own."""

from __future__ import annotations

import os

# Fixed ports a worker may bind: the outage test's app and proxy, the soak smoke's app and proxy.
PORTS_PER_WORKER = 4


def worker_index() -> int:
    """0 for gw0 or a run without xdist (`-n 0`), 1 for gw1, and so on."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def worker_port(variable: str, default: int) -> int:
    """The port in `variable` (or `default`) for gw0, moved on by PORTS_PER_WORKER for each later worker."""
    return int(os.environ.get(variable) or default) + PORTS_PER_WORKER * worker_index()
