"""A command that dies half-way (write model changed, event appended, projection not done) leaves no trace."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from products.read.queries import GetProductStock
from products.read.verify import verify
from products.write import bus
from products.write.commands import ReceiveStock, UpdateProductDetails

pytestmark = pytest.mark.django_db


class Crash(RuntimeError):
    """Stands for anything: a bug, a killed worker, a lost connection."""


@pytest.fixture
def projection_crashes(monkeypatch):
    """Fail right after the write model is saved and the event row is inserted, before the read model moves."""

    def crash(recorded, before):
        raise Crash(f"projection of {recorded[0].event} failed")

    monkeypatch.setattr(bus, "PROJECTORS", [crash])


def test_the_bus_rolls_the_whole_command_back(product, snapshot, projection_crashes, monkeypatch):
    before = snapshot()
    command = ReceiveStock(product_id=product.product_id, quantity=7)
    with pytest.raises(Crash):
        bus.dispatch(command)
    assert snapshot() == before
    assert list(verify()) == []

    monkeypatch.undo()  # the fault is gone: the same command (same id) now applies, once
    bus.dispatch(command)
    bus.dispatch(command)
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 27
    assert list(verify()) == []


def test_a_details_edit_rolls_back_too(product, snapshot, projection_crashes):
    before = snapshot()
    command = UpdateProductDetails(
        product_id=product.product_id,
        expected_version=product.version,
        sku="ACC-001-B",
        name="Renamed",
        description="",
        price="9.99",
        reorder_level=1,
    )
    with pytest.raises(Crash):
        bus.dispatch(command)
    assert snapshot() == before
    assert list(verify()) == []


def test_through_a_page_and_the_api_the_caller_gets_an_error_and_nothing_changes(
    manager, product, snapshot, projection_crashes
):
    before = snapshot()
    page = Client(raise_request_exception=False)
    page.force_login(manager)
    url = f"/products/{product.product_id}/stock/receive/"
    response = page.post(url, {"quantity": 3, "command_id": uuid.uuid4()})
    assert response.status_code == 500
    assert "Your last action may not have been saved" in response.text

    api = Client(
        raise_request_exception=False, headers={"Authorization": f"Token {Token.objects.create(user=manager)}"}
    )
    response = api.post(
        f"/api/products/{product.product_id}/stock/receive/", {"quantity": 3}, content_type="application/json"
    )
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert snapshot() == before
    assert list(verify()) == []
