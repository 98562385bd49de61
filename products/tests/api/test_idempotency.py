"""Idempotency-Key over the API: an exact replay answers as the first did; a reused key is a 422 that writes nothing."""

from __future__ import annotations

import uuid

import pytest

from products.read.queries import GetProductStock
from products.write.log import Event

from .conftest import product_url

pytestmark = pytest.mark.django_db

NEW = {"sku": "NEW-1", "name": "New thing", "price": "4.20", "reorder_level": 3}


def on_hand(product) -> int:
    return GetProductStock(product_id=product.product_id).execute().on_hand


@pytest.fixture
def other(make_product):
    return make_product(sku="KEY-B", name="Other")


def stock(client, product, kind, quantity, **headers):
    return client.post(
        product_url(product.product_id, f"stock/{kind}/"), {"quantity": quantity}, format="json", **headers
    )


@pytest.mark.parametrize("key", ["receipt-4711", str(uuid.uuid4())], ids=["text", "uuid"])  # xdist: fixed ids
@pytest.mark.parametrize(
    "reuse",
    [
        lambda c, p, o, h: stock(c, o, "receive", 7, **h),  # the issue's probe: another product
        lambda c, p, o, h: stock(c, o, "issue", 500, **h),  # an issue B could not satisfy
        lambda c, p, o, h: stock(c, p, "issue", 4, **h),  # another command
        lambda c, p, o, h: stock(c, p, "receive", 9, **h),  # another quantity
        lambda c, p, o, h: c.post("/api/products/", NEW, format="json", **h),  # a create
    ],
    ids=["other-product", "unsatisfiable-issue", "other-command", "other-quantity", "create"],
)
def test_a_reused_key_is_422_naming_its_first_use_and_writes_nothing(
    manager_client, product, other, snapshot, key, reuse
):
    headers = {"HTTP_IDEMPOTENCY_KEY": key}
    assert stock(manager_client, product, "receive", 4, **headers).status_code == 204
    before = snapshot()
    response = reuse(manager_client, product, other, headers)
    assert response.status_code == 422
    body = response.json()
    first_use = f"ReceiveStock on ACC-001 (product {product.product_id})"
    assert body["code"] == "idempotency_key_reused"
    assert f"already used for {first_use}" in body["message"]
    assert body["errors"] == {"Idempotency-Key": [f"First used for {first_use}."]}
    assert snapshot() == before


def test_a_reused_command_id_field_is_reported_under_that_name(clerk_client, product):
    command_id = str(uuid.uuid4())
    url = product_url(product.product_id, "stock/receive/")
    assert clerk_client.post(url, {"quantity": 2, "command_id": command_id}, format="json").status_code == 204
    response = clerk_client.post(url, {"quantity": 3, "command_id": command_id}, format="json")
    assert response.status_code == 422 and list(response.json()["errors"]) == ["command_id"]
    assert on_hand(product) == 22


def test_an_exact_replay_answers_as_the_first_did(manager_client, product):
    headers = {"HTTP_IDEMPOTENCY_KEY": "sync-77"}
    created = [manager_client.post("/api/products/", NEW, format="json", **headers) for _ in range(2)]
    assert [r.status_code for r in created] == [201, 201]
    assert created[0]["Location"] == created[1]["Location"]
    issue_key = {"HTTP_IDEMPOTENCY_KEY": "issue-3"}
    assert [stock(manager_client, product, "issue", 20, **issue_key).status_code for _ in range(3)] == [204] * 3
    assert on_hand(product) == 0  # one issue of 20: the replays are not "only 0 on hand"


def test_a_refused_command_leaves_its_key_free_for_a_retry(clerk_client, product):
    """A 409 records nothing, so the same key may be sent again once the cause is fixed (intended)."""
    headers = {"HTTP_IDEMPOTENCY_KEY": "ship-9"}
    assert stock(clerk_client, product, "issue", 25, **headers).status_code == 409
    assert stock(clerk_client, product, "receive", 5).status_code == 204
    assert stock(clerk_client, product, "issue", 25, **headers).status_code == 204
    assert on_hand(product) == 0


def test_a_text_key_is_per_user(clerk_client, manager_client, product):
    """Like Stripe's keys per account: another user's identical key is another request."""
    headers = {"HTTP_IDEMPOTENCY_KEY": "morning-delivery"}
    assert stock(clerk_client, product, "receive", 1, **headers).status_code == 204
    assert stock(manager_client, product, "issue", 1, **headers).status_code == 204
    assert on_hand(product) == 20


def test_a_queued_command_reusing_a_key_is_refused_at_submit_time(clerk_client, product, other, snapshot):
    key = {"HTTP_IDEMPOTENCY_KEY": "queued-1", "QUERY_STRING": "async=1"}
    first = stock(clerk_client, product, "receive", 4, **key)
    again = stock(clerk_client, product, "receive", 4, **key)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first["Location"] == again["Location"]
    before = snapshot()
    for reuse in (stock(clerk_client, other, "receive", 4, **key), stock(clerk_client, product, "receive", 5, **key)):
        assert reuse.status_code == 422
        assert reuse.json()["errors"] == {
            "Idempotency-Key": [f"First used for ReceiveStock on ACC-001 (product {product.product_id})."]
        }
    assert snapshot() == before


def test_queueing_a_key_already_applied_for_another_request_is_refused_at_once(clerk_client, product):
    headers = {"HTTP_IDEMPOTENCY_KEY": "direct-then-queued"}
    assert stock(clerk_client, product, "receive", 4, **headers).status_code == 204
    response = stock(clerk_client, product, "issue", 4, QUERY_STRING="async=1", **headers)
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert Event.objects.filter(type="StockIssued").count() == 0
