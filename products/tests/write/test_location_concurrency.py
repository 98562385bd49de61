"""Clerks at once on one product across locations: no lost update, never negative at any location."""

import random
import threading
from collections import Counter

import pytest
from django.db import connection

from products.read.replay import read_events
from products.read.verify import verify
from products.write import bus, errors
from products.write.aggregates import LocationStock, Product
from products.write.commands import CreateLocation, IssueStock, ReceiveStock, TransferStock

THREADS = 6
COMMANDS_PER_THREAD = 120
PLACES = ["MAIN", "A-01", "B-02"]

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]


def clerk_work(product_id, seed: int, accepted: list, failures: list) -> None:
    """A seeded mix of receipts, issues and transfers at random places (many too large)."""
    rng = random.Random(seed)  # noqa: S311 (test data)
    try:
        for _ in range(COMMANDS_PER_THREAD):
            roll, place = rng.random(), rng.choice(PLACES)
            if roll < 0.3:
                command = ReceiveStock(product_id=product_id, quantity=rng.randint(1, 10), location=place)
            elif roll < 0.6:
                command = IssueStock(product_id=product_id, quantity=rng.randint(1, 12), location=place)
            else:
                other = rng.choice([p for p in PLACES if p != place])
                command = TransferStock(
                    product_id=product_id, quantity=rng.randint(1, 15), from_location=place, to_location=other
                )
            try:
                bus.dispatch(command)
            except errors.InsufficientStock:
                continue
            accepted.append(command)
    except BaseException as exc:  # noqa: BLE001 (anything else fails the test, with its cause)
        failures.append(exc)
    finally:
        connection.close()


def test_concurrent_moves_across_locations_lose_nothing(make_product):
    for code in PLACES[1:]:
        bus.dispatch(CreateLocation(code=code, name=f"Bin {code}"))
    start = make_product(sku="CONC-L", on_hand=30)
    accepted, failures = [], []
    threads = [
        threading.Thread(target=clerk_work, args=(start.product_id, seed, accepted, failures))
        for seed in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []

    expected = Counter({"MAIN": 30})
    for command in accepted:
        if isinstance(command, ReceiveStock):
            expected[command.location] += command.quantity
        elif isinstance(command, IssueStock):
            expected[command.location] -= command.quantity
        else:
            expected[command.from_location] -= command.quantity
            expected[command.to_location] += command.quantity
    written = dict(LocationStock.objects.filter(product_id=start.product_id).values_list("location__code", "on_hand"))
    assert {code: written.get(code, 0) for code in PLACES} == {code: expected[code] for code in PLACES}
    assert Product.objects.get(pk=start.product_id).on_hand == sum(expected.values())
    assert any(isinstance(c, TransferStock) for c in accepted) and any(isinstance(c, IssueStock) for c in accepted)

    # In log order, no location ever went below zero.
    running = Counter()
    for recorded in read_events():
        event = recorded.event
        if recorded.type == "StockReceived":
            running[event.location] += event.quantity
        elif recorded.type == "StockIssued":
            running[event.location] -= event.quantity
        elif recorded.type == "StockTransferred":
            running[event.from_location] -= event.quantity
            running[event.to_location] += event.quantity
        assert min(running.values(), default=0) >= 0
    differences = verify()
    assert differences.total == 0, list(differences)
