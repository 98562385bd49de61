"""Tests that take minutes start first, so under pytest-xdist no worker is left running one while the others idle."""

from __future__ import annotations

import pytest

# Modules whose tests take a minute or more each on a shared 2-core box (pytest --durations): the state
# machine, the harness and subprocess runs, real threads and workers on PostgreSQL, the hypothesis sweeps.
SLOW_MODULES = (
    "products/tests/read/test_stateful.py",
    "products/tests/read/test_rebuild.py",
    "products/tests/scaleout/test_bench_smoke.py",
    "products/tests/scaleout/test_soak_smoke.py",
    "products/tests/security/test_bad_input.py",
    "products/tests/security/test_bench_out_of_product.py",
    "products/tests/security/test_database_outage.py",
    "products/tests/security/test_env_file.py",
    "products/tests/background/test_worker.py",
    "products/tests/write/test_concurrency.py",
    "products/tests/write/test_location_concurrency.py",
    "products/tests/write/test_reservation_concurrency.py",
    "products/tests/e2e/test_accessibility.py",
)


def database_group(item: pytest.Item) -> int:
    """pytest-django's order, which must hold in every worker: 0 tests in a rolled-back transaction, 1
    transactional ones (they flush the tables, the data migrations' rows included), 2 no database."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) or (
        fixtures & {"transactional_db", "live_server"}
    ):
        return 1
    return 0 if marker or "db" in fixtures else 2


def slow_first(items: list[pytest.Item]) -> None:
    """Reorder in place: slow tests first within their database group, and slow tests that use no
    database before everything (they may run anywhere). xdist hands tests out in this order."""

    def key(item: pytest.Item) -> tuple[int, bool]:
        group, slow = database_group(item), item.nodeid.split("::")[0] in SLOW_MODULES
        return (-1 if slow and group == 2 else group, not slow)

    items.sort(key=key)
