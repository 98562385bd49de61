"""API fixtures: clients logged in by token per role, and URL helpers."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from products.read import feed as event_feed


@pytest.fixture(autouse=True)
def quiet_database(monkeypatch):
    """No other session is writing, so the feed passes the gaps earlier tests' rollbacks left
    (read/test_feed.py covers waiting at a gap while someone writes)."""
    monkeypatch.setattr(event_feed, "_writers_in_flight", lambda: False)


def token_client(user) -> APIClient:
    """A client that sends `Authorization: Token <key>`, as a script would."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon_client(db) -> APIClient:
    return APIClient()


@pytest.fixture
def viewer_client(viewer) -> APIClient:
    return token_client(viewer)


@pytest.fixture
def clerk_client(clerk) -> APIClient:
    return token_client(clerk)


@pytest.fixture
def manager_client(manager) -> APIClient:
    return token_client(manager)


def product_url(product_id, suffix: str = "") -> str:
    return f"/api/products/{product_id}/{suffix}"
