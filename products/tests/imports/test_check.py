"""The check: every row is validated by the same command classes; nothing is applied before a choice."""

from __future__ import annotations

import pytest

from products.imports import access, jobs
from products.imports.models import ImportState
from products.imports.parsing import FileProblem
from products.imports.rows import ALREADY_EXISTS, ARCHIVED, DUPLICATE_IN_FILE, EXTRA, UNKNOWN_SKU
from products.write import bus
from products.write.commands import COUNT_RANGE, PRICE_INVALID, REORDER_RANGE, REQUIRED, SKU_INVALID, ArchiveProduct
from products.write.errors import PermissionDenied

from .conftest import csv_bytes, problems, product_rows

pytestmark = pytest.mark.django_db


def test_a_good_file_has_no_problems_and_changes_nothing(check, manager, snapshot):
    before = snapshot()
    job = check(
        csv_bytes("sku,name,price,reorder_level,quantity", "N-1,Nut,0.10,5,100", "B-1,Bolt,0.25,,"), user=manager
    )
    assert (job.state, job.total_rows, job.invalid_rows) == (ImportState.READY, 2, 0)
    assert problems(job) == []
    assert snapshot() == before


def test_bad_rows_are_reported_by_row_and_column_with_the_commands_messages(check, manager, snapshot):
    before = snapshot()
    content = csv_bytes(
        "sku,name,price,reorder_level,quantity",
        "OK-1,Fine,1.00,0,0",
        "BAD 1,,-1,x,-5",
        "OK-2,Huge,99999999999999,99999999999999999999,99999999999999999999",
        "OK-3,Cents,1.005,1.5,2.5",
    )
    job = check(content, user=manager)
    assert (job.total_rows, job.invalid_rows) == (4, 3)
    assert problems(job) == [
        (3, "sku", SKU_INVALID),
        (3, "name", REQUIRED),
        (3, "price", PRICE_INVALID),
        (3, "reorder_level", REORDER_RANGE),
        (3, "quantity", COUNT_RANGE),
        (4, "price", PRICE_INVALID),
        (4, "reorder_level", REORDER_RANGE),
        (4, "quantity", COUNT_RANGE),
        (5, "price", PRICE_INVALID),
        (5, "reorder_level", REORDER_RANGE),
        (5, "quantity", COUNT_RANGE),
    ]
    assert snapshot() == before


def test_duplicate_skus_in_the_file_and_existing_skus_are_reported(check, manager, product):
    content = csv_bytes("sku,name,price", "N-1,Nut,1", "n-1,Nut again,1", "acc-001,Clash,1", "N-1,Third,1")
    job = check(content, user=manager)
    assert problems(job) == [
        (3, "sku", DUPLICATE_IN_FILE.format(sku="n-1", first=2)),
        (4, "sku", ALREADY_EXISTS.format(sku="ACC-001")),
        (5, "sku", DUPLICATE_IN_FILE.format(sku="N-1", first=2)),
    ]


def test_a_row_longer_than_the_header_is_a_problem(check, manager):
    job = check(csv_bytes("sku,name,price", "N-1,Nut,1,surprise"), user=manager)
    assert problems(job) == [(2, "", EXTRA)]


def test_count_rows_need_known_active_products(check, clerk, make_product):
    make_product(sku="ACC-001")
    make_product(sku="OLD-1")
    old = make_product(sku="OLD-2")
    bus.dispatch(ArchiveProduct(product_id=old.product_id))
    content = csv_bytes("sku,quantity,note", "acc-001,5,shelf A", "NOPE-9,1,", "OLD-2,3,", "OLD-1,-1,", "ACC-001,7,")
    job = check(content, user=clerk, kind="counts")
    assert (job.total_rows, job.invalid_rows) == (5, 4)
    assert problems(job) == [
        (3, "sku", UNKNOWN_SKU.format(sku="NOPE-9")),
        (4, "sku", ARCHIVED.format(sku="OLD-2")),
        (5, "quantity", COUNT_RANGE),
        (6, "sku", DUPLICATE_IN_FILE.format(sku="ACC-001", first=2)),
    ]


def test_roles_decide_which_imports_a_user_may_run(check, clerk, viewer):
    with pytest.raises(PermissionDenied, match="create products"):
        check(csv_bytes("sku,name,price", "N-1,Nut,1"), user=clerk)
    with pytest.raises(PermissionDenied, match="count stock"):
        check(csv_bytes("sku,quantity", "N-1,1"), user=viewer, kind="counts")
    assert access.allowed_kinds(clerk) == ["counts"]
    assert access.allowed_kinds(viewer) == []


def test_a_header_without_rows_is_refused_and_leaves_no_job(check, manager):
    with pytest.raises(FileProblem, match="no data rows"):
        check(csv_bytes("sku,name,price"), user=manager)
    assert not jobs.ImportJob.objects.exists()


def test_the_same_bytes_uploaded_again_are_recognised(check, manager):
    content = csv_bytes("sku,name,price", "N-1,Nut,1")
    first = check(content, user=manager)
    other = check(csv_bytes("sku,name,price", "N-2,Nut,1"), user=manager)
    again = check(content, user=manager, filename="copy.csv")
    assert jobs.earlier_upload(again) == first
    assert jobs.earlier_upload(other) is None
    assert jobs.earlier_upload(first) is None


def test_ten_thousand_rows_are_checked_in_one_pass(check, manager):
    """Applying 10k rows takes minutes of per-row commands; it is measured by hand (see the import notes)."""
    content = product_rows(10_000) + b"IMP-000042,Again,1,0,0\n"
    job = check(content, user=manager)
    assert (job.total_rows, job.invalid_rows) == (10_001, 1)
    assert problems(job) == [(10_002, "sku", DUPLICATE_IN_FILE.format(sku="IMP-000042", first=44))]


def test_a_comma_delimited_file_never_reads_a_comma_as_a_decimal_point(check, manager):
    # In a "," file a quoted "1,234" is a US thousands separator or a typo: ambiguous, so it is refused.
    job = check(csv_bytes("sku,name,price", 'N-1,Nut,"1,234"', 'N-2,Nut,"12,5"'), user=manager)
    assert problems(job) == [(2, "price", PRICE_INVALID), (3, "price", PRICE_INVALID)]


def test_a_semicolon_file_still_refuses_prices_that_are_not_numbers(check, manager):
    job = check(csv_bytes("sku;name;price", "N-1;Nut;12,505", "N-2;Nut;1,2,3", "N-3;Nut;12,50"), user=manager)
    assert problems(job) == [(2, "price", PRICE_INVALID), (3, "price", PRICE_INVALID)]
