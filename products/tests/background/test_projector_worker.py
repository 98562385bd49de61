"""Real `manage.py run_projectors` processes on the test database (PostgreSQL): woken by NOTIFY, exactly once."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from django.db import connection

from products.read.checkpoints import ProjectorCheckpoint
from products.read.projectors import PROJECTORS
from products.read.tables import StockMovementEntry
from products.read.verify import verify
from products.seeding import seed_catalogue
from products.write import bus
from products.write.commands import ReceiveStock

from ..projecting import forget_projections, head
from .conftest import manage, processes, wait_for

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def start_projectors():
    """Start run_projectors processes on the test database; every one left is killed at teardown."""
    with processes() as started:

        def start(*args: str) -> subprocess.Popen:
            started.append(manage("run_projectors", *args, PROJECTORS_IN_PROCESS="0"))
            return started[-1]

        yield start


@pytest.fixture
def worker_mode(settings):
    settings.PROJECTORS_IN_PROCESS = False
    settings.NOTIFY_NEW_EVENTS = True


def _caught_up() -> bool:
    positions = dict(ProjectorCheckpoint.objects.values_list("name", "position"))
    return positions.keys() == set(PROJECTORS) and set(positions.values()) == {head()}


def _a_log_to_project(products: int = 1500) -> int:
    """A seeded log (about 6 events a product) that the projectors have not seen: they start from 0."""
    seed_catalogue(products, 4, seed=7, bins=3)
    forget_projections()
    return head()


def _backend_in_batch() -> bool:
    """A run_projectors backend is inside a batch that has written rows (mid-transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL)"
        )
        return cursor.fetchone()[0]


def test_a_notify_wakes_the_worker_at_once(make_product, worker_mode, start_projectors):
    product = make_product(sku="RP-1")
    start_projectors("--poll", "60")  # only a NOTIFY can wake it within the test's wait
    wait_for(_caught_up, timeout=60, what="the first catch-up")
    result = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3))
    started = time.monotonic()
    wait_for(lambda: StockMovementEntry.objects.filter(pk=result.position).exists(), timeout=10, what="the ledger row")
    assert time.monotonic() - started < 5
    wait_for(_caught_up, timeout=10, what="both projectors")
    assert verify().total == 0


def test_exactly_once_across_a_sigkill_mid_batch(worker_mode, start_projectors):
    last = _a_log_to_project()
    first = start_projectors("--batch", "1000", "--pause", "2")  # each batch holds its transaction open 2 s
    wait_for(_backend_in_batch, timeout=60, what="the worker inside a batch")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert not _caught_up()  # killed part way: its open batch was lost whole
    start_projectors("--batch", "700")
    wait_for(_caught_up, timeout=120, what="the second worker to finish")
    assert ProjectorCheckpoint.objects.get(pk="ledger").position == last
    assert verify().total == 0


def test_two_workers_racing_without_the_election_apply_each_event_once(worker_mode, start_projectors):
    _a_log_to_project()
    racers = [start_projectors("--batch", "200", "--no-election") for _ in range(2)]
    wait_for(_caught_up, timeout=120, what="the racers to finish")
    assert all(racer.poll() is None for racer in racers)  # nobody crashed on a duplicate row
    assert verify().total == 0
    assert not ProjectorCheckpoint.objects.filter(failed_position__isnull=False).exists()


def _lock_holders() -> set[int]:
    """The backends holding a projector's advisory lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return {pid for (pid,) in cursor.fetchall()}


def test_one_worker_is_elected_per_projector_and_a_standby_takes_over(worker_mode, start_projectors):
    _a_log_to_project(800)
    active = start_projectors("--pause", "0.3", "--batch", "300")
    first = wait_for(_lock_holders, timeout=60, what="the first worker's election")
    standby = start_projectors("--batch", "300")
    time.sleep(2)
    assert _lock_holders() == first  # the second one waits as a standby
    assert not _caught_up()
    active.send_signal(signal.SIGKILL)
    active.wait(timeout=30)
    # A standby that died says so at once, rather than as a takeover that never came (seen once in a full run).
    wait_for(
        lambda: standby.poll() is not None or _lock_holders() not in (set(), first),
        timeout=60,
        what="the standby to take over",
    )
    assert standby.poll() is None, f"the standby exited with status {standby.returncode} instead of taking over"
    wait_for(_caught_up, timeout=120, what="the standby to finish")
    assert verify().total == 0
