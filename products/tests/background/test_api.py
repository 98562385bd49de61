"""The API's async mode: 202 + status URL, the same idempotency and permissions; imports over the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from products.imports.models import ImportJob
from products.read.queries import GetProductStock
from products.write.log import Event

from ..api.conftest import product_url
from ..imports.conftest import IMMEDIATE_TASKS, csv_bytes

pytestmark = pytest.mark.django_db


def receive(client, product, *, quantity=5, **extra):
    return client.post(
        product_url(product.product_id, "stock/receive/"), {"quantity": quantity}, format="json", **extra
    )


@pytest.mark.parametrize("how", [{"QUERY_STRING": "async=1"}, {"HTTP_PREFER": "respond-async, wait=10"}])
def test_a_command_can_be_queued_and_polled(clerk_client, product, how, django_capture_on_commit_callbacks, settings):
    settings.TASKS = IMMEDIATE_TASKS
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = receive(clerk_client, product, **how)
    assert answer.status_code == 202
    status_url = answer["Location"]
    command_id = answer.json()["command_id"]
    assert status_url.endswith(f"/api/commands/{command_id}/")
    assert answer.json()["state"] == "queued"
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 20  # not applied yet
    for callback in queued:
        callback()  # the commit: the (immediate) worker runs it
    status = clerk_client.get(status_url).json()
    assert (status["state"], status["command_type"], status["error"]) == ("succeeded", "ReceiveStock", None)
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 25


def test_a_refused_queued_command_reports_the_same_error_a_direct_call_would(
    clerk_client, product, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = IMMEDIATE_TASKS
    url = product_url(product.product_id, "stock/issue/?async=1")
    with django_capture_on_commit_callbacks(execute=True):
        answer = clerk_client.post(url, {"quantity": 999}, format="json")
    status = clerk_client.get(answer["Location"]).json()
    assert status["state"] == "failed"
    assert status["error"] == {
        "code": "insufficient_stock",
        "message": "Cannot issue 999 of ACC-001: only 20 on hand.",
        "errors": {"quantity": ["Cannot issue 999 of ACC-001: only 20 on hand."]},
    }


def test_the_same_idempotency_key_queues_once(clerk_client, product, settings):
    key = {"HTTP_IDEMPOTENCY_KEY": "receipt-4711", "QUERY_STRING": "async=1"}
    first, again = receive(clerk_client, product, **key), receive(clerk_client, product, **key)
    assert first.status_code == again.status_code == 202
    assert first["Location"] == again["Location"]


def test_permissions_are_checked_before_anything_is_queued(viewer_client, product):
    answer = receive(viewer_client, product, QUERY_STRING="async=1")
    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"


def test_invalid_input_is_refused_at_once_not_queued(clerk_client, product):
    answer = receive(clerk_client, product, quantity=0, QUERY_STRING="async=1")
    assert answer.status_code == 400
    assert "quantity" in answer.json()["errors"]


def test_create_can_be_queued_too(manager_client, django_capture_on_commit_callbacks, settings):
    settings.TASKS = IMMEDIATE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_client.post(
            "/api/products/?async=1",
            {"sku": "Q-1", "name": "Queued", "price": "1.00", "reorder_level": 0},
            format="json",
        )
    assert answer.status_code == 202
    assert manager_client.get(answer["Location"]).json()["state"] == "succeeded"
    assert Event.objects.filter(type="ProductCreated").count() == 1


def test_unknown_command_status_is_404(clerk_client):
    assert clerk_client.get("/api/commands/7c9e6679-7425-40de-944b-e07fc1f90ae7/").status_code == 404
    assert clerk_client.get("/api/commands/not-a-uuid/").status_code == 404


def upload(client, content: bytes, kind: str = "products"):
    return client.post(
        "/api/imports/", {"kind": kind, "file": SimpleUploadedFile("up.csv", content)}, format="multipart"
    )


def test_an_import_over_the_api_is_checked_then_applied(manager_client, django_capture_on_commit_callbacks, settings):
    settings.TASKS = IMMEDIATE_TASKS
    answer = upload(manager_client, csv_bytes("sku,name,price", "A-1,Nut,1", "A-2,,1"))
    assert answer.status_code == 201
    body = answer.json()
    assert (body["state"], body["total_rows"], body["invalid_rows"]) == ("ready", 2, 1)
    assert body["problems"] == [{"row": 3, "column": "name", "message": "This field is required.", "phase": "check"}]
    apply_url = answer["Location"] + "apply/"
    refused = manager_client.post(apply_url, {"mode": "all"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "import_refused"
    with django_capture_on_commit_callbacks(execute=True):
        accepted = manager_client.post(apply_url, {"mode": "valid"}, format="json")
    assert accepted.status_code == 202
    report = manager_client.get(answer["Location"]).json()
    assert (report["state"], report["applied_rows"], report["skipped_rows"]) == ("done", 1, 1)


def test_a_file_problem_is_a_400_with_the_reason(manager_client):
    answer = upload(manager_client, csv_bytes("sku,name", "A-1,Nut"))
    assert answer.status_code == 400
    assert answer.json()["errors"]["file"] == [
        "Missing column: price. Expected the columns sku, name, price and optionally description, "
        "reorder_level, quantity."
    ]
    assert not ImportJob.objects.exists()


def test_a_clerk_may_import_counts_but_not_products(clerk_client):
    assert upload(clerk_client, csv_bytes("sku,name,price", "A-1,Nut,1")).status_code == 403
    assert upload(clerk_client, csv_bytes("sku,quantity", "A-1,1"), kind="counts").status_code == 201


def test_an_upload_whose_problems_cannot_be_read_after_its_commit_is_still_a_201(manager_client, monkeypatch):
    """Saved, then the database went away: the answer is the saved job without its problems, never a 503."""
    from django.db import OperationalError

    from products.imports import jobs

    def gone(job, *, limit=None):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(jobs, "issues", gone)
    answer = upload(manager_client, csv_bytes("sku,name,price", "A-1,Nut,1", "A-2,,1"))
    assert answer.status_code == 201
    body = answer.json()
    assert (body["total_rows"], body["invalid_rows"], body["problems"]) == (2, 1, None)
    assert answer["Location"].endswith(f"/api/imports/{body['id']}/")
    assert ImportJob.objects.filter(pk=body["id"]).exists()
