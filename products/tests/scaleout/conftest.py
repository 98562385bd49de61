"""A `replica` alias that mirrors the test database, as Django's docs suggest for primary/replica tests.

The alias exists for the whole session but nothing routes to it unless a test turns the
ReplicaRouter on (the `replica_routing` fixture), so other tests are unaffected.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client

from cqrs_demo.db_router import REPLICA

if REPLICA not in connections.settings:
    default = connections.settings[DEFAULT_DB_ALIAS]
    connections.settings[REPLICA] = {**default, "TEST": {**default.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}}

REPLICA_DB = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests run with DEBUG off but without collectstatic: skip the manifest lookup."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def replica_routing(settings):
    """Turn the router on for one test (settings changes reset django.db.router)."""
    settings.DATABASE_ROUTERS = ["cqrs_demo.db_router.ReplicaRouter"]
    settings.REPLICA_PIN_SECONDS = 5


def stock_form(quantity) -> dict:
    """What the product page's stock form posts (a fresh command_id each time)."""
    return {"command_id": str(uuid.uuid4()), "quantity": str(quantity), "note": ""}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
