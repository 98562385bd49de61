"""Fixtures for the staff UI view tests: logged-in clients per role."""

from __future__ import annotations

import pytest
from django.test import Client


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
