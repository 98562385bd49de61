"""Query endpoints: what a caller reads, and how bad parameters are refused."""

from __future__ import annotations

import uuid

import pytest

from products.write import bus
from products.write.commands import IssueStock, ReceiveStock, ReserveStock

from .conftest import product_url

pytestmark = pytest.mark.django_db


def test_root_lists_every_endpoint_as_absolute_urls(anon_client):
    response = anon_client.get("/api/")
    assert response.status_code == 200
    body = response.json()
    assert body["products"] == "http://testserver/api/products/"
    assert body["availability"] == "http://testserver/api/products/{id}/availability/"
    assert body["events"] == "http://testserver/api/events/"
    assert {"schema", "docs", "token", "movements", "receive", "issue", "count"} <= body.keys()


def test_product_list_shows_form_field_names(viewer_client, product):
    response = viewer_client.get("/api/products/")
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None and body["previous"] is None
    [row] = body["results"]
    assert row["id"] == str(product.product_id)
    assert row["sku"] == "ACC-001"
    assert row["price"] == "2.50"
    assert row["reorder_level"] == 5
    assert row["on_hand"] == 20
    assert row["status"] == "in_stock"
    assert row["version"] == 2


def test_product_list_filters_by_status_and_search(viewer_client, make_product):
    make_product(sku="LOW-1", name="Red bolt", reorder_level=5, on_hand=3)
    make_product(sku="OUT-1", name="Red nut", reorder_level=5)
    make_product(sku="OK-1", name="Green bolt", reorder_level=5, on_hand=50)

    def skus(query):
        return [row["sku"] for row in viewer_client.get(f"/api/products/?{query}").json()["results"]]

    assert skus("status=low") == ["LOW-1"]
    assert skus("status=out") == ["OUT-1"]
    assert skus("search=bolt") == ["OK-1", "LOW-1"]
    assert skus("search=red bolt") == ["LOW-1"]
    assert skus("ordering=-on_hand") == ["OK-1", "LOW-1", "OUT-1"]


def test_archived_products_appear_only_under_status_archived(viewer_client, manager_client, product):
    assert manager_client.delete(product_url(product.product_id)).status_code == 204
    assert viewer_client.get("/api/products/").json()["results"] == []
    [row] = viewer_client.get("/api/products/?status=archived").json()["results"]
    assert row["archived"] is True


