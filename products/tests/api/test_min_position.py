"""The API's read-your-writes: a command answers its event's position; reads take ?min_position= and wait for it."""

from __future__ import annotations

import pytest

from cqrs_demo import freshness
from products.read.projectors import catch_up_all, waiting

pytestmark = pytest.mark.django_db


@pytest.fixture
def slow_projectors(settings):
    settings.PROJECTORS_IN_PROCESS = False
    settings.READ_YOUR_WRITES_WAIT = 0.2


def _receive(client, product, quantity=3) -> int:
    response = client.post(f"/api/products/{product.product_id}/stock/receive/", {"quantity": quantity}, format="json")
    assert response.status_code == 204, response.content
    return int(response[freshness.POSITION_HEADER])


def test_a_read_with_min_position_waits_for_the_projectors(clerk_client, product, slow_projectors, monkeypatch):
    position = _receive(clerk_client, product)
    monkeypatch.setattr(waiting.time, "sleep", lambda seconds: catch_up_all())  # the worker gets there meanwhile
    response = clerk_client.get(f"/api/products/{product.product_id}/movements/", {"min_position": position})
    assert response.status_code == 200 and response[freshness.PROJECTED_HEADER] == "reached"
    assert response.json()["results"][0]["quantity"] == 3


def test_a_read_whose_position_is_not_reached_in_time_says_so(clerk_client, product, slow_projectors):
    position = _receive(clerk_client, product, quantity=5)
    response = clerk_client.get(f"/api/products/{product.product_id}/movements/", {"min_position": position})
    assert response.status_code == 200 and response[freshness.PROJECTED_HEADER] == "pending"
    assert all(row["quantity"] != 5 for row in response.json()["results"])


def test_a_read_without_min_position_does_not_wait(clerk_client, product, slow_projectors):
    _receive(clerk_client, product)
    response = clerk_client.get(f"/api/products/{product.product_id}/movements/")
    assert response.status_code == 200 and freshness.PROJECTED_HEADER not in response
