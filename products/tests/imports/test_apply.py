"""Applying a checked import: one command per row, exactly once, with progress per chunk."""

from __future__ import annotations

import pytest

from products.imports import apply, jobs
from products.imports.models import ApplyMode, ImportJob, ImportState
from products.imports.rows import row_id
from products.read.queries import FindProductBySku, GetInventoryStats
from products.write import bus
from products.write.errors import DuplicateSku
from products.write.log import Event

from .conftest import csv_bytes, problems, product_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture
def applied(django_capture_on_commit_callbacks):
    """Choose (all rows, or the valid ones if some have problems) and let the task run now."""

    def run(job) -> ImportJob:
        mode = ApplyMode.VALID if job.invalid_rows else ApplyMode.ALL
        with django_capture_on_commit_callbacks(execute=True):
            jobs.queue_apply(job.pk, mode=mode, user=job.uploaded_by)
        return ImportJob.objects.get(pk=job.pk)

    return run


def on_hand(sku: str) -> int:
    return FindProductBySku(sku=sku).execute().on_hand


def test_a_good_product_file_creates_every_product_with_its_opening_stock(applied, check, manager):
    job = applied(check(csv_bytes("sku,name,price,quantity", "N-1,Nut,0.10,100", "B-1,Bolt,0.25,"), user=manager))
    assert (job.state, job.processed_rows, job.applied_rows, job.skipped_rows, job.failed_rows) == ("done", 2, 2, 0, 0)
    assert (on_hand("N-1"), on_hand("B-1")) == (100, 0)
    assert FindProductBySku(sku="N-1").execute().name == "Nut"
    assert Event.objects.filter(actor="manager").count() == 3  # two creates, one receive


def test_valid_rows_only_when_the_user_chooses_so(applied, check, manager):
    job = check(csv_bytes("sku,name,price", "N-1,Nut,1", "N-2,,1", "N-3,Washer,1"), user=manager)
    with pytest.raises(jobs.ImportRefused, match="1 rows have problems"):
        jobs.queue_apply(job.pk, mode=ApplyMode.ALL, user=manager)
    assert Event.objects.count() == 0
    job = applied(job)
    assert (job.applied_rows, job.skipped_rows, job.failed_rows) == (2, 1, 0)
    assert FindProductBySku(sku="N-2").execute() is None
    with pytest.raises(jobs.ImportRefused, match="can only be applied once"):
        jobs.queue_apply(job.pk, mode=ApplyMode.VALID, user=manager)


def test_a_file_with_no_valid_row_cannot_be_applied(check, manager):
    job = check(csv_bytes("sku,name,price", "N-1,,1"), user=manager)
    with pytest.raises(jobs.ImportRefused, match="nothing to apply"):
        jobs.queue_apply(job.pk, mode=ApplyMode.VALID, user=manager)


def test_a_discarded_import_is_never_applied(check, manager):
    job = check(csv_bytes("sku,name,price", "N-1,Nut,1", "N-2,,1"), user=manager)
    jobs.discard(job.pk, user=manager)
    with pytest.raises(jobs.ImportRefused, match="discarded"):
        jobs.queue_apply(job.pk, mode=ApplyMode.VALID, user=manager)
    assert Event.objects.count() == 0


def test_running_an_import_again_applies_nothing_twice(applied, check, manager):
    job = applied(check(product_rows(25), user=manager))
    events = Event.objects.count()
    stats = GetInventoryStats().execute()
    # As if the worker died after its last commit and the job were run again from the start.
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.APPLYING, last_row=0, processed_rows=0, applied_rows=0)
    assert apply.run(job.pk) == ImportState.DONE
    job.refresh_from_db()
    assert (job.processed_rows, job.applied_rows, job.attempts) == (25, 25, 2)
    assert Event.objects.count() == events
    assert GetInventoryStats().execute() == stats


def test_a_row_refused_while_applying_is_reported_and_the_rest_applies(applied, check, manager, make_product):
    job = check(csv_bytes("sku,name,price", "N-1,Nut,1", "N-2,Clash,1", "N-3,Washer,1"), user=manager)
    make_product(sku="N-2")  # someone creates it between the check and the apply
    job = applied(job)
    assert (job.state, job.applied_rows, job.failed_rows) == ("done", 2, 1)
    assert problems(job) == [(3, "sku", DuplicateSku.MESSAGE.format(sku="N-2"))]
    assert job.issues.get().phase == "apply"


