"""The inventory as of a moment per product and location, and at one location: the stock-take sheet."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from products.read.queries import (
    FutureMoment,
    GetInventoryAsOf,
    GetInventoryByLocationAsOf,
    GetStockByLocation,
    UnknownLocation,
)
from products.write import bus
from products.write.commands import CountStock, ReceiveStock, ReverseMovement, TransferStock

pytestmark = pytest.mark.django_db


def sheet(at, **options) -> list[tuple[str, str, int, Decimal]]:
    return [
        (row.sku, row.location, row.on_hand, row.value)
        for row in GetInventoryByLocationAsOf(at=at, **options).iterate(chunk=1)
    ]


@pytest.fixture
def history(clock, make_product, make_location):
    """INV-A and INV-B moved about before and after `moment`: receipts, transfers and their reversals on both
    sides, and a count taken before it but recorded after."""
    for code in ("A-01", "B-02"):
        make_location(code)
    a = make_product(sku="INV-A", price="2.00").product_id
    b = make_product(sku="INV-B", price="5.00").product_id

    def at(minutes, command):
        clock.tick(minutes=minutes)
        return bus.dispatch(command)

    at(1, ReceiveStock(product_id=a, quantity=10))
    at(1, TransferStock(product_id=a, quantity=4, from_location="MAIN", to_location="A-01"))
    first = at(1, ReceiveStock(product_id=b, quantity=6, location="B-02"))
    twice = at(1, ReceiveStock(product_id=b, quantity=3, location="B-02"))
    at(1, ReverseMovement(position=twice.position, reason="Entered twice"))
    back = at(1, TransferStock(product_id=b, quantity=1, from_location="B-02", to_location="MAIN"))
    undone = at(1, TransferStock(product_id=a, quantity=1, from_location="MAIN", to_location="B-02"))
    at(1, ReverseMovement(position=undone.position, reason="Scanned the wrong bin"))
    taken = clock.tick(minutes=1)
    moment = clock.tick(minutes=1)
    at(1, TransferStock(product_id=a, quantity=2, from_location="A-01", to_location="B-02"))
    at(1, ReceiveStock(product_id=b, quantity=5, location="B-02"))
    at(1, ReverseMovement(position=first.position, reason="Wrong product"))
    at(1, ReverseMovement(position=back.position, reason="It never left B-02"))
    at(1, CountStock(product_id=b, quantity=7, location="B-02", counted_at=taken))  # B-02 moved 5 - 6 + 1 since
    return {"a": a, "b": b, "moment": moment}


def test_a_row_per_product_and_location_as_things_stood_then(history):
    assert sheet(history["moment"]) == [
        ("INV-A", "MAIN", 6, Decimal("12.00")),
        ("INV-A", "A-01", 4, Decimal("8.00")),
        ("INV-B", "MAIN", 1, Decimal("5.00")),
        ("INV-B", "B-02", 5, Decimal("25.00")),
    ]
    totals = GetInventoryAsOf(at=history["moment"]).execute().rows
    assert [(row.sku, row.on_hand, row.value) for row in totals] == [
        ("INV-A", 10, Decimal("20.00")),
        ("INV-B", 6, Decimal("30.00")),
    ]


def test_now_the_sheet_equals_the_per_location_table(history, clock):
    expected = [
        (sku, level.location, level.on_hand)
        for sku, key in (("INV-A", "a"), ("INV-B", "b"))
        for level in GetStockByLocation(product_id=history[key]).execute()
    ]
    assert expected == [("INV-A", "MAIN", 6), ("INV-A", "A-01", 2), ("INV-A", "B-02", 2), ("INV-B", "B-02", 7)]
    assert [row[:3] for row in sheet(clock.at)] == expected


def test_one_location_then_and_now(history, clock):
    assert sheet(history["moment"], location="B-02") == [("INV-B", "B-02", 5, Decimal("25.00"))]
    assert sheet(history["moment"], location="a-01") == [("INV-A", "A-01", 4, Decimal("8.00"))]
    assert sheet(clock.at, location="B-02") == [
        ("INV-A", "B-02", 2, Decimal("4.00")),
        ("INV-B", "B-02", 7, Decimal("35.00")),
    ]
    assert sheet(history["moment"] - timedelta(minutes=10), location="B-02") == []


def test_pages_never_split_a_product(history, clock):
    first = GetInventoryByLocationAsOf(at=clock.at, page_size=1).execute()
    assert [(row.sku, row.location) for row in first.rows] == [("INV-A", "MAIN"), ("INV-A", "A-01"), ("INV-A", "B-02")]
    assert first.next_cursor == f"INV-A|{history['a']}"
    second = GetInventoryByLocationAsOf(at=clock.at, page_size=1, after=first.next_cursor).execute()
    assert ([(row.sku, row.location) for row in second.rows], second.next_cursor) == ([("INV-B", "B-02")], None)
    at_bin = GetInventoryByLocationAsOf(at=clock.at, location="B-02", page_size=1).execute()
    assert [row.sku for row in at_bin.rows] == ["INV-A"]
    rest = GetInventoryByLocationAsOf(at=clock.at, location="B-02", page_size=1, after=at_bin.next_cursor).execute()
    assert ([row.sku for row in rest.rows], rest.next_cursor) == (["INV-B"], None)


def test_an_unknown_location_or_a_future_moment_is_refused(history):
    with pytest.raises(UnknownLocation, match="There is no location Z-99."):
        GetInventoryByLocationAsOf(at=history["moment"], location="Z-99").execute()
    with pytest.raises(FutureMoment):
        GetInventoryByLocationAsOf(at=timezone.now() + timedelta(minutes=1)).iterate()
    assert sheet(history["moment"], location="main") == [
        ("INV-A", "MAIN", 6, Decimal("12.00")),
        ("INV-B", "MAIN", 1, Decimal("5.00")),
    ]
