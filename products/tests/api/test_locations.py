"""Location endpoints and stock per location over the API: shapes, refusals with field errors, no partial writes."""

from __future__ import annotations

import uuid

import pytest

from products.read.queries import GetStockByLocation
from products.write.commands import LOCATION_CODE_INVALID, QUANTITY_RANGE, SAME_LOCATION
from products.write.errors import LocationNotEmpty

from .conftest import product_url

pytestmark = pytest.mark.django_db


def where(product_id) -> dict[str, int]:
    return {level.location: level.on_hand for level in GetStockByLocation(product_id=product_id).execute()}


@pytest.fixture
def bins(manager_client):
    for code in ("A-01", "B-02"):
        response = manager_client.post(
            "/api/locations/", {"code": code, "name": f"Bin {code}", "parent": "MAIN"}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.headers["Location"] == f"http://testserver/api/locations/{code}/"
    return ["A-01", "B-02"]


def test_a_clerk_receives_transfers_and_counts_and_the_stock_shows_each_place(clerk_client, product, bins):
    pid = product.product_id
    assert (
        clerk_client.post(
            product_url(pid, "stock/receive/"), {"quantity": 10, "location": "a-01"}, format="json"
        ).status_code
        == 204
    )
    response = clerk_client.post(
        product_url(pid, "stock/transfer/"),
        {"quantity": 4, "from_location": "A-01", "to_location": "B-02", "note": "pick face"},
        format="json",
    )
    assert response.status_code == 204 and response.content == b""
    assert (
        clerk_client.post(
            product_url(pid, "stock/count/"), {"quantity": 3, "location": "B-02"}, format="json"
        ).status_code
        == 204
    )

    stock = clerk_client.get(product_url(pid, "stock/")).json()
    assert stock["on_hand"] == 20 + 10 - 1
    assert stock["locations"] == [
        {"location": "MAIN", "on_hand": 20},
        {"location": "A-01", "on_hand": 6},
        {"location": "B-02", "on_hand": 3},
    ]
    moves = clerk_client.get(product_url(pid, "movements/"), {"location": "b-02"}).json()["results"]
    assert [(m["kind"], m["location"], m["to_location"], m["moved"], m["quantity"]) for m in moves] == [
        ("counted", "B-02", "", 0, -1),
        ("transferred", "A-01", "B-02", 4, 0),
    ]
    events = clerk_client.get("/api/events/", {"product_id": str(pid)}).json()["results"]
    assert events[1]["type"] == "StockReceived" and events[1]["data"]["location"] == "MAIN"
    assert events[-2]["type"] == "StockTransferred"
    assert events[-2]["data"] == {"quantity": 4, "from_location": "A-01", "to_location": "B-02", "note": "pick face"}


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({"quantity": 1, "from_location": "MAIN", "to_location": "NOPE"}, 400, "to_location", "no location NOPE"),
        ({"quantity": 1, "from_location": "MAIN", "to_location": "main"}, 400, "to_location", SAME_LOCATION),
        ({"quantity": 0, "from_location": "MAIN", "to_location": "A-01"}, 400, "quantity", QUANTITY_RANGE),
        ({"quantity": -2, "from_location": "MAIN", "to_location": "A-01"}, 400, "quantity", QUANTITY_RANGE),
        ({"quantity": 21, "from_location": "MAIN", "to_location": "A-01"}, 409, "quantity", "only 20 there"),
        ({"quantity": 1, "from_location": "MA IN", "to_location": "A-01"}, 400, "from_location", LOCATION_CODE_INVALID),
        ({"quantity": 1, "from_location": "X" * 200, "to_location": "A-01"}, 400, "from_location", "at most 32"),
        ({"quantity": 1, "from_location": "MAIN"}, 400, "to_location", "required"),
    ],
)
def test_a_refused_transfer_names_the_field_and_writes_nothing(
    clerk_client, product, bins, snapshot, body, status, field, message
):
    before = snapshot()
    response = clerk_client.post(product_url(product.product_id, "stock/transfer/"), body, format="json")
    assert response.status_code == status, response.content
    assert message in " ".join(response.json()["errors"][field])
    assert snapshot() == before


