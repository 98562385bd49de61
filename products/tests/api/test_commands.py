"""Command endpoints: the answer codes, what changed, and that refusals write nothing."""

from __future__ import annotations

import uuid

import pytest

from products.read.queries import GetProduct, GetProductStock
from products.write.commands import COUNT_RANGE, QUANTITY_RANGE, REQUIRED, SKU_INVALID
from products.write.log import Event

from .conftest import product_url

pytestmark = pytest.mark.django_db

NEW = {"sku": "NEW-1", "name": "New thing", "description": "Shiny", "price": "4.20", "reorder_level": 3}


def on_hand(product_id) -> int:
    return GetProductStock(product_id=product_id).execute().on_hand


def test_create_answers_201_with_location_and_no_body(manager_client):
    response = manager_client.post("/api/products/", NEW, format="json")
    assert response.status_code == 201
    assert response.content == b""
    location = response.headers["Location"]
    assert location.startswith("http://testserver/api/products/")
    created = manager_client.get(location).json()
    assert {key: created[key] for key in NEW} == NEW
    assert created["on_hand"] == 0 and created["version"] == 1


def test_create_with_a_chosen_id(manager_client):
    chosen = uuid.uuid4()
    response = manager_client.post("/api/products/", {**NEW, "id": str(chosen)}, format="json")
    assert response.headers["Location"].endswith(f"/api/products/{chosen}/")
    assert GetProduct(product_id=chosen).execute().sku == "NEW-1"


