"""Stock, availability, badges and inventory totals answer what commands did (dispatch, then ask)."""

import uuid
from decimal import Decimal

import pytest

from products.read.queries import (
    CheckStockAvailability,
    GetInventoryStats,
    GetProductStock,
    GetStockBadges,
)
from products.write import bus
from products.write.commands import ArchiveProduct, IssueStock, ReceiveStock

pytestmark = pytest.mark.django_db


class TestStockQueries:
    def test_get_product_stock(self, shelf):
        stock = GetProductStock(product_id=shelf["low"].product_id).execute()
        assert (stock.sku, stock.on_hand, stock.reorder_level, stock.status, stock.archived) == (
            "CBL-002",
            3,
            10,
            "low",
            False,
        )
        assert GetProductStock(product_id=uuid.uuid4()).execute() is None

    @pytest.mark.parametrize(
        ("quantity", "available", "shortfall"), [(1, True, 0), (20, True, 0), (21, False, 1), (500, False, 480)]
    )
    def test_availability(self, product, quantity, available, shortfall):
        answer = CheckStockAvailability(product_id=product.product_id, quantity=quantity).execute()
        assert (answer.sku, answer.on_hand, answer.requested, answer.available, answer.shortfall) == (
            "ACC-001",
            20,
            quantity,
            available,
            shortfall,
        )

    def test_archived_is_never_available(self, shelf):
        answer = CheckStockAvailability(product_id=shelf["archived"].product_id, quantity=1).execute()
        assert answer.on_hand == 4 and not answer.available

    def test_availability_of_unknown_product(self, db):
        assert CheckStockAvailability(product_id=uuid.uuid4(), quantity=1).execute() is None

    def test_badges_for_a_page(self, shelf):
        ids = [p.product_id for p in shelf.values()] + [uuid.uuid4()]
        badges = GetStockBadges(product_ids=ids).execute()
        assert {badge.sku: badge.status for badge in badges.values()} == {
            "ACC-001": "in_stock",
            "CBL-002": "low",
            "TLS-003": "out",
            "OFF-004": "low",
        }


def test_inventory_stats_after_a_sequence(shelf, make_product):
    stats = GetInventoryStats().execute()
    assert stats.counts == {"all": 3, "in_stock": 1, "low": 1, "out": 1, "archived": 1}
    assert stats.total_units == 23
    assert stats.total_value == Decimal("62.00")

    bus.dispatch(IssueStock(product_id=shelf["in_stock"].product_id, quantity=20))
    bus.dispatch(ReceiveStock(product_id=shelf["out"].product_id, quantity=1))
    bus.dispatch(ArchiveProduct(product_id=shelf["low"].product_id))
    make_product(sku="NEW-1", name="New", reorder_level=0, on_hand=9, price="1.00")

    stats = GetInventoryStats().execute()
    assert stats.counts == {"all": 3, "in_stock": 1, "low": 1, "out": 1, "archived": 2}
    assert (stats.active_products, stats.total_units, stats.total_value) == (3, 10, Decimal("89.00"))
    assert stats.last_position > 0


def test_inventory_stats_when_empty(db):
    stats = GetInventoryStats().execute()
    assert stats.counts == {"all": 0, "in_stock": 0, "low": 0, "out": 0, "archived": 0}
    assert stats.total_value == Decimal("0.00")