def test_progress_advances_once_per_chunk(applied, check, manager, settings, monkeypatch):
    settings.IMPORT_CHUNK_ROWS = 4
    seen = []
    real_dispatch = bus.dispatch

    def watching(command, *, actor=None):
        if type(command).__name__ == "CreateProduct":
            seen.append(ImportJob.objects.values_list("processed_rows", flat=True).get())
        real_dispatch(command, actor=actor)

    monkeypatch.setattr(bus, "dispatch", watching)
    job = applied(check(csv_bytes("sku,name,price", *[f"P-{n},Item,1" for n in range(10)]), user=manager))
    assert seen == [0, 0, 0, 0, 4, 4, 4, 4, 8, 8]
    assert (job.processed_rows, job.last_row, job.percent) == (10, 11, 100)


def test_counts_are_absolute_so_the_same_file_twice_does_not_double_count(applied, check, clerk, make_product):
    make_product(sku="ACC-001", on_hand=3)
    make_product(sku="ACC-002", on_hand=50)
    content = csv_bytes("sku,quantity,note", "ACC-001,12,aisle 3", "ACC-002,0,")
    first = applied(check(content, user=clerk, kind="counts"))
    assert (first.applied_rows, on_hand("ACC-001"), on_hand("ACC-002")) == (2, 12, 0)
    second = check(content, user=clerk, kind="counts")
    assert jobs.earlier_upload(second) == first
    applied(second)
    assert (on_hand("ACC-001"), on_hand("ACC-002")) == (12, 0)


def test_row_ids_come_from_the_import_itself_so_another_file_never_collides(applied, check, clerk, make_product):
    """Row 2 of two different files: two command ids (uuid5 of each import's own random id), both applied."""
    make_product(sku="ACC-001", on_hand=3)
    first = applied(check(csv_bytes("sku,quantity", "ACC-001,12"), user=clerk, kind="counts"))
    second = applied(check(csv_bytes("sku,quantity", "ACC-001,7"), user=clerk, kind="counts"))
    assert (first.applied_rows, second.applied_rows, second.failed_rows) == (1, 1, 0)
    assert on_hand("ACC-001") == 7
    counted = set(Event.objects.filter(type="StockCounted").values_list("command_id", flat=True))
    assert counted == {row_id(first.pk, 2), row_id(second.pk, 2)}


def test_an_importer_who_lost_the_permission_stops_the_import(check, manager):
    job = check(csv_bytes("sku,name,price", "N-1,Nut,1"), user=manager)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.QUEUED, mode=ApplyMode.ALL, applied_by=manager)
    manager.groups.clear()
    assert apply.run(job.pk) == ImportState.FAILED
    job.refresh_from_db()
    assert job.error_message == "You do not have permission to create products."
    assert Event.objects.count() == 0


def test_a_chunk_rolled_back_by_a_deadlock_is_run_again(applied, check, manager, monkeypatch):
    from django.db import OperationalError

    class Deadlock(Exception):
        pgcode = "40P01"

    real_chunk = apply._apply_chunk
    calls = []

    def deadlocking_once(*args):
        calls.append(len(calls))
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from Deadlock()
        real_chunk(*args)

    monkeypatch.setattr(apply, "_apply_chunk", deadlocking_once)
    monkeypatch.setattr(apply.time, "sleep", lambda seconds: None)
    job = applied(check(csv_bytes("sku,name,price", "N-1,Nut,1", "N-2,Bolt,1"), user=manager))
    assert (job.state, job.applied_rows, len(calls)) == ("done", 2, 2)


def test_a_semicolon_file_from_a_decimal_comma_spreadsheet_keeps_its_prices(applied, check, manager):
    content = csv_bytes("sku;name;price", "N-1;Nut;12,50", "B-1;Bolt;1.234,5", "W-1;Washer;0.75")
    job = applied(check(content, user=manager))
    assert (job.state, job.applied_rows) == ("done", 3)
    prices = [str(FindProductBySku(sku=sku).execute().price) for sku in ("N-1", "B-1", "W-1")]
    assert prices == ["12.50", "1234.50", "0.75"]
