"""Many clerks on one product at once: no lost update, never below zero, clean refusals."""

import random
import re
import threading
from collections import Counter

import pytest
from django.db import connection

from products.read.queries import GetProductStock
from products.read.tables import StockMovementEntry
from products.read.verify import verify
from products.write import bus, errors
from products.write.aggregates import Product
from products.write.commands import IssueStock, ReceiveStock

THREADS = 8
COMMANDS_PER_THREAD = 250
INSUFFICIENT = re.compile(r"^Cannot issue (\d+) of CONC-1: only (\d+) on hand\.$")

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]


def clerk_work(product_id, seed: int, accepted: list, refused: list, failures: list) -> None:
    """One clerk's shift: a seeded random mix of receipts and (often too large) issues."""
    rng = random.Random(seed)  # noqa: S311 (test data)
    try:
        for _ in range(COMMANDS_PER_THREAD):
            if rng.random() < 0.45:
                command = ReceiveStock(product_id=product_id, quantity=rng.randint(1, 10))
            else:
                command = IssueStock(product_id=product_id, quantity=rng.randint(1, 12))
            try:
                bus.dispatch(command)
            except errors.InsufficientStock as exc:
                refused.append((command, exc))
            else:
                accepted.append(command)
    except BaseException as exc:  # noqa: BLE001 (anything else fails the test, with its cause)
        failures.append(exc)
    finally:
        connection.close()


def test_eight_clerks_lose_no_update(make_product):
    start = make_product(sku="CONC-1", name="Contended", on_hand=50)
    accepted, refused, failures = [], [], []
    threads = [
        threading.Thread(target=clerk_work, args=(start.product_id, seed, accepted, refused, failures))
        for seed in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert len(accepted) + len(refused) == THREADS * COMMANDS_PER_THREAD

    received = sum(c.quantity for c in accepted if isinstance(c, ReceiveStock))
    issued = sum(c.quantity for c in accepted if isinstance(c, IssueStock))
    expected = 50 + received - issued
    assert Product.objects.get(pk=start.product_id).on_hand == expected
    assert GetProductStock(product_id=start.product_id).execute().on_hand == expected

    ledger = list(StockMovementEntry.objects.filter(product_id=start.product_id).order_by("position"))
    assert len(ledger) == 1 + len(accepted)
    running = 0
    for entry in ledger:
        running += entry.quantity
        assert entry.on_hand_after == running
        assert entry.on_hand_after >= 0
    assert running == expected
    assert Counter(e.kind for e in ledger[1:]) == Counter(
        "received" if isinstance(c, ReceiveStock) else "issued" for c in accepted
    )

    # Each refusal is a clean InsufficientStock that was true when it was judged.
    levels = {entry.on_hand_after for entry in ledger}
    for command, exc in refused:
        assert isinstance(command, IssueStock)
        match = INSUFFICIENT.match(exc.message)
        assert match, exc.message
        requested, on_hand = map(int, match.groups())
        assert requested == command.quantity > on_hand
        assert on_hand in levels
        assert exc.field == "quantity"
    assert refused, "the mix should run the product dry at least once"

    differences = verify()
    assert differences.total == 0, list(differences)
