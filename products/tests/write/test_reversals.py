"""Corrections: ReverseMovement adds an opposite movement that names the original, which stays as it was."""

from __future__ import annotations

import pytest

from products.read.queries import GetProductStock
from products.read.replay import rebuild
from products.read.tables import StockMovementEntry
from products.read.verify import verify
from products.write import bus, errors
from products.write.commands import CountStock, IssueStock, ReceiveStock, ReverseMovement
from products.write.errors import InvalidCommand
from products.write.log import Event

pytestmark = pytest.mark.django_db


def on_hand(product) -> int:
    return GetProductStock(product_id=product.product_id).execute().on_hand


def ledger(product) -> list[tuple]:
    rows = StockMovementEntry.objects.filter(product_id=product.product_id).order_by("position")
    return list(rows.values_list("kind", "quantity", "on_hand_after", "reverses", "reversed_by", "note"))


def test_reversing_a_receipt_adds_the_opposite_movement_and_links_both(product, manager):
    wrong = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=12, note="PO-7"))
    result = bus.dispatch(ReverseMovement(position=wrong.position, reason="Counted twice"), actor=manager)

    assert on_hand(product) == 20
    assert ledger(product) == [
        ("received", 20, 20, None, None, ""),
        ("received", 12, 32, None, result.position, "PO-7"),
        ("reversal", -12, 20, wrong.position, None, "Counted twice"),
    ]
    event = Event.objects.get(position=result.position)
    assert (event.type, event.data) == (
        "StockMovementReversed",
        {"reverses": wrong.position, "quantity": -12, "reason": "Counted twice"},
    )
    assert list(verify()) == []


def test_reversing_an_issue_puts_the_stock_back(product):
    issued = bus.dispatch(IssueStock(product_id=product.product_id, quantity=5))
    bus.dispatch(ReverseMovement(position=issued.position, reason="Never left"))
    assert on_hand(product) == 20


def test_reversing_a_count_restores_the_difference(product):
    counted = bus.dispatch(CountStock(product_id=product.product_id, quantity=14))
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3))
    bus.dispatch(ReverseMovement(position=counted.position, reason="Wrong shelf counted"))
    assert on_hand(product) == 23  # 20, counted 14 (-6), +3, the -6 undone
    assert ledger(product)[-1][:3] == ("reversal", 6, 23)


def test_reversing_twice_is_refused_and_names_the_first_reversal(product, snapshot):
    wrong = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=4))
    first = bus.dispatch(ReverseMovement(position=wrong.position, reason="Typo"))
    before = snapshot()
    with pytest.raises(errors.AlreadyReversed) as refused:
        bus.dispatch(ReverseMovement(position=wrong.position, reason="Typo again"))
    assert refused.value.message == errors.AlreadyReversed.MESSAGE.format(position=wrong.position, by=first.position)
    assert refused.value.status == 409 and snapshot() == before


def test_a_reversal_cannot_itself_be_reversed(product):
    wrong = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=4))
    reversal = bus.dispatch(ReverseMovement(position=wrong.position, reason="Typo"))
    with pytest.raises(errors.MovementNotReversible):
        bus.dispatch(ReverseMovement(position=reversal.position, reason="Undo the undo"))


def test_a_reversal_below_zero_is_refused_with_the_reason(product, snapshot):
    received = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=10))
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=25))
    before = snapshot()
    with pytest.raises(errors.ReversalRefused) as refused:
        bus.dispatch(ReverseMovement(position=received.position, reason="Wrong product"))
    assert (
        refused.value.message
        == f"Reversing #{received.position} would take ACC-001 to -5 on hand (only 5 on hand now)."
    )
    assert snapshot() == before


def test_only_movements_can_be_reversed(product):
    created = Event.objects.get(stream_id=product.product_id, type="ProductCreated")
    for position in (created.position, 10**9):
        with pytest.raises(errors.MovementNotFound):
            bus.dispatch(ReverseMovement(position=position, reason="x"))


def test_a_reason_is_required(product):
    with pytest.raises(InvalidCommand) as refused:
        ReverseMovement(position=1, reason="  ")
    assert "reason" in refused.value.errors


def test_clerks_may_not_reverse(product, clerk):
    wrong = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=4))
    with pytest.raises(errors.PermissionDenied):
        bus.dispatch(ReverseMovement(position=wrong.position, reason="Typo"), actor=clerk)


def test_the_same_command_id_reverses_once(product):
    wrong = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=4))
    command = ReverseMovement(position=wrong.position, reason="Typo")
    first = bus.dispatch(command)
    again = bus.dispatch(command)
    assert again.duplicate and again.position == first.position and on_hand(product) == 20


def test_reversals_replay_and_relink_on_rebuild(product):
    wrong = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=4))
    bus.dispatch(ReverseMovement(position=wrong.position, reason="Typo"))
    live = ledger(product)
    rebuild()
    assert ledger(product) == live and list(verify()) == []
    StockMovementEntry.objects.filter(position=wrong.position).update(reversed_by=None)
    assert [d for d in verify() if "reversed_by" in d]