@pytest.mark.parametrize("ordering", ["name", "-name", "sku", "on_hand", "-on_hand", "price", "-updated"])
def test_cursor_pages_walk_forward_and_back_without_gaps_or_duplicates(viewer_client, make_product, ordering):
    for n in range(7):
        make_product(sku=f"P-{n}", name=f"Item {n % 3}", price=f"{n % 2}.00", on_hand=n % 4)
    url = f"/api/products/?page_size=3&ordering={ordering}"
    seen, pages = [], []
    while url:
        body = viewer_client.get(url).json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 7
    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    assert pages[0]["previous"] is None
    back = viewer_client.get(pages[2]["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in pages[1]["results"]]
    first = viewer_client.get(back["previous"]).json()
    assert [row["id"] for row in first["results"]] == [row["id"] for row in pages[0]["results"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("ordering=colour", "ordering"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=ten", "page_size"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WyJuZXh0IiwgMV0", "cursor"),
    ],
)
def test_bad_list_parameters_are_400_with_the_field(viewer_client, product, query, field):
    response = viewer_client.get(f"/api/products/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


def test_product_detail_carries_version_as_etag(viewer_client, product):
    response = viewer_client.get(product_url(product.product_id))
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert response.json()["name"] == "Blue widget"


@pytest.mark.parametrize("product_id", [uuid.uuid4(), "not-a-uuid", "1" * 300])
@pytest.mark.parametrize("suffix", ["", "stock/", "availability/?quantity=1", "movements/"])
def test_unknown_or_malformed_product_ids_are_json_404(viewer_client, product_id, suffix):
    response = viewer_client.get(product_url(product_id, suffix))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_stock_level(viewer_client, product):
    response = viewer_client.get(product_url(product.product_id, "stock/"))
    assert response.status_code == 200
    assert response.json() == {
        "on_hand": 20,
        "reserved": 0,
        "available": 20,
        "status": "in_stock",
        "reorder_level": 5,
        "archived": False,
        "version": 2,
        "sku": "ACC-001",
        "locations": [{"location": "MAIN", "on_hand": 20}],
    }


@pytest.mark.parametrize(
    ("quantity", "available", "shortfall"),
    [(0, True, 0), (20, True, 0), (21, False, 1), (1000, False, 980)],
)
def test_availability(viewer_client, product, quantity, available, shortfall):
    response = viewer_client.get(product_url(product.product_id, f"availability/?quantity={quantity}"))
    assert response.status_code == 200
    assert response.json() == {
        "available": available,
        "on_hand": 20,
        "reserved": 0,
        "free": 20,
        "requested": quantity,
        "shortfall": shortfall,
        "sku": "ACC-001",
    }


def test_availability_counts_only_what_is_not_promised(viewer_client, product):
    bus.dispatch(ReserveStock(product_id=product.product_id, quantity=18, reference="SO-1001"))
    body = viewer_client.get(product_url(product.product_id, "availability/?quantity=3")).json()
    assert {key: body[key] for key in ("available", "on_hand", "reserved", "free", "shortfall")} == {
        "available": False,
        "on_hand": 20,
        "reserved": 18,
        "free": 2,
        "shortfall": 1,
    }
    stock = viewer_client.get(product_url(product.product_id, "stock/")).json()
    assert (stock["on_hand"], stock["reserved"], stock["available"], stock["status"]) == (20, 18, 2, "low")


@pytest.mark.parametrize("quantity", [None, "", "-1", "1.5", "ten", "1e3", str(10**30), "9" * 2000])
def test_availability_needs_a_whole_quantity(viewer_client, product, quantity):
    query = "" if quantity is None else f"?quantity={quantity}"
    response = viewer_client.get(product_url(product.product_id, f"availability/{query}"))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["quantity"]


def test_movements_newest_first_with_filters_and_paging(viewer_client, product, make_product):
    other = make_product(sku="OTHER", on_hand=4)
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=3, note="order 7"))
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    body = viewer_client.get(product_url(product.product_id, "movements/")).json()
    assert [(row["kind"], row["quantity"], row["on_hand_after"]) for row in body["results"]] == [
        ("received", 5, 22),
        ("issued", -3, 17),
        ("received", 20, 20),
    ]
    assert body["results"][1]["note"] == "order 7"
    issued = viewer_client.get("/api/movements/?kind=issued").json()["results"]
    assert [row["sku"] for row in issued] == ["ACC-001"]
    everything = viewer_client.get("/api/movements/").json()["results"]
    assert {row["product_id"] for row in everything} == {str(product.product_id), str(other.product_id)}

    positions, url = [], "/api/movements/?page_size=2"
    while url:
        page = viewer_client.get(url).json()
        positions += [row["position"] for row in page["results"]]
        url = page["next"]
    assert positions == sorted({row["position"] for row in everything}, reverse=True)


def test_movements_time_window(viewer_client, product):
    future = viewer_client.get("/api/movements/?since=2999-01-01T00:00:00Z").json()["results"]
    past = viewer_client.get("/api/movements/?until=2000-01-01T00:00:00Z").json()["results"]
    window = viewer_client.get("/api/movements/?since=2000-01-01T00:00:00Z&until=2999-01-01").json()["results"]
    assert future == [] and past == [] and len(window) == 1


@pytest.mark.parametrize("query", ["kind=stolen", "since=yesterday", "until=2024-13-01", "before=0", "before=x"])
def test_bad_movement_filters_are_400(viewer_client, query):
    response = viewer_client.get(f"/api/movements/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_event_feed_follows_changes_in_order(viewer_client, product):
    body = viewer_client.get("/api/events/?after=0").json()
    assert [event["type"] for event in body["results"]] == ["ProductCreated", "StockReceived"]
    created, received = body["results"]
    assert created["product_id"] == str(product.product_id)
    assert created["stream_version"] == 1
    assert created["data"]["sku"] == "ACC-001"
    assert received["data"] == {"quantity": 20, "note": "", "location": "MAIN"}
    assert body["has_more"] is False
    assert body["last_position"] == received["position"]

    bus.dispatch(IssueStock(product_id=product.product_id, quantity=2))
    later = viewer_client.get(body["next"]).json()
    assert [event["type"] for event in later["results"]] == ["StockIssued"]
    assert later["results"][0]["position"] > received["position"]


def test_event_feed_limit_and_has_more(viewer_client, product):
    first = viewer_client.get("/api/events/?limit=1").json()
    assert len(first["results"]) == 1 and first["has_more"] is True
    second = viewer_client.get(first["next"]).json()
    assert second["results"][0]["type"] == "StockReceived" and second["has_more"] is False
    empty = viewer_client.get(second["next"]).json()
    assert empty["results"] == [] and empty["last_position"] == second["last_position"]


def test_event_feed_per_product(viewer_client, product, make_product):
    other = make_product(sku="OTHER")
    results = viewer_client.get(f"/api/events/?product_id={other.product_id}").json()["results"]
    assert [event["type"] for event in results] == ["ProductCreated"]


@pytest.mark.parametrize(
    "query", ["after=-1", "after=abc", "limit=0", "limit=1001", "product_id=nope", f"after={2**70}"]
)
def test_bad_event_feed_parameters_are_400(viewer_client, query):
    response = viewer_client.get(f"/api/events/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
