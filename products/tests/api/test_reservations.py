"""Reservations over the API: the issue's walk-through, the shapes, every bad input and the Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from products.read.verify import verify
from products.write.commands import MOMENT_PAST, QUANTITY_RANGE
from products.write.log import Event

from .conftest import product_url

pytestmark = pytest.mark.django_db


def reserve(client, product, body, **headers):
    return client.post(product_url(product.product_id, "reservations/"), body, format="json", **headers)


def path_of(response) -> str:
    location = response.headers["Location"]
    return location[location.index("/api/") :]


def test_reserve_fulfil_part_and_release_the_rest(clerk_client, product):
    """The issue's done-when over the API: reserve 3 for SO-1001, issue beyond free refused, fulfil 2, release 1."""
    created = reserve(clerk_client, product, {"quantity": 3, "reference": "SO-1001"})
    assert created.status_code == 201, created.content
    assert created.content == b""
    location = path_of(created)
    assert location.startswith("/api/reservations/")

    body = clerk_client.get(location).json()
    assert {
        key: body[key] for key in ("product_id", "sku", "quantity", "fulfilled", "reserved", "reference", "status")
    } == {
        "product_id": str(product.product_id),
        "sku": "ACC-001",
        "quantity": 3,
        "fulfilled": 0,
        "reserved": 3,
        "reference": "SO-1001",
        "status": "active",
    }
    assert body["reserved_by"] == "clerk" and body["expires_at"] is None
    assert location == f"/api/reservations/{body['id']}/"

    refused = clerk_client.post(product_url(product.product_id, "stock/issue/"), {"quantity": 18}, format="json")
    assert refused.status_code == 409
    error = refused.json()
    assert (error["code"], error["free"], error["on_hand"], error["reserved"]) == ("stock_promised", 17, 20, 3)
    assert "promised to SO-1001 (3)" in error["message"]

    assert clerk_client.post(f"{location}fulfil/", {"quantity": 2}, format="json").status_code == 204
    assert clerk_client.get(location).json()["fulfilled"] == 2
    assert clerk_client.post(f"{location}release/", {}, format="json").status_code == 204
    assert clerk_client.get(location).json()["status"] == "released"

    stock = clerk_client.get(product_url(product.product_id, "stock/")).json()
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (18, 0, 18)
    assert verify().total == 0


def test_a_reservation_beyond_free_is_409_with_the_free_quantity(clerk_client, product):
    assert reserve(clerk_client, product, {"quantity": 15, "reference": "SO-1"}).status_code == 201
    response = reserve(clerk_client, product, {"quantity": 6, "reference": "SO-2"})
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["free"], body["on_hand"], body["reserved"]) == ("insufficient_available", 5, 20, 15)
    assert body["errors"] == {"quantity": [body["message"]]}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"quantity": 0, "reference": "SO-1"}, "quantity", QUANTITY_RANGE),
        ({"quantity": -3, "reference": "SO-1"}, "quantity", QUANTITY_RANGE),
        ({"quantity": "many", "reference": "SO-1"}, "quantity", QUANTITY_RANGE),
        ({"quantity": 1}, "reference", "This field is required."),
        ({"quantity": 1, "reference": "   "}, "reference", "This field may not be blank."),
        ({"quantity": 1, "reference": "SO-1", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at", MOMENT_PAST),
        ({"quantity": 1, "reference": "SO-1", "expires_at": "soon"}, "expires_at", None),
    ],
)
def test_bad_reservations_are_400_with_the_field_and_write_nothing(clerk_client, product, body, field, message):
    before = Event.objects.count()
    response = reserve(clerk_client, product, body)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert Event.objects.count() == before


def test_fulfil_more_than_reserved_is_409_and_release_twice_is_409(clerk_client, product):
    location = path_of(reserve(clerk_client, product, {"quantity": 3, "reference": "SO-1"}))
    too_many = clerk_client.post(f"{location}fulfil/", {"quantity": 4}, format="json")
    assert too_many.status_code == 409
    assert (too_many.json()["code"], too_many.json()["reserved"]) == ("fulfil_beyond_reserved", 3)
    assert clerk_client.post(f"{location}fulfil/", {"quantity": 0}, format="json").status_code == 400

    assert clerk_client.post(f"{location}release/", {}, format="json").status_code == 204
    twice = clerk_client.post(f"{location}release/", {}, format="json")
    assert twice.status_code == 409
    assert twice.json()["code"] == "reservation_closed"
    assert clerk_client.post(f"{location}fulfil/", {}, format="json").status_code == 409


