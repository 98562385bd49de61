"""History endpoints: stock as of a moment, the inventory as of one, and how bad moments are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from products.api.views.history import AS_OF_INVALID
from products.read.queries import FUTURE_MOMENT
from products.write import bus
from products.write.commands import IssueStock, ReceiveStock, TransferStock

from .conftest import product_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(clock, make_product):
    """ACC-001 made ten days ago with 20; 15 issued a day later: (product, a moment between)."""
    product = make_product(sku="ACC-001", price="2.50", reorder_level=5, on_hand=20)
    between = clock.tick(hours=12)
    clock.tick(hours=12)
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=15))
    return product, between


def test_stock_as_of_answers_the_stock_fields_for_that_moment(viewer_client, moved):
    product, between = moved
    now = viewer_client.get(product_url(product.product_id, "stock/")).json()
    then = viewer_client.get(product_url(product.product_id, "stock/"), {"as_of": between.isoformat()})
    assert then.status_code == 200
    body = then.json()
    assert now["on_hand"] == 5 and body["on_hand"] == 20
    assert set(now) <= set(body)
    assert (body["status"], body["reorder_level"], body["value"], body["version"]) == ("in_stock", 5, "50.00", None)


def test_stock_as_of_lists_locations_as_the_present_answer_does(viewer_client, moved, make_location, clock):
    product, between = moved
    make_location("A-01")
    clock.tick(minutes=1)
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=2, from_location="MAIN", to_location="A-01"))
    url = product_url(product.product_id, "stock/")
    now = viewer_client.get(url).json()
    as_of_now = viewer_client.get(url, {"as_of": clock.at.isoformat()}).json()
    assert (
        now["locations"]
        == as_of_now["locations"]
        == [
            {"location": "MAIN", "on_hand": 3},
            {"location": "A-01", "on_hand": 2},
        ]
    )
    then = viewer_client.get(url, {"as_of": between.isoformat()}).json()
    assert then["locations"] == [{"location": "MAIN", "on_hand": 20}]


def test_stock_as_of_before_the_product_existed_is_a_404_that_says_so(viewer_client, moved):
    product, between = moved
    response = viewer_client.get(
        product_url(product.product_id, "stock/"), {"as_of": (between - timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 404
    assert "ACC-001 did not exist yet" in response.json()["message"]


def test_stock_as_of_a_future_moment_is_a_400_on_as_of(viewer_client, moved):
    product, _ = moved
    later = timezone.now() + timedelta(hours=1)
    response = viewer_client.get(product_url(product.product_id, "stock/"), {"as_of": later.isoformat()})
    assert response.status_code == 400
    [message] = response.json()["errors"]["as_of"]
    assert message == FUTURE_MOMENT.format(at=later.isoformat())


def test_a_malformed_moment_is_a_400_that_names_the_field(viewer_client, moved):
    product, _ = moved
    response = viewer_client.get(product_url(product.product_id, "stock/"), {"as_of": "yesterday noon"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"as_of": [AS_OF_INVALID]}


def test_inventory_as_of_pages_products_with_their_value_then(viewer_client, moved, make_product, clock):
    product, between = moved
    other = make_product(sku="ACC-000", price="1.00")
    bus.dispatch(ReceiveStock(product_id=other.product_id, quantity=4))

    then = viewer_client.get("/api/inventory/", {"as_of": between.isoformat()}).json()
    assert [(r["sku"], r["on_hand"], r["value"]) for r in then["results"]] == [("ACC-001", 20, "50.00")]
    first = viewer_client.get("/api/inventory/", {"page_size": 1}).json()
    assert [r["sku"] for r in first["results"]] == ["ACC-000"]
    second = viewer_client.get(first["next"]).json()
    assert [(r["sku"], r["on_hand"]) for r in second["results"]] == [("ACC-001", 5)] and second["next"] is None


def test_inventory_as_of_a_future_moment_is_a_400(viewer_client, db):
    response = viewer_client.get("/api/inventory/", {"as_of": (timezone.now() + timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "as_of" in response.json()["errors"]


def test_inventory_needs_a_login(anon_client):
    assert anon_client.get("/api/inventory/").status_code == 401


def test_inventory_by_location_answers_a_row_per_product_and_location_then(viewer_client, moved, make_location, clock):
    product, between = moved
    make_location("A-01")
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=2, from_location="MAIN", to_location="A-01"))
    now = viewer_client.get("/api/inventory/", {"by": "location"}).json()
    assert [(r["sku"], r["location"], r["on_hand"], r["value"]) for r in now["results"]] == [
        ("ACC-001", "MAIN", 3, "7.50"),
        ("ACC-001", "A-01", 2, "5.00"),
    ]
    then = viewer_client.get("/api/inventory/", {"by": "location", "as_of": between.isoformat()}).json()
    assert [(r["location"], r["on_hand"]) for r in then["results"]] == [("MAIN", 20)]
    at_bin = viewer_client.get("/api/inventory/", {"location": "a-01"}).json()
    assert [(r["sku"], r["location"], r["on_hand"]) for r in at_bin["results"]] == [("ACC-001", "A-01", 2)]
    assert (
        viewer_client.get("/api/inventory/", {"location": "A-01", "as_of": between.isoformat()}).json()["results"] == []
    )
    plain = viewer_client.get("/api/inventory/").json()
    assert "location" not in plain["results"][0]


def test_inventory_by_location_pages_keep_the_filters(viewer_client, moved, make_product, make_location):
    make_location("A-01")
    for sku in ("ACC-002", "ACC-003"):
        other = make_product(sku=sku)
        bus.dispatch(ReceiveStock(product_id=other.product_id, quantity=1, location="A-01"))
    first = viewer_client.get("/api/inventory/", {"location": "A-01", "page_size": 1}).json()
    assert [r["sku"] for r in first["results"]] == ["ACC-002"] and "location=A-01" in first["next"]
    second = viewer_client.get(first["next"]).json()
    assert [r["sku"] for r in second["results"]] == ["ACC-003"] and second["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"location": "Z-99"}, "location"),
        ({"location": "x" * 33}, "location"),
        ({"by": "bin"}, "by"),
        ({"by": "location", "as_of": "soon"}, "as_of"),
        ({"location": "MAIN", "as_of": "2999-01-01T00:00:00Z"}, "as_of"),
    ],
)
def test_inventory_bad_input_is_a_400_naming_the_field(viewer_client, db, params, field):
    response = viewer_client.get("/api/inventory/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
