"""A command the database picked as a deadlock victim is run again, so the clerk never sees it."""

from __future__ import annotations

import pytest
from django.db import OperationalError, transaction

from products.read.queries import GetProductStock
from products.write import bus
from products.write.commands import ReceiveStock


class _PgError(Exception):
    def __init__(self, pgcode):
        super().__init__(pgcode)
        self.pgcode = pgcode


def _failing_first(times: int, pgcode: str, monkeypatch):
    """Make ReceiveStock's handler fail `times` times as the database would, then work."""
    real = bus.COMMAND_HANDLERS[ReceiveStock]
    calls = {"n": 0}

    def flaky(command, ctx):
        calls["n"] += 1
        if calls["n"] <= times:
            error = OperationalError("deadlock detected")
            error.__cause__ = _PgError(pgcode)
            raise error
        return real(command, ctx)

    monkeypatch.setitem(bus.COMMAND_HANDLERS, ReceiveStock, flaky)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_victim_is_retried_and_applies_once(make_product, monkeypatch):
    product = make_product(sku="DL-1", on_hand=5)
    calls = _failing_first(2, "40P01", monkeypatch)
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3))
    assert calls["n"] == 3
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 8


@pytest.mark.django_db(transaction=True)
def test_retries_are_bounded(make_product, monkeypatch):
    product = make_product(sku="DL-2", on_hand=5)
    calls = _failing_first(bus.TRANSIENT_ATTEMPTS, "40001", monkeypatch)
    with pytest.raises(OperationalError):
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3))
    assert calls["n"] == bus.TRANSIENT_ATTEMPTS
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 5


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried(make_product, monkeypatch):
    product = make_product(sku="DL-3", on_hand=5)
    calls = _failing_first(1, "08006", monkeypatch)  # connection failure
    with pytest.raises(OperationalError):
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3))
    assert calls["n"] == 1


@pytest.mark.django_db(transaction=True)
def test_no_retry_inside_a_callers_transaction(make_product, monkeypatch):
    product = make_product(sku="DL-4", on_hand=5)
    calls = _failing_first(1, "40P01", monkeypatch)
    with pytest.raises(OperationalError), transaction.atomic():
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3))
    assert calls["n"] == 1