def test_unknown_or_malformed_reservations_are_404(clerk_client):
    for path in (f"/api/reservations/{uuid.uuid4()}/", "/api/reservations/not-a-uuid/"):
        assert clerk_client.get(path).status_code == 404
        assert clerk_client.post(f"{path}release/", {}, format="json").status_code == 404


def test_the_idempotency_key_makes_every_reservation_call_safe_to_retry(clerk_client, product):
    first = reserve(clerk_client, product, {"quantity": 3, "reference": "SO-1"}, HTTP_IDEMPOTENCY_KEY="res-1")
    again = reserve(clerk_client, product, {"quantity": 3, "reference": "SO-1"}, HTTP_IDEMPOTENCY_KEY="res-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.headers["Location"] == again.headers["Location"]
    location = path_of(first)

    for _ in range(2):
        answer = clerk_client.post(f"{location}fulfil/", {"quantity": 1}, format="json", HTTP_IDEMPOTENCY_KEY="ful-1")
        assert answer.status_code == 204
    for _ in range(2):
        answer = clerk_client.post(f"{location}release/", {}, format="json", HTTP_IDEMPOTENCY_KEY="rel-1")
        assert answer.status_code == 204
    body = clerk_client.get(location).json()
    assert (body["fulfilled"], body["status"]) == (1, "released")
    assert Event.objects.filter(type__in=["StockReserved", "ReservationFulfilled", "ReservationReleased"]).count() == 3

    reused = reserve(clerk_client, product, {"quantity": 4, "reference": "SO-1"}, HTTP_IDEMPOTENCY_KEY="res-1")
    assert reused.status_code == 422


def test_the_list_shows_open_ones_oldest_first_and_filters_by_reference(clerk_client, product, make_product):
    other = make_product(sku="OTHER-1", on_hand=5)
    for reference, target in (("SO-1001", product), ("web #7", other), ("SO-1002", product)):
        assert reserve(clerk_client, target, {"quantity": 1, "reference": reference}).status_code == 201
    closed = path_of(reserve(clerk_client, product, {"quantity": 1, "reference": "SO-1003"}))
    clerk_client.post(f"{closed}release/", {}, format="json")

    listed = clerk_client.get("/api/reservations/").json()
    assert [row["reference"] for row in listed["results"]] == ["SO-1001", "web #7", "SO-1002"]
    assert listed["next"] is None
    by_reference = clerk_client.get("/api/reservations/?reference=so-").json()["results"]
    assert [row["reference"] for row in by_reference] == ["SO-1001", "SO-1002"]
    everything = clerk_client.get("/api/reservations/?status=all").json()["results"]
    assert [row["status"] for row in everything] == ["active", "active", "active", "released"]
    paged = clerk_client.get("/api/reservations/?page_size=2").json()
    assert len(paged["results"]) == 2
    rest = clerk_client.get(paged["next"][paged["next"].index("/api/") :]).json()["results"]
    assert [row["reference"] for row in rest] == ["SO-1002"]
    assert clerk_client.get("/api/reservations/?status=lost").status_code == 400
    assert clerk_client.get("/api/reservations/?after=garbage").status_code == 400


def test_expires_at_is_kept_and_shown(clerk_client, product):
    moment = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    location = path_of(
        reserve(clerk_client, product, {"quantity": 1, "reference": "SO-1", "expires_at": moment.isoformat()})
    )
    shown = clerk_client.get(location).json()["expires_at"]
    assert shown.replace("Z", "+00:00") == moment.isoformat()


def test_viewers_may_look_but_not_reserve(viewer_client, clerk_client, product):
    assert reserve(viewer_client, product, {"quantity": 1, "reference": "SO-1"}).status_code == 403
    location = path_of(reserve(clerk_client, product, {"quantity": 1, "reference": "SO-1"}))
    assert viewer_client.get(location).status_code == 200
    assert viewer_client.post(f"{location}release/", {}, format="json").status_code == 403
    assert viewer_client.post(f"{location}fulfil/", {}, format="json").status_code == 403
