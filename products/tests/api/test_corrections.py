"""The reversal endpoint: 201 + Location of the new movement, 409 the second time, Idempotency-Key honoured."""

from __future__ import annotations

import pytest

from products.write import bus, errors
from products.write.commands import IssueStock, ReceiveStock, TransferStock

from .conftest import product_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrong_receipt(product):
    return bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=12, note="PO-9")).position


def reverse_url(position) -> str:
    return f"/api/movements/{position}/reverse/"


def test_reversing_answers_201_with_the_new_movement_linked_to_the_original(manager_client, product, wrong_receipt):
    response = manager_client.post(reverse_url(wrong_receipt), {"reason": "Wrong product"}, format="json")
    assert response.status_code == 201
    movement = manager_client.get(response["Location"]).json()
    assert (movement["kind"], movement["quantity"], movement["on_hand_after"], movement["reverses"]) == (
        "reversal",
        -12,
        20,
        wrong_receipt,
    )
    assert movement["note"] == "Wrong product"
    original = manager_client.get(f"/api/movements/{wrong_receipt}/").json()
    assert original["reversed_by"] == movement["position"]
    assert manager_client.get(product_url(product.product_id, "stock/")).json()["on_hand"] == 20


def test_reversing_twice_is_a_409(manager_client, wrong_receipt):
    manager_client.post(reverse_url(wrong_receipt), {"reason": "Wrong product"}, format="json")
    again = manager_client.post(reverse_url(wrong_receipt), {"reason": "Again"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == errors.AlreadyReversed.code


def test_the_same_idempotency_key_answers_the_same_location_once(manager_client, product, wrong_receipt):
    headers = {"Idempotency-Key": "reverse-po-9"}
    first = manager_client.post(reverse_url(wrong_receipt), {"reason": "Wrong"}, format="json", headers=headers)
    again = manager_client.post(reverse_url(wrong_receipt), {"reason": "Wrong"}, format="json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first["Location"] == again["Location"]
    assert manager_client.get(product_url(product.product_id, "stock/")).json()["on_hand"] == 20


def test_a_reason_is_required_and_clerks_may_not_reverse(manager_client, clerk_client, wrong_receipt):
    blank = manager_client.post(reverse_url(wrong_receipt), {"reason": ""}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    assert clerk_client.post(reverse_url(wrong_receipt), {"reason": "x"}, format="json").status_code == 403


def test_an_unknown_or_malformed_position_is_a_404(manager_client, db):
    assert manager_client.post(reverse_url(999999), {"reason": "x"}, format="json").status_code == 404
    assert manager_client.post(reverse_url("abc"), {"reason": "x"}, format="json").status_code == 404
    assert manager_client.get("/api/movements/999999/").status_code == 404


def test_a_count_with_counted_at_keeps_the_moves_recorded_after_it(clock, manager_client, make_product):
    product = make_product(sku="CNT-API", on_hand=20)
    taken = clock.tick(minutes=1)
    clock.tick(minutes=1)
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    response = manager_client.post(
        product_url(product.product_id, "stock/count/"),
        {"quantity": 40, "counted_at": taken.isoformat()},
        format="json",
    )
    assert response.status_code == 204
    assert manager_client.get(product_url(product.product_id, "stock/")).json()["on_hand"] == 45
    bad = manager_client.post(
        product_url(product.product_id, "stock/count/"), {"quantity": 1, "counted_at": "noon"}, format="json"
    )
    assert bad.status_code == 400 and "counted_at" in bad.json()["errors"]


def test_a_transfer_reverses_once_and_a_short_destination_is_a_409(manager_client, product, make_location):
    make_location("A-01")
    moved = TransferStock(product_id=product.product_id, quantity=8, from_location="MAIN", to_location="A-01")
    transfer = bus.dispatch(moved).position
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=5, location="A-01"))
    short = manager_client.post(reverse_url(transfer), {"reason": "Wrong bin"}, format="json")
    assert short.status_code == 409 and short.json()["code"] == errors.ReversalRefused.code
    assert "only 3 are at A-01" in short.json()["errors"]["position"][0]

    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5, location="A-01"))
    response = manager_client.post(reverse_url(transfer), {"reason": "Wrong bin"}, format="json")
    assert response.status_code == 201
    movement = manager_client.get(response["Location"]).json()
    assert (movement["kind"], movement["quantity"], movement["reverses"]) == ("reversal", 0, transfer)
    assert (movement["location"], movement["to_location"], movement["moved"]) == ("A-01", "MAIN", 8)
    stock = manager_client.get(product_url(product.product_id, "stock/")).json()
    assert stock["locations"] == [{"location": "MAIN", "on_hand": 20}]
    again = manager_client.post(reverse_url(transfer), {"reason": "Again"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == errors.AlreadyReversed.code
