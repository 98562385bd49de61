"""What dispatch tells its caller, and how the read side hangs off the bus without the write side knowing it."""

from __future__ import annotations

import pytest

from products.read.projections import project_command
from products.read.queries import GetProductStock
from products.write import bus
from products.write.commands import IssueStock, ReceiveStock, UpdateProductDetails
from products.write.log import Event

pytestmark = pytest.mark.django_db


def test_dispatch_answers_the_position_of_the_event_it_appended(product):
    result = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=2))
    event = Event.objects.get(position=result.position)
    assert (event.type, event.stream_id, result.duplicate) == ("StockReceived", product.product_id, False)


def test_a_command_id_already_in_the_log_is_a_duplicate_with_the_first_runs_position(product):
    command = IssueStock(product_id=product.product_id, quantity=20)
    first = bus.dispatch(command)
    again = bus.dispatch(command)
    assert again == bus.CommandResult(position=first.position, duplicate=True)
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 0


def test_an_edit_that_changes_nothing_appends_nothing(product):
    details = {
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": product.price,
        "reorder_level": product.reorder_level,
    }
    command = UpdateProductDetails(product_id=product.product_id, expected_version=product.version, **details)
    events = Event.objects.count()
    assert bus.dispatch(command) == bus.CommandResult(position=None, duplicate=False)
    assert Event.objects.count() == events


def test_the_read_side_is_wired_to_the_bus_once_by_the_app():
    assert bus.PROJECTORS.count(project_command) == 1
    bus.register_projector(project_command)
    assert bus.PROJECTORS.count(project_command) == 1


def test_every_registered_projector_hears_the_recorded_events_and_the_row_as_it_was(product, monkeypatch):
    heard = []
    monkeypatch.setattr(bus, "PROJECTORS", [*bus.PROJECTORS, lambda recorded, before: heard.append((recorded, before))])
    result = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    [(recorded, before)] = heard
    assert [(r.position, r.type, r.event.quantity) for r in recorded] == [(result.position, "StockReceived", 5)]
    assert before[product.product_id].on_hand == product.on_hand  # taken before the change
    assert GetProductStock(product_id=product.product_id).execute().on_hand == product.on_hand + 5
