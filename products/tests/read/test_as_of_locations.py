"""Stock as of a past moment, per location: transfers, reversals and late counts before and after the moment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from products.read.queries import GetStockAsOf, GetStockByLocation, LocationLevel
from products.write import bus
from products.write.commands import CountStock, IssueStock, ReceiveStock, ReverseMovement, TransferStock

pytestmark = pytest.mark.django_db


def levels(product_id, at) -> list[tuple[str, int]]:
    return [(level.location, level.on_hand) for level in GetStockAsOf(product_id=product_id, at=at).execute().locations]


@pytest.fixture
def bins(make_location):
    return [make_location(code) for code in ("A-01", "B-02")]


def test_where_stock_was_follows_transfers_reversals_and_late_counts(clock, make_product, bins):
    """After every step, as of that step's moment equals what the per-location table held then.

    A transfer's reversal moves its quantity back (destination to source): its ledger row names both ends.
    """
    product = make_product(sku="LOC-1")
    product_id = product.product_id
    seen = []

    def step(command, **tick):
        clock.tick(**(tick or {"minutes": 10}))
        recorded = bus.dispatch(command)
        now = [(level.location, level.on_hand) for level in GetStockByLocation(product_id=product_id).execute()]
        seen.append((clock.at, now))
        return recorded

    step(ReceiveStock(product_id=product_id, quantity=20))
    step(TransferStock(product_id=product_id, quantity=6, from_location="MAIN", to_location="A-01"))
    wrong = step(ReceiveStock(product_id=product_id, quantity=5, location="B-02"))
    taken = clock.tick(minutes=1)
    step(TransferStock(product_id=product_id, quantity=2, from_location="A-01", to_location="B-02"))
    step(CountStock(product_id=product_id, quantity=5, location="A-01", counted_at=taken))  # 5 counted, 2 left since
    step(ReverseMovement(position=wrong.position, reason="Booked to the wrong bin"))
    moved = step(TransferStock(product_id=product_id, quantity=3, from_location="MAIN", to_location="B-02"))
    step(IssueStock(product_id=product_id, quantity=4, location="MAIN"))
    step(ReverseMovement(position=moved.position, reason="Never left MAIN"))  # moves the 3 back

    assert seen[-1][1] == [("MAIN", 10), ("A-01", 3), ("B-02", 2)]
    assert seen[-2][1] == [("MAIN", 7), ("A-01", 3), ("B-02", 5)]
    for moment, expected in seen:
        assert levels(product_id, moment) == expected, moment
    # Just before a step, the one before it still holds; before the first, nothing was anywhere.
    assert levels(product_id, seen[4][0] - timedelta(seconds=1)) == seen[3][1]
    assert levels(product_id, seen[0][0] - timedelta(seconds=1)) == []
    assert GetStockAsOf(product_id=product_id, at=seen[2][0]).execute().locations == (
        LocationLevel("MAIN", 14),
        LocationLevel("A-01", 6),
        LocationLevel("B-02", 5),
    )


def test_the_per_location_levels_add_up_to_the_total_then(clock, make_product, bins):
    product = make_product(sku="LOC-2", on_hand=9)
    clock.tick(minutes=5)
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=9, from_location="MAIN", to_location="B-02"))
    moment = clock.tick(minutes=5)
    clock.tick(minutes=5)
    bus.dispatch(CountStock(product_id=product.product_id, quantity=0, location="B-02"))

    then = GetStockAsOf(product_id=product.product_id, at=moment).execute()
    assert (then.on_hand, then.locations) == (9, (LocationLevel("B-02", 9),))
    now = GetStockAsOf(product_id=product.product_id, at=clock.at).execute()
    assert (now.on_hand, now.locations) == (0, ())
