"""Counts that respect moves made meanwhile: receipts and issues after the count was taken stay on top."""

from __future__ import annotations

from datetime import timedelta

import pytest

from products.read.queries import GetProductStock, GetStockAsOf, GetStockByLocation
from products.read.replay import rebuild
from products.read.tables import StockMovementEntry
from products.read.verify import verify
from products.write import bus, errors
from products.write.commands import CountStock, IssueStock, ReceiveStock, ReverseMovement, TransferStock
from products.write.log import Event

pytestmark = pytest.mark.django_db


def on_hand(product) -> int:
    return GetProductStock(product_id=product.product_id).execute().on_hand


def test_a_receipt_recorded_between_taking_and_sending_a_count_is_kept(clock, product):
    """Interleaving: the counter sees version 2 (20), counts 40; a receipt of 5 lands; then the count is sent."""
    shown = GetProductStock(product_id=product.product_id).execute()
    taken = clock.tick(minutes=2)
    clock.tick(minutes=1)
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    clock.tick(minutes=2)
    bus.dispatch(CountStock(product_id=product.product_id, quantity=40, seen_version=shown.version, counted_at=taken))

    assert on_hand(product) == 45
    event = Event.objects.filter(type="StockCounted").get()
    assert event.data == {
        "counted": 40,
        "difference": 20,
        "note": "",
        "counted_at": taken.isoformat(),
        "moved_since": 5,
    }
    row = StockMovementEntry.objects.order_by("position").last()
    assert (row.kind, row.quantity, row.on_hand_after) == ("counted", 20, 45)
    assert list(verify()) == []
    rebuild()
    assert on_hand(product) == 45 and list(verify()) == []


def test_counted_at_alone_keeps_what_was_recorded_after_it(clock, product):
    taken = clock.tick(minutes=1)
    clock.tick(minutes=1)
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=3))
    received = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=10))
    bus.dispatch(ReverseMovement(position=received.position, reason="Wrong product"))
    clock.tick(minutes=1)
    bus.dispatch(CountStock(product_id=product.product_id, quantity=18, counted_at=taken))
    assert on_hand(product) == 15  # 18 counted, 3 issued since (the receipt and its reversal cancel)


def test_a_count_without_a_moment_sets_on_hand_as_before(product):
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    bus.dispatch(CountStock(product_id=product.product_id, quantity=7))
    assert on_hand(product) == 7


def test_a_count_taken_before_another_count_was_recorded_is_refused(clock, product, snapshot):
    shown = GetProductStock(product_id=product.product_id).execute()
    clock.tick(minutes=1)
    bus.dispatch(CountStock(product_id=product.product_id, quantity=19))
    before = snapshot()
    with pytest.raises(errors.CountSuperseded) as refused:
        bus.dispatch(CountStock(product_id=product.product_id, quantity=21, seen_version=shown.version))
    assert "was counted again (19 at" in refused.value.message and snapshot() == before


def test_a_count_from_the_future_is_refused(clock, product):
    with pytest.raises(errors.CountInFuture):
        bus.dispatch(CountStock(product_id=product.product_id, quantity=1, counted_at=clock.at + timedelta(hours=1)))


def test_as_of_between_the_receipt_and_the_late_count_shows_the_receipt(clock, product):
    shown = GetProductStock(product_id=product.product_id).execute()
    clock.tick(minutes=1)
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    between = clock.tick(minutes=1)
    clock.tick(minutes=1)
    bus.dispatch(CountStock(product_id=product.product_id, quantity=40, seen_version=shown.version))
    assert GetStockAsOf(product_id=product.product_id, at=between).execute().on_hand == 25


def test_a_late_count_after_a_transfer_into_main_was_reversed(clock, product, make_location):
    """The reversal moves the units from MAIN back to the bin; its event names MAIN by leaving it out."""
    make_location("B-02")
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=5, from_location="MAIN", to_location="B-02"))
    back = bus.dispatch(
        TransferStock(product_id=product.product_id, quantity=2, from_location="B-02", to_location="MAIN")
    )
    taken = clock.tick(minutes=1)
    clock.tick(minutes=1)
    bus.dispatch(ReverseMovement(position=back.position, reason="It never left B-02"))
    bus.dispatch(CountStock(product_id=product.product_id, quantity=3, location="B-02", counted_at=taken))
    levels = {level.location: level.on_hand for level in GetStockByLocation(product_id=product.product_id).execute()}
    assert levels == {"MAIN": 15, "B-02": 5}  # 3 counted, 2 moved back since
    assert list(verify()) == []


def test_reversing_a_count_that_changed_nothing_leaves_no_empty_level(make_product):
    """A count of 0 where nothing was; its reversal moves 0: no per-location row appears (a row means stock)."""
    product = make_product(sku="ZERO-1")
    counted = bus.dispatch(CountStock(product_id=product.product_id, quantity=0))
    bus.dispatch(ReverseMovement(position=counted.position, reason="Counted the wrong shelf"))
    assert GetStockByLocation(product_id=product.product_id).execute() == []
    assert list(verify()) == []
