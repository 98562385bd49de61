"""Never oversold: concurrent reservations, issues and fulfilments on one product, real threads and connections.

InvenTree, Medusa and Odoo all shipped a race where two allocations of the last units were both
accepted. Here every reservation command takes the product's row lock before it judges what is
free, so the checks below hold whatever the interleaving.
"""

import random
import threading

import pytest
from django.db import connection

from products.read.queries import GetProduct
from products.read.verify import verify
from products.write import bus, errors
from products.write.aggregates import Product, Reservation
from products.write.commands import FulfilReservation, IssueStock, ReceiveStock, ReserveStock

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]

CLIENTS = 50


def run_clients(count: int, work) -> list:
    """Start `count` threads at once (a barrier), each with its own connection; returns their failures."""
    barrier = threading.Barrier(count)
    failures = []

    def client(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(number)
        except BaseException as exc:  # noqa: BLE001 (anything unexpected fails the test, with its cause)
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return failures


def test_fifty_reservations_of_one_against_ten_available(make_product):
    product = make_product(sku="HOT-1", name="Last ten", on_hand=10)
    accepted, refused = [], []

    def reserve_one(number: int) -> None:
        command = ReserveStock(product_id=product.product_id, quantity=1, reference=f"SO-{number}")
        try:
            bus.dispatch(command)
        except errors.InsufficientAvailable as exc:
            refused.append(exc)
        else:
            accepted.append(command)

    assert run_clients(CLIENTS, reserve_one) == []

    assert (len(accepted), len(refused)) == (10, 40)
    assert all(exc.details["free"] == 0 for exc in refused)
    row = Product.objects.get(pk=product.product_id)
    assert (row.on_hand, row.reserved) == (10, 10)
    summary = GetProduct(product_id=product.product_id).execute()
    assert (summary.on_hand, summary.reserved, summary.available, summary.status) == (10, 10, 0, "out")
    assert Reservation.objects.filter(product_id=product.product_id, status="active").count() == 10
    assert verify().total == 0


def test_mixed_reserve_issue_fulfil_clients_never_oversell(make_product):
    start = 40
    product = make_product(sku="HOT-2", name="Busy", on_hand=start)
    lock = threading.Lock()
    accepted = {"received": 0, "issued": 0, "fulfilled": 0, "reserved": 0}
    mine: dict[int, list] = {}

    def shift(number: int) -> None:
        rng = random.Random(number)  # noqa: S311 (test data)
        mine[number] = []
        for _ in range(30):
            roll = rng.random()
            if roll < 0.15:
                command, kind = ReceiveStock(product_id=product.product_id, quantity=rng.randint(1, 5)), "received"
            elif roll < 0.45:
                command, kind = IssueStock(product_id=product.product_id, quantity=rng.randint(1, 4)), "issued"
            elif roll < 0.8 or not mine[number]:
                command = ReserveStock(
                    product_id=product.product_id, quantity=rng.randint(1, 4), reference=f"C{number}"
                )
                kind = "reserved"
            else:
                reservation_id, rest = mine[number].pop()
                quantity = rng.randint(1, rest)
                command, kind = FulfilReservation(reservation_id=reservation_id, quantity=quantity), "fulfilled"
                if quantity < rest:
                    mine[number].append((reservation_id, rest - quantity))
            try:
                bus.dispatch(command)
            except (errors.InsufficientStock, errors.InsufficientAvailable):
                continue
            with lock:
                accepted[kind] += command.quantity
            if kind == "reserved":
                mine[number].append((command.reservation_id, command.quantity))

    assert run_clients(12, shift) == []

    row = Product.objects.get(pk=product.product_id)
    expected_on_hand = start + accepted["received"] - accepted["issued"] - accepted["fulfilled"]
    expected_reserved = accepted["reserved"] - accepted["fulfilled"]
    assert (row.on_hand, row.reserved) == (expected_on_hand, expected_reserved)
    assert row.on_hand >= row.reserved >= 0
    held = sum(
        r.quantity - r.fulfilled for r in Reservation.objects.filter(product_id=product.product_id, status="active")
    )
    assert held == row.reserved
    assert accepted["reserved"] and accepted["fulfilled"] and accepted["issued"]
    assert verify().total == 0
