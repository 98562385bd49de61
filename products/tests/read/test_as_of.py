"""Stock as of a past moment, for one product and the whole inventory, from the read models."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from products.read.queries import FutureMoment, GetInventoryAsOf, GetStockAsOf, NotYetCreated
from products.read.tables import StockMovementEntry
from products.tests.factories import CreateProductFactory
from products.write import bus
from products.write.commands import (
    ArchiveProduct,
    CountStock,
    IssueStock,
    ReceiveStock,
    UpdateProductDetails,
)
from products.write.log import Event

pytestmark = pytest.mark.django_db


def create(clock, **fields):
    command = CreateProductFactory(**fields)
    bus.dispatch(command)
    return command.product_id


def test_stock_as_of_is_what_was_on_hand_then_at_the_price_then(clock):
    product_id = create(clock, sku="HIS-1", price=Decimal("2.00"), reorder_level=5)
    created = clock.at
    received = clock.tick(minutes=10)
    bus.dispatch(ReceiveStock(product_id=product_id, quantity=40))
    clock.tick(hours=1)
    bus.dispatch(IssueStock(product_id=product_id, quantity=32))
    issued = clock.at
    clock.tick(hours=1)
    bus.dispatch(
        UpdateProductDetails(
            product_id=product_id, expected_version=3, sku=None, name=None, price=Decimal("3.00"), reorder_level=10
        )
    )
    repriced = clock.at
    clock.tick(hours=1)
    bus.dispatch(CountStock(product_id=product_id, quantity=7))

    def stock(at):
        return GetStockAsOf(product_id=product_id, at=at).execute()

    assert (stock(created).on_hand, stock(created).position) == (0, None)
    at_receipt = stock(received)
    assert (at_receipt.on_hand, at_receipt.status, at_receipt.value) == (40, "in_stock", Decimal("80.00"))
    between = stock(issued - timedelta(minutes=1))
    assert between.on_hand == 40
    after_issue = stock(issued + timedelta(minutes=30))
    assert (after_issue.on_hand, after_issue.status, after_issue.price) == (8, "in_stock", Decimal("2.00"))
    after_price = stock(repriced)
    assert (after_price.on_hand, after_price.status, after_price.value) == (8, "low", Decimal("24.00"))
    now = stock(timezone.now())
    assert (now.on_hand, now.reorder_level, now.archived, now.sku) == (7, 10, False, "HIS-1")


def test_before_the_product_existed_is_refused_with_its_creation_time(clock):
    product_id = create(clock, sku="HIS-2")
    with pytest.raises(NotYetCreated) as refused:
        GetStockAsOf(product_id=product_id, at=clock.at - timedelta(seconds=1)).execute()
    assert "HIS-2 did not exist yet" in str(refused.value)
    assert refused.value.created == clock.at


def test_a_future_moment_is_refused(clock):
    product_id = create(clock, sku="HIS-3")
    with pytest.raises(FutureMoment):
        GetStockAsOf(product_id=product_id, at=timezone.now() + timedelta(minutes=1)).execute()
    with pytest.raises(FutureMoment):
        GetInventoryAsOf(at=timezone.now() + timedelta(minutes=1)).execute()


def test_an_unknown_product_has_no_stock_as_of(db):
    assert GetStockAsOf(product_id=CreateProductFactory().product_id, at=timezone.now()).execute() is None


def test_a_command_whose_clock_lags_the_product_is_recorded_after_its_last_event(clock):
    """Two commands read the clock, the later one commits first: the earlier one's event still comes after it."""
    product_id = create(clock, sku="HIS-4")
    clock.tick(minutes=5)
    bus.dispatch(ReceiveStock(product_id=product_id, quantity=5))
    latest = clock.at
    clock.tick(minutes=-3)
    bus.dispatch(ReceiveStock(product_id=product_id, quantity=2))

    times = list(Event.objects.filter(stream_id=product_id).order_by("position").values_list("occurred_at", flat=True))
    assert times[-1] == latest and times == sorted(times)
    assert GetStockAsOf(product_id=product_id, at=latest).execute().on_hand == 7


def test_inventory_as_of_lists_what_existed_and_was_active_then_by_sku(clock):
    early = create(clock, sku="INV-B", price=Decimal("1.50"))
    bus.dispatch(ReceiveStock(product_id=early, quantity=10))
    retired_later = create(clock, sku="INV-A", price=Decimal("4.00"))
    bus.dispatch(ReceiveStock(product_id=retired_later, quantity=3))
    retired_before = create(clock, sku="INV-C")
    bus.dispatch(ArchiveProduct(product_id=retired_before))
    moment = clock.tick(hours=1)
    clock.tick(hours=1)
    bus.dispatch(ArchiveProduct(product_id=retired_later))
    bus.dispatch(IssueStock(product_id=early, quantity=10))
    create(clock, sku="INV-0")

    page = GetInventoryAsOf(at=moment).execute()
    assert [(row.sku, row.on_hand, row.value) for row in page.rows] == [
        ("INV-A", 3, Decimal("12.00")),
        ("INV-B", 10, Decimal("15.00")),
    ]
    assert page.next_cursor is None


def test_inventory_as_of_pages_by_sku_across_active_and_archived_products(clock):
    ids = [create(clock, sku=f"PAG-{n}") for n in range(5)]
    moment = clock.tick(minutes=1)
    clock.tick(minutes=1)
    for product_id in ids[1::2]:
        bus.dispatch(ArchiveProduct(product_id=product_id))

    seen, after = [], None
    while True:
        page = GetInventoryAsOf(at=moment, after=after, page_size=2).execute()
        seen += [row.sku for row in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == [f"PAG-{n}" for n in range(5)]
    assert [row.sku for row in GetInventoryAsOf(at=moment).iterate(chunk=2)] == seen


@pytest.mark.pg_only
def test_one_products_stock_as_of_is_one_seek_down_the_product_time_index(clock):
    from django.db import connection

    from products.read.queries.history import last_at

    product_id = create(clock, sku="IDX-1")
    bus.dispatch(ReceiveStock(product_id=product_id, quantity=5))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
    plan = last_at(StockMovementEntry, clock.at, product_id).values("on_hand_after")[:1].explain()
    assert "movement_product_time" in plan and "Sort" not in plan
