"""Tripwire for products/db: the Django internals it leans on still behave as it assumes.

When Django is upgraded, this file fails first (VERIFIED_WITH) and names what to re-check; each
other test pins one assumption by comparing the shortcut with what Django itself does.
"""

from __future__ import annotations

import inspect
import uuid
from decimal import Decimal

import django
import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models.base import ModelState
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from products.db import rowsql
from products.db.auth import remember_access, with_access
from products.db.instances import frozen_copy, new_instance
from products.read.tables import StockMovementEntry
from products.write.aggregates import Product

# The Django release products/db was last checked against (see its docstring for the list).
VERIFIED_WITH = (6, 1)


def test_django_is_the_release_products_db_was_checked_against():
    assert django.VERSION[:2] == VERIFIED_WITH, (
        f"Django {django.get_version()}: re-check each internal listed in products/db/__init__.py "
        "(run this file and the command-path tests), then set VERIFIED_WITH"
    )


def test_the_internals_have_the_signatures_relied_on():
    assert list(inspect.signature(ModelBackend._get_permissions).parameters) == ["self", "user_obj", "obj", "from_name"]
    assert list(inspect.signature(Product.from_db).parameters)[:3] == ["db", "field_names", "values"]
    field = Product._meta.get_field("price")
    assert list(inspect.signature(field.get_db_prep_save).parameters) == ["value", "connection"]
    assert callable(connection.ops.get_db_converters) and callable(
        field.get_col(Product._meta.db_table).get_db_converters
    )
    assert isinstance(Product(sku="x")._state, ModelState)


@pytest.mark.django_db
def test_a_row_written_and_locked_by_rowsql_is_the_row_the_orm_writes_and_reads():
    now = timezone.now()
    values = {
        "id": uuid.uuid4(),
        "sku": "TW-1",
        "name": "Tripwire",
        "description": "",
        "price": Decimal("12.50"),
        "reorder_level": 3,
        "on_hand": 7,
        "archived": False,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    rowsql.insert(Product(**values))
    assert {name: getattr(Product.objects.get(pk=values["id"]), name) for name in values} == values
    locked = rowsql.lock(Product, values["id"])
    assert {name: getattr(locked, name) for name in values} == values
    assert (locked._state.adding, locked._state.db) == (False, "default")
    locked.on_hand = 9
    assert rowsql.update(locked, ["on_hand"]) == 1
    assert Product.objects.get(pk=values["id"]).on_hand == 9


def test_an_instance_made_without_init_equals_one_made_with_it():
    now = timezone.now()
    values = {
        "position": 1,
        "product_id": uuid.uuid4(),
        "sku": "TW-2",
        "product_name": "n",
        "kind": "received",
        "quantity": 2,
        "on_hand_after": 2,
        "note": "",
        "actor": "a",
        "occurred_at": now,
        "reverses": None,
        "reversed_by": None,
    }
    made, built = new_instance(StockMovementEntry, **values), StockMovementEntry(**values)
    assert made == built and made.__dict__.keys() - {"_state"} == built.__dict__.keys() - {"_state"}
    assert made._state.adding and made._state.db is None
    product = Product(sku="TW-3", name="n", price=Decimal("1.00"), created_at=now, updated_at=now)
    copy = frozen_copy(product)
    product.on_hand = 5
    assert (copy.on_hand, copy.sku, type(copy)) == (0, "TW-3", Product)


@pytest.mark.django_db
def test_filled_caches_are_the_ones_django_reads(manager):
    """has_perm and user.groups.all() answer from what remember_access stored, with no query."""
    user = type(manager).objects.get(pk=manager.pk)
    remember_access(user, list(with_access(user.pk)))
    fresh = type(manager).objects.get(pk=manager.pk)
    with CaptureQueriesContext(connection) as captured:
        perms, groups = user.get_all_permissions(), [g.name for g in user.groups.all()]
    assert captured.captured_queries == []
    assert perms == fresh.get_all_permissions() and groups == [g.name for g in fresh.groups.order_by("id")]
    assert {"_perm_cache", "_user_perm_cache", "_group_perm_cache"} <= vars(fresh).keys()
