"""Fixtures for the staff UI view tests: logged-in clients per role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from products.read.queries import GetProductStock


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


@pytest.fixture
def clerk_client(clerk):
    return _client_for(clerk)


@pytest.fixture
def manager_client(manager):
    return _client_for(manager)


HTMX = {"HX-Request": "true"}


def stock_url(product, kind: str) -> str:
    return reverse("product_stock", args=[product.product_id, kind])


def on_hand(product) -> int:
    return GetProductStock(product_id=product.product_id).execute().on_hand


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