def test_an_archived_location_is_refused_as_a_conflict(manager_client, clerk_client, product, bins):
    assert manager_client.patch("/api/locations/b-02/", {"archived": True}, format="json").status_code == 204
    response = clerk_client.post(
        product_url(product.product_id, "stock/receive/"), {"quantity": 1, "location": "B-02"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "archived_location"
    assert list(response.json()["errors"]) == ["location"]


def test_stock_commands_without_a_location_keep_working(clerk_client, product):
    assert (
        clerk_client.post(product_url(product.product_id, "stock/issue/"), {"quantity": 5}, format="json").status_code
        == 204
    )
    assert where(product.product_id) == {"MAIN": 15}


def test_locations_list_and_detail_show_stock_and_value(manager_client, clerk_client, product, bins):
    clerk_client.post(
        product_url(product.product_id, "stock/transfer/"),
        {"quantity": 8, "from_location": "MAIN", "to_location": "A-01"},
        format="json",
    )
    listed = {row["code"]: row for row in clerk_client.get("/api/locations/").json()}
    assert list(listed) == ["MAIN", "A-01", "B-02"]
    assert listed["A-01"] | {} == {
        "code": "A-01",
        "name": "Bin A-01",
        "parent": "MAIN",
        "path": "MAIN / A-01",
        "archived": False,
        "version": 1,
        "products": 1,
        "on_hand": 8,
        "stock_value": "20.00",
    }
    assert listed["MAIN"]["parent"] is None and listed["MAIN"]["on_hand"] == 12
    detail = clerk_client.get("/api/locations/a-01/").json()
    assert detail["on_hand"] == 8 and detail["code"] == "A-01"
    assert clerk_client.get("/api/locations/NOPE/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"code": "A 01", "name": "Spaced"}, "code", LOCATION_CODE_INVALID),
        ({"code": "C" * 200, "name": "Long"}, "code", "at most 32 characters"),
        ({"code": "C-01", "name": ""}, "name", "blank"),
        ({"code": "C-01", "name": "Deep", "parent": "A-01"}, "parent", "cannot hold locations"),
        ({"code": "C-01", "name": "Orphan", "parent": "NOPE"}, "parent", "no location NOPE"),
        ({"code": "a-01", "name": "Twin"}, "code", "already used"),
    ],
)
def test_a_bad_new_location_names_the_field(manager_client, bins, snapshot, body, field, message):
    before = snapshot()
    response = manager_client.post("/api/locations/", body, format="json")
    assert response.status_code in (400, 409), response.content
    assert message in " ".join(response.json()["errors"][field])
    assert snapshot() == before


def test_only_managers_manage_locations_and_clerks_transfer(clerk_client, viewer_client, product, bins):
    assert clerk_client.post("/api/locations/", {"code": "Z-9", "name": "Zed"}, format="json").status_code == 403
    assert clerk_client.patch("/api/locations/A-01/", {"name": "Mine"}, format="json").status_code == 403
    body = {"quantity": 1, "from_location": "MAIN", "to_location": "A-01"}
    assert viewer_client.post(product_url(product.product_id, "stock/transfer/"), body).status_code == 403
    assert viewer_client.get("/api/locations/").status_code == 200


def test_patch_renames_moves_and_archives(manager_client, clerk_client, product, bins):
    assert (
        manager_client.patch("/api/locations/A-01/", {"name": "Aisle A", "parent": None}, format="json").status_code
        == 204
    )
    detail = manager_client.get("/api/locations/A-01/").json()
    assert (detail["name"], detail["parent"], detail["path"]) == ("Aisle A", None, "A-01")

    clerk_client.post(
        product_url(product.product_id, "stock/receive/"), {"quantity": 2, "location": "A-01"}, format="json"
    )
    refused = manager_client.patch("/api/locations/A-01/", {"archived": True}, format="json")
    assert refused.status_code == 409
    assert refused.json()["errors"]["code"] == [LocationNotEmpty.MESSAGE.format(code="A-01", on_hand=2)]
    main = manager_client.patch("/api/locations/MAIN/", {"archived": True}, format="json")
    assert (main.status_code, main.json()["code"]) == (409, "main_location")

    assert manager_client.patch("/api/locations/B-02/", {"archived": True}, format="json").status_code == 204
    assert manager_client.get("/api/locations/B-02/").json()["archived"] is True
    again = manager_client.patch("/api/locations/B-02/", {"archived": False}, format="json")
    assert again.status_code == 400 and "archived" in again.json()["errors"]


def test_the_idempotency_key_applies_a_transfer_once(clerk_client, product, bins):
    key = str(uuid.uuid4())
    body = {"quantity": 3, "from_location": "MAIN", "to_location": "A-01"}
    url = product_url(product.product_id, "stock/transfer/")
    for _ in range(2):
        assert clerk_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 204
    assert where(product.product_id) == {"MAIN": 17, "A-01": 3}
    reused = clerk_client.post(url, body | {"quantity": 4}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert reused.status_code == 422


def test_the_idempotency_key_creates_a_location_once(manager_client):
    key = str(uuid.uuid4())
    for _ in range(2):
        response = manager_client.post(
            "/api/locations/", {"code": "R-1", "name": "Rack"}, format="json", HTTP_IDEMPOTENCY_KEY=key
        )
        assert response.status_code == 201


def test_the_schema_documents_the_location_endpoints(anon_client):
    schema = anon_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= paths["/api/locations/"].keys()
    assert {"get", "patch"} <= paths["/api/locations/{code}/"].keys()
    assert "post" in paths["/api/products/{product_id}/stock/transfer/"]
    stock = schema["components"]["schemas"]["StockLevel"]["properties"]
    assert "locations" in stock
    receive = next(body for name, body in schema["components"]["schemas"].items() if name.startswith("ReceiveStock"))
    assert "location" in receive["properties"]


def test_stock_as_of_a_moment_shows_where_it_was_then(clerk_client, product, bins):
    from django.utils import timezone

    url = product_url(product.product_id, "stock/transfer/")
    clerk_client.post(url, {"quantity": 6, "from_location": "MAIN", "to_location": "A-01"}, format="json")
    between = timezone.now()
    clerk_client.post(url, {"quantity": 2, "from_location": "A-01", "to_location": "B-02"}, format="json")
    then = clerk_client.get(product_url(product.product_id, "stock/"), {"as_of": between.isoformat()}).json()
    assert then["on_hand"] == 20
    assert then["locations"] == [{"location": "MAIN", "on_hand": 14}, {"location": "A-01", "on_hand": 6}]
