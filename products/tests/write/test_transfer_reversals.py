"""Reversing a transfer: one event that moves the quantity back, from the destination to the source."""

from __future__ import annotations

from datetime import timedelta

import pytest

from products.read.queries import GetProductStock, GetStockAsOf, GetStockByLocation
from products.read.replay import rebuild
from products.read.tables import StockMovementEntry
from products.read.verify import verify
from products.write import bus, errors
from products.write.commands import (
    ArchiveLocation,
    CountStock,
    IssueStock,
    ReserveStock,
    ReverseMovement,
    TransferStock,
)
from products.write.log import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(product, make_location):
    """8 of the product's 20 moved from MAIN to A-01; the transfer's position."""
    make_location("A-01")
    transfer = TransferStock(product_id=product.product_id, quantity=8, from_location="MAIN", to_location="A-01")
    return bus.dispatch(transfer).position


def levels(product) -> dict[str, int]:
    return {level.location: level.on_hand for level in GetStockByLocation(product_id=product.product_id).execute()}


def ledger(product) -> list[tuple]:
    rows = StockMovementEntry.objects.filter(product_id=product.product_id).order_by("position")
    fields = ("kind", "quantity", "on_hand_after", "location", "to_location", "moved", "reverses", "reversed_by")
    return list(rows.values_list(*fields))


def test_reversing_a_transfer_moves_the_quantity_back_as_one_event(product, moved):
    reversal = bus.dispatch(ReverseMovement(position=moved, reason="Wrong bin"))

    assert levels(product) == {"MAIN": 20}
    stock = GetProductStock(product_id=product.product_id).execute()
    assert (stock.on_hand, stock.reserved, stock.available) == (20, 0, 20)
    assert ledger(product)[1:] == [
        ("transferred", 0, 20, "MAIN", "A-01", 8, None, reversal.position),
        ("reversal", 0, 20, "A-01", "MAIN", 8, moved, None),
    ]
    event = Event.objects.get(position=reversal.position)
    assert (event.type, event.data) == (
        "StockMovementReversed",
        {
            "reverses": moved,
            "quantity": 0,
            "reason": "Wrong bin",
            "location": "A-01",
            "to_location": "MAIN",
            "moved": 8,
        },
    )
    assert Event.objects.filter(position__gt=moved).count() == 1
    assert list(verify()) == []


def test_a_transfer_is_reversed_once(product, moved, snapshot):
    first = bus.dispatch(ReverseMovement(position=moved, reason="Wrong bin"))
    before = snapshot()
    with pytest.raises(errors.AlreadyReversed) as refused:
        bus.dispatch(ReverseMovement(position=moved, reason="Again"))
    assert refused.value.status == 409 and snapshot() == before
    assert refused.value.message == errors.AlreadyReversed.MESSAGE.format(position=moved, by=first.position)
    with pytest.raises(errors.MovementNotReversible):
        bus.dispatch(ReverseMovement(position=first.position, reason="Undo the undo"))


def test_it_is_refused_when_the_destination_no_longer_holds_the_quantity(product, moved, snapshot):
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=5, location="A-01"))
    before = snapshot()
    with pytest.raises(errors.ReversalRefused) as refused:
        bus.dispatch(ReverseMovement(position=moved, reason="Wrong bin"))
    assert refused.value.status == 409 and refused.value.field == "position"
    assert refused.value.message == (
        f"Reversing #{moved} would move 8 of ACC-001 back from A-01 to MAIN, but only 3 are at A-01 now."
    )
    assert snapshot() == before


def test_it_is_refused_when_either_end_is_archived(product, moved, make_location, snapshot):
    make_location("B-02")
    onward = TransferStock(product_id=product.product_id, quantity=8, from_location="A-01", to_location="B-02")
    onward_position = bus.dispatch(onward).position
    bus.dispatch(ArchiveLocation(code="A-01"))  # empty now
    before = snapshot()
    for position in (moved, onward_position):  # A-01 is the destination of one, the source of the other
        with pytest.raises(errors.LocationArchived) as refused:
            bus.dispatch(ReverseMovement(position=position, reason="Wrong bin"))
        assert refused.value.status == 409 and refused.value.field == "position"
        assert "A-01" in refused.value.message
    assert snapshot() == before


def test_promises_stay_kept_the_total_does_not_move(product, moved):
    """Reservations hold the product's total, not a location's: moving stock back keeps every promise."""
    bus.dispatch(ReserveStock(product_id=product.product_id, quantity=20, reference="SO-1"))
    bus.dispatch(ReverseMovement(position=moved, reason="Wrong bin"))
    stock = GetProductStock(product_id=product.product_id).execute()
    assert (stock.on_hand, stock.reserved, stock.available) == (20, 20, 0)
    assert levels(product) == {"MAIN": 20}


def test_as_of_shows_both_locations_before_and_after(clock, make_product, make_location):
    product = make_product(sku="ACC-001", on_hand=20)
    make_location("A-01")
    moved_at = clock.tick(minutes=1)
    transfer = TransferStock(product_id=product.product_id, quantity=8, from_location="MAIN", to_location="A-01")
    position = bus.dispatch(transfer).position
    reversed_at = clock.tick(minutes=1)
    bus.dispatch(ReverseMovement(position=position, reason="Wrong bin"))

    def at(moment):
        levels = GetStockAsOf(product_id=product.product_id, at=moment).execute().locations
        return {level.location: level.on_hand for level in levels}

    assert at(moved_at) == {"MAIN": 12, "A-01": 8}
    assert at(reversed_at - timedelta(seconds=1)) == {"MAIN": 12, "A-01": 8}
    assert at(reversed_at) == {"MAIN": 20}


def test_a_late_count_keeps_the_reversal_on_top(clock, make_product, make_location):
    """Counted 8 at A-01 before the transfer was reversed: A-01 ends empty, MAIN keeps all 20."""
    product = make_product(sku="ACC-001", on_hand=20)
    make_location("A-01")
    clock.tick(minutes=1)
    transfer = TransferStock(product_id=product.product_id, quantity=8, from_location="MAIN", to_location="A-01")
    position = bus.dispatch(transfer).position
    counted_at = clock.tick(minutes=1)
    clock.tick(minutes=1)
    bus.dispatch(ReverseMovement(position=position, reason="Wrong bin"))
    clock.tick(minutes=1)
    bus.dispatch(CountStock(product_id=product.product_id, quantity=8, location="A-01", counted_at=counted_at))
    bus.dispatch(CountStock(product_id=product.product_id, quantity=12, location="MAIN", counted_at=counted_at))
    assert levels(product) == {"MAIN": 20}
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 20
    assert list(verify()) == []


def test_transfer_reversals_replay_and_relink_on_rebuild(product, moved):
    reversal = bus.dispatch(ReverseMovement(position=moved, reason="Wrong bin"))
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=2))
    live, where = ledger(product), levels(product)
    rebuild()
    assert ledger(product) == live and levels(product) == where == {"MAIN": 18}
    assert StockMovementEntry.objects.get(position=moved).reversed_by == reversal.position
    assert list(verify()) == []
