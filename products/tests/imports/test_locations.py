"""Stock-count CSVs with a `location` column: checked against the locations, applied per location."""

from __future__ import annotations

import pytest

from products.imports import jobs
from products.imports.models import ApplyMode, ImportJob
from products.imports.rows import ARCHIVED_LOCATION, DUPLICATE_IN_FILE, UNKNOWN_LOCATION
from products.read.queries import GetStockByLocation
from products.write import bus
from products.write.commands import ArchiveLocation

from .conftest import csv_bytes, problems

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture
def applied(django_capture_on_commit_callbacks):
    """Apply every row of a checked import and let the task run now."""

    def run(job) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            jobs.queue_apply(job.pk, mode=ApplyMode.ALL, user=job.uploaded_by)
        return ImportJob.objects.get(pk=job.pk)

    return run


def test_a_count_file_with_locations_sets_each_place(applied, check, clerk, make_product, make_location):
    product = make_product(sku="ACC-001", on_hand=10)
    make_location("A-01")
    good = check(csv_bytes("sku,quantity,location", "ACC-001,4,a-01", "ACC-001,7,"), user=clerk, kind="counts")
    done = applied(good)
    assert (done.state, done.applied_rows, problems(done)) == ("done", 2, [])
    levels = {level.location: level.on_hand for level in GetStockByLocation(product_id=product.product_id).execute()}
    assert levels == {"MAIN": 7, "A-01": 4}


def test_a_sku_may_appear_once_per_location(check, clerk, make_product, make_location):
    make_product(sku="ACC-001", on_hand=10)
    make_location("A-01")
    content = csv_bytes("sku,quantity,location", "ACC-001,4,a-01", "ACC-001,7,", "acc-001,1,MAIN")
    job = check(content, user=clerk, kind="counts")
    assert problems(job) == [(4, "sku", DUPLICATE_IN_FILE.format(sku="acc-001", first=3))]


def test_unknown_and_archived_locations_are_row_problems(check, clerk, make_product, make_location):
    make_product(sku="ACC-001", on_hand=10)
    make_product(sku="ACC-002")
    make_location("OLD")
    bus.dispatch(ArchiveLocation(code="OLD"))
    content = csv_bytes("sku,quantity,location", "ACC-001,4,NOPE", "ACC-002,1,old", "ACC-001,2,A 1")
    job = check(content, user=clerk, kind="counts")
    found = problems(job)
    assert (2, "location", UNKNOWN_LOCATION.format(code="NOPE")) in found
    assert (3, "location", ARCHIVED_LOCATION.format(code="old")) in found
    assert any(row == 4 and column == "location" for row, column, _ in found)
