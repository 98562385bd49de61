"""Shared fixtures: staff per role, a product maker, a snapshot to prove nothing was written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from products.read.queries import GetProduct
from products.read.tables import (
    InventoryStats,
    LocationSummary,
    ProductSummary,
    ReservationEntry,
    StockByLocation,
    StockMovementEntry,
)
from products.write import bus, roles
from products.write.aggregates import Location, LocationStock, Product, Reservation
from products.write.commands import CreateLocation, ReceiveStock
from products.write.log import Event

from .factories import CreateProductFactory, UserFactory
from .run_order import slow_first


def pytest_collection_modifyitems(config, items):
    """Slow tests first (run_order.py); skip `pg_only` tests with a clear reason when the suite runs on SQLite."""
    slow_first(items)
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason=f"needs PostgreSQL (this pass runs on {connection.vendor}): `make test` runs it on PG_URL "
        "(default postgres://postgres@127.0.0.1:5432/cqrs_demo) when PostgreSQL answers there, "
        "or set DATABASE_URL=postgres://..."
    )
    for item in items:
        if "pg_only" in item.keywords:
            item.add_marker(skip)


def ensure_roles() -> None:
    """The staff groups as migration 0003 makes them (a flush between transactional tests drops them)."""
    from django.contrib.auth.models import Group, Permission

    extra = {roles.INVENTORY_MANAGER: ["rebuild_read_models"]}  # migration 0005 grants it to managers
    for role, codenames in roles.ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [*codenames, *extra.get(role, [])]
        group.permissions.set(Permission.objects.filter(content_type__app_label="products", codename__in=codenames))


@pytest.fixture(autouse=True)
def staff_roles_after_flush(request) -> None:
    """Transactional tests: the roles exist whatever flushed the database before.

    Not serialized_rollback: after a plain transactional test, post_migrate has made the content
    types again under new ids, and reloading the serialized ones then collides with them.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        ensure_roles()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash test passwords with MD5: the real hasher costs seconds per user on a busy CI box."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anonymous():
    """A visitor who is not logged in."""
    return AnonymousUser()


@pytest.fixture
def viewer(db):
    """A user in the Viewer group: may look, may not change anything."""
    return UserFactory(username="viewer", role=roles.VIEWER)


@pytest.fixture
def clerk(db):
    """A user in the Stock clerk group: receives, issues and counts stock."""
    return UserFactory(username="clerk", role=roles.STOCK_CLERK)


@pytest.fixture
def manager(db):
    """A user in the Inventory manager group: may run every command."""
    return UserFactory(username="manager", role=roles.INVENTORY_MANAGER)


@pytest.fixture
def superuser(db):
    """A superuser in no group: Django grants every permission."""
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def make_product(db) -> Callable[..., ProductSummary]:
    """Create a product through the bus (plus `on_hand` received) and return its summary row."""

    def make(*, on_hand: int = 0, actor=None, **fields) -> ProductSummary:
        command = CreateProductFactory(**fields)
        bus.dispatch(command, actor=actor)
        if on_hand:
            bus.dispatch(ReceiveStock(product_id=command.product_id, quantity=on_hand), actor=actor)
        return GetProduct(product_id=command.product_id).execute()

    return make


@pytest.fixture
def make_location(db) -> Callable[..., str]:
    """Create a location through the bus (as the system) and return its code."""

    def make(code: str, *, name: str | None = None, parent: str | None = None) -> str:
        bus.dispatch(CreateLocation(code=code, name=name or f"Bin {code}", parent=parent))
        return code

    return make


@pytest.fixture
def product(make_product) -> ProductSummary:
    """One active product, SKU ACC-001, price 2.50, reorder level 5, 20 on hand."""
    return make_product(sku="ACC-001", name="Blue widget", price="2.50", reorder_level=5, on_hand=20)


def _rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


@pytest.fixture
def snapshot(db) -> Callable[[], dict]:
    """Call it before and after a refused command: equal results prove nothing was written."""

    def take() -> dict:
        return {
            "events": _rows(Event),
            "products": _rows(Product),
            "summaries": _rows(ProductSummary),
            "movements": _rows(StockMovementEntry),
            "stats": _rows(InventoryStats),
            "locations": _rows(Location),
            "location_stock": _rows(LocationStock),
            "levels": _rows(StockByLocation),
            "location_summaries": _rows(LocationSummary),
            "reservations": _rows(Reservation),
            "reservation_rows": _rows(ReservationEntry),
        }

    return take


class Clock:
    """The bus's clock, set by the test: `at` is now for the next command; `tick` moves it on."""

    def __init__(self, start):
        self.at = start

    def now(self):
        return self.at

    def tick(self, **delta):
        from datetime import timedelta

        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Commands happen at the clock's time (starting ten days ago), so tests can ask about past moments."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    made = Clock(timezone.now().replace(microsecond=0) - timedelta(days=10))
    monkeypatch.setattr(bus, "timezone", SimpleNamespace(now=made.now))
    return made
