"""End to end on PostgreSQL with real `manage.py db_worker` processes: submitted commands and imports
run once, even with two workers racing or a worker killed in the middle of an import."""

from __future__ import annotations

import signal

import pytest
from django.db import transaction

from products.background import tasks
from products.background.status import GetCommandStatus
from products.background.tasks import run_submitted_command
from products.imports import apply, jobs
from products.imports.models import ApplyMode, ImportJob, ImportState
from products.read.queries import FindProductBySku, GetProductStock
from products.write.commands import IssueStock, ReceiveStock
from products.write.log import Event

from ..imports.conftest import product_rows
from .conftest import wait_for

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]


def finished(command_id):
    status = GetCommandStatus(command_id=command_id).execute()
    return status if status.state in ("succeeded", "failed") else None


def test_submitted_commands_run_on_the_worker_with_their_outcome(start_worker, clerk, make_product):
    product = make_product(sku="ACC-001", on_hand=5)
    received = tasks.submit(ReceiveStock(product_id=product.product_id, quantity=7), actor=clerk).command_id
    refused = tasks.submit(IssueStock(product_id=product.product_id, quantity=500), actor=clerk).command_id
    assert GetCommandStatus(command_id=received).execute().state == "queued"
    start_worker()
    ok = wait_for(lambda: finished(received), what="the receive to finish")
    bad = wait_for(lambda: finished(refused), what="the issue to finish")
    assert (ok.state, ok.attempts) == ("succeeded", 1)
    assert (bad.state, bad.error_code, bad.field_errors) == (
        "failed",
        "insufficient_stock",
        {"quantity": ["Cannot issue 500 of ACC-001: only 12 on hand."]},
    )
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 12


def test_two_workers_racing_for_the_same_command_apply_it_once(start_worker, clerk, make_product):
    product = make_product(sku="ACC-001")
    command_id = tasks.submit(ReceiveStock(product_id=product.product_id, quantity=3), actor=clerk).command_id
    with transaction.atomic():  # the same command delivered twice more, as a requeue would
        run_submitted_command.enqueue(str(command_id))
        run_submitted_command.enqueue(str(command_id))
    start_worker()
    start_worker()
    wait_for(lambda: finished(command_id), what="the command to finish")
    wait_for(lambda: _pending_tasks() == 0, what="all three deliveries to be handled")
    assert Event.objects.filter(command_id=command_id).count() == 1
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 3


def _pending_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).count()


ROWS = 200


def _queued_import(check_user) -> ImportJob:
    job = jobs.check_upload(kind="products", filename="big.csv", content=product_rows(ROWS), user=check_user)
    return jobs.queue_apply(job.pk, mode=ApplyMode.ALL, user=check_user)


def _state(job) -> ImportJob:
    return ImportJob.objects.defer("content").get(pk=job.pk)


def assert_every_row_applied_once(job) -> None:
    job = _state(job)
    assert (job.state, job.processed_rows, job.applied_rows, job.failed_rows) == ("done", ROWS, ROWS, 0)
    creates = Event.objects.filter(type="ProductCreated", actor="manager").count()
    receives = Event.objects.filter(type="StockReceived", actor="manager").count()
    assert creates == ROWS
    assert receives == sum(1 for n in range(ROWS) if n % 5)  # rows with a quantity above 0
    assert FindProductBySku(sku=f"IMP-{ROWS - 1:06d}").execute().on_hand == (ROWS - 1) % 5


def test_a_worker_killed_mid_import_leaves_every_row_applied_exactly_once(start_worker, manager):
    job = _queued_import(manager)
    first = start_worker(chunk_rows=20)
    wait_for(lambda: _state(job).processed_rows >= 40, what="a few chunks to commit")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    stopped = _state(job)
    assert stopped.state == ImportState.APPLYING
    assert 40 <= stopped.processed_rows < ROWS
    # The dead worker's connection (and with it the import's advisory lock) goes away; the next
    # worker start requeues the job (entrypoint.sh worker runs requeue_stalled_commands).
    wait_for(lambda: apply.requeue_stalled() == 1, timeout=30, what="the import lock to be released")
    start_worker(chunk_rows=20)
    wait_for(lambda: _state(job).state == ImportState.DONE, what="the import to finish")
    assert _state(job).attempts == 2
    assert_every_row_applied_once(job)


def test_two_workers_given_the_same_import_apply_each_row_once(start_worker, manager):
    job = _queued_import(manager)
    with transaction.atomic():
        apply.enqueue(job.pk)  # a duplicate delivery of the same job
    start_worker(chunk_rows=50)
    start_worker(chunk_rows=50)
    wait_for(lambda: _state(job).state == ImportState.DONE, what="the import to finish")
    wait_for(lambda: _pending_tasks() == 0, what="the duplicate task to be handled")
    assert_every_row_applied_once(job)
