"""A queued command whose task a dead worker had claimed is queued again; one whose task still waits is left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from products.background import tasks
from products.background.submitted import SubmittedCommand
from products.read.queries import GetProductStock
from products.write.commands import ReceiveStock

pytestmark = pytest.mark.django_db


def test_the_task_row_is_written_with_the_record_and_a_waiting_one_is_not_queued_twice(clerk, product):
    submitted = tasks.submit(ReceiveStock(product_id=product.product_id, quantity=3), actor=clerk)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1  # same transaction, no on_commit
    assert tasks.requeue_stalled(timedelta(0)) == 0
    assert SubmittedCommand.objects.get(pk=submitted.command_id).state == "queued"


def test_a_command_whose_claimed_task_died_with_its_worker_runs_once_after_a_requeue(clerk, product):
    submitted = tasks.submit(ReceiveStock(product_id=product.product_id, quantity=3), actor=clerk)
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)  # claimed, then the worker was killed
    assert tasks.requeue_stalled(timedelta(minutes=5)) == 0  # too recent to call stalled
    assert tasks.requeue_stalled(timedelta(0)) == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    for _ in range(2):  # the requeued task, and the old one should it ever run
        tasks.run_submitted_command.call(str(submitted.command_id))
    assert SubmittedCommand.objects.get(pk=submitted.command_id).state == "succeeded"
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 23


def test_a_command_queued_under_the_old_task_path_runs_after_an_upgrade(clerk, product):
    """Before the layout change the task lived at products.tasks; its old rows name a path no worker imports."""
    submitted = tasks.submit(ReceiveStock(product_id=product.product_id, quantity=3), actor=clerk)
    DBTaskResult.objects.update(task_path="products.tasks.run_submitted_command")
    assert tasks.requeue_stalled(timedelta(0)) == 1
    new_path = tasks.run_submitted_command.module_path
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=new_path)
    assert waiting.count() == 1
    tasks.run_submitted_command.call(str(submitted.command_id))
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 23