def test_create_retried_with_the_same_key_applies_once_and_answers_the_same(manager_client):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-sync-2024-001"}
    first = manager_client.post("/api/products/", NEW, format="json", **headers)
    second = manager_client.post("/api/products/", NEW, format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.headers["Location"] == second.headers["Location"]
    assert Event.objects.filter(type="ProductCreated").count() == 1


def test_create_refuses_a_duplicate_sku_case_insensitively(manager_client, product, snapshot):
    before = snapshot()
    response = manager_client.post("/api/products/", {**NEW, "sku": "acc-001"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_sku"
    assert "sku" in body["errors"]
    assert snapshot() == before


def test_create_refuses_an_existing_id(manager_client, product):
    response = manager_client.post("/api/products/", {**NEW, "id": str(product.product_id)}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "product_exists"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sku": "bad sku!"}, "sku", SKU_INVALID),
        ({"sku": ""}, "sku", None),
        ({"name": "   "}, "name", None),
        ({"price": "-1"}, "price", None),
        ({"price": "1.234"}, "price", None),
        ({"price": "1e400"}, "price", None),
        ({"price": "abc"}, "price", None),
        ({"reorder_level": -1}, "reorder_level", None),
        ({"reorder_level": 10**30}, "reorder_level", None),
        ({"reorder_level": "many"}, "reorder_level", None),
        ({"reorder_level": 1.5}, "reorder_level", None),
        ({"description": "x" * 5001}, "description", None),
        ({"name": "nul\x00byte"}, "name", None),
        ({"id": "not-a-uuid"}, "id", None),
        ({"command_id": "42"}, "command_id", None),
    ],
)
def test_create_validation_errors_name_the_field(manager_client, snapshot, change, field, message):
    before = snapshot()
    response = manager_client.post("/api/products/", {**NEW, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    if message:
        assert body["errors"][field] == [message]
    assert snapshot() == before


def test_create_missing_fields(manager_client):
    response = manager_client.post("/api/products/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"sku", "name", "price", "reorder_level"}


@pytest.mark.parametrize("how", ["header", "field", "weak-etag"])
def test_update_with_the_current_version(manager_client, product, how):
    body = {"sku": "ACC-001", "name": "Blue widget XL", "price": "3.00", "reorder_level": 6}
    headers = {}
    if how == "header":
        headers["HTTP_IF_MATCH"] = '"2"'
    elif how == "weak-etag":
        headers["HTTP_IF_MATCH"] = 'W/"2"'
    else:
        body["version"] = 2
    response = manager_client.put(product_url(product.product_id), body, format="json", **headers)
    assert response.status_code == 204
    after = manager_client.get(product_url(product.product_id))
    assert after.json()["name"] == "Blue widget XL"
    assert after.json()["description"] == ""
    assert after.headers["ETag"] == '"3"'


def test_patch_changes_only_what_was_sent(manager_client, make_product):
    product = make_product(sku="P-1", name="Old", description="Keep me", price="1.00", reorder_level=2)
    response = manager_client.patch(
        product_url(product.product_id), {"name": "New"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 204
    row = GetProduct(product_id=product.product_id).execute()
    assert (row.name, row.description, str(row.price), row.reorder_level) == ("New", "Keep me", "1.00", 2)


def test_update_on_a_stale_version_is_409_and_writes_nothing(manager_client, product, snapshot):
    before = snapshot()
    response = manager_client.patch(
        product_url(product.product_id), {"name": "Mine"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert "your version 1, current 2" in body["message"]
    assert snapshot() == before


def test_update_without_a_version_is_428(manager_client, product):
    response = manager_client.patch(product_url(product.product_id), {"name": "Mine"}, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"


@pytest.mark.parametrize(
    ("headers", "body", "field"),
    [
        ({"HTTP_IF_MATCH": "*"}, {}, "If-Match"),
        ({"HTTP_IF_MATCH": '"two"'}, {}, "If-Match"),
        ({"HTTP_IF_MATCH": '"2"'}, {"version": 3}, "version"),
        ({}, {"version": 0}, "version"),
        ({}, {"version": "2x"}, "version"),
        ({"HTTP_IF_MATCH": '"0"'}, {}, "If-Match"),
    ],
)
def test_malformed_or_conflicting_versions_are_400(manager_client, product, headers, body, field):
    response = manager_client.patch(product_url(product.product_id), {"name": "N", **body}, format="json", **headers)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_update_to_a_taken_sku_is_409(manager_client, product, make_product):
    other = make_product(sku="OTHER")
    response = manager_client.patch(
        product_url(other.product_id), {"sku": "ACC-001"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_sku"


def test_update_of_an_unknown_product_is_404(manager_client):
    response = manager_client.patch(product_url(uuid.uuid4()), {"name": "N"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 404
    response = manager_client.put(product_url(uuid.uuid4()), {**NEW, "version": 1}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_archive_is_204_then_409_archived(manager_client, product):
    assert manager_client.delete(product_url(product.product_id)).status_code == 204
    assert GetProduct(product_id=product.product_id).execute().archived is True
    again = manager_client.delete(product_url(product.product_id))
    assert again.status_code == 409
    assert again.json()["code"] == "archived"
    stock = manager_client.post(product_url(product.product_id, "stock/receive/"), {"quantity": 1}, format="json")
    assert stock.status_code == 409 and stock.json()["code"] == "archived"


def test_restore_is_204_then_409_not_archived_and_the_product_takes_stock_again(manager_client, product):
    assert manager_client.delete(product_url(product.product_id)).status_code == 204
    assert manager_client.post(product_url(product.product_id, "restore/")).status_code == 204
    assert GetProduct(product_id=product.product_id).execute().archived is False
    again = manager_client.post(product_url(product.product_id, "restore/"))
    assert again.status_code == 409 and again.json()["code"] == "not_archived"
    stock = manager_client.post(product_url(product.product_id, "stock/receive/"), {"quantity": 1}, format="json")
    assert stock.status_code == 204


def test_restore_needs_the_archive_permission_and_an_existing_product(clerk_client, manager_client, product):
    manager_client.delete(product_url(product.product_id))
    assert clerk_client.post(product_url(product.product_id, "restore/")).status_code == 403
    assert manager_client.post(product_url(uuid.uuid4(), "restore/")).status_code == 404
    assert GetProduct(product_id=product.product_id).execute().archived is True


def test_archive_retried_with_the_same_key_answers_204_again(manager_client, product):
    key = str(uuid.uuid4())
    for _ in range(2):
        assert manager_client.delete(product_url(product.product_id), HTTP_IDEMPOTENCY_KEY=key).status_code == 204
    assert Event.objects.filter(type="ProductArchived").count() == 1


@pytest.mark.parametrize(
    ("action", "quantity", "expected"),
    [("receive", 5, 25), ("issue", 5, 15), ("issue", 20, 0), ("count", 7, 7), ("count", 0, 0)],
)
def test_stock_commands_answer_204_and_change_on_hand(clerk_client, product, action, quantity, expected):
    response = clerk_client.post(
        product_url(product.product_id, f"stock/{action}/"), {"quantity": quantity, "note": "n"}, format="json"
    )
    assert response.status_code == 204
    assert response.content == b""
    assert on_hand(product.product_id) == expected


def test_issue_more_than_on_hand_is_409_and_writes_nothing(clerk_client, product, snapshot):
    before = snapshot()
    response = clerk_client.post(product_url(product.product_id, "stock/issue/"), {"quantity": 21}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_stock",
        "message": "Cannot issue 21 of ACC-001: only 20 on hand.",
        "errors": {"quantity": ["Cannot issue 21 of ACC-001: only 20 on hand."]},
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("action", "body", "message"),
    [
        ("receive", {"quantity": 0}, QUANTITY_RANGE),
        ("receive", {"quantity": -3}, QUANTITY_RANGE),
        ("issue", {"quantity": 10**30}, QUANTITY_RANGE),
        ("issue", {"quantity": "lots"}, QUANTITY_RANGE),
        ("issue", {"quantity": 2.5}, QUANTITY_RANGE),
        ("issue", {"quantity": True}, QUANTITY_RANGE),
        ("count", {"quantity": -1}, COUNT_RANGE),
        ("count", {}, REQUIRED),
        ("receive", {"quantity": None}, None),
        ("receive", {"quantity": 1, "note": "x" * 501}, None),
    ],
)
def test_stock_validation_errors(clerk_client, product, snapshot, action, body, message):
    before = snapshot()
    response = clerk_client.post(product_url(product.product_id, f"stock/{action}/"), body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    field = "note" if "note" in body else "quantity"
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert snapshot() == before


def test_stock_command_on_an_unknown_product_is_404(clerk_client):
    response = clerk_client.post(product_url(uuid.uuid4(), "stock/receive/"), {"quantity": 1}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("key", [str(uuid.uuid4()), "retry-me-7"], ids=["uuid", "text"])  # xdist: fixed ids
def test_same_idempotency_key_twice_applies_once(clerk_client, product, key):
    url = product_url(product.product_id, "stock/receive/")
    answers = [
        clerk_client.post(url, {"quantity": 4}, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code for _ in range(2)
    ]
    assert answers == [204, 204]
    assert on_hand(product.product_id) == 24
    assert Event.objects.filter(type="StockReceived").count() == 2  # the fixture's + one


def test_uuid_key_becomes_the_command_id_in_the_feed(clerk_client, product):
    key = uuid.uuid4()
    clerk_client.post(
        product_url(product.product_id, "stock/issue/"), {"quantity": 1}, format="json", HTTP_IDEMPOTENCY_KEY=str(key)
    )
    events = clerk_client.get("/api/events/").json()["results"]
    assert events[-1]["command_id"] == str(key)


def test_command_id_field_works_like_the_header(clerk_client, product):
    url = product_url(product.product_id, "stock/receive/")
    command_id = str(uuid.uuid4())
    for _ in range(3):
        assert clerk_client.post(url, {"quantity": 2, "command_id": command_id}, format="json").status_code == 204
    assert on_hand(product.product_id) == 22
    clash = clerk_client.post(
        url, {"quantity": 2, "command_id": command_id}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert clash.status_code == 400 and "command_id" in clash.json()["errors"]


@pytest.mark.parametrize("key", ["", " ", "x" * 201, "tab\there", "clé"])
def test_invalid_idempotency_keys_are_400(clerk_client, product, key):
    response = clerk_client.post(
        product_url(product.product_id, "stock/receive/"), {"quantity": 1}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert on_hand(product.product_id) == 20
