"""Corrections: ReverseMovement adds the opposite of a receipt, issue, count, fulfilment or transfer, naming it."""

from __future__ import annotations

from products.write import errors
from products.write.aggregates import Product
from products.write.commands import ReverseMovement
from products.write.events import DEFAULT_LOCATION, DomainEvent, StockMovementReversed, StockTransferred
from products.write.handlers import MAX_ON_HAND, MOVEMENT_DELTAS, promised_refusal
from products.write.log import Event
from products.write.unit_of_work import UnitOfWork

REVERSIBLE = (*MOVEMENT_DELTAS, StockTransferred.__name__)


def reverse_movement(command: ReverseMovement, work: UnitOfWork) -> list[DomainEvent]:
    original = Event.objects.filter(position=command.position).values("stream_id", "type", "data").first()
    if original is None or original["type"] not in (*REVERSIBLE, StockMovementReversed.__name__):
        raise errors.MovementNotFound(errors.MovementNotFound.MESSAGE.format(position=command.position))
    product = work.load(original["stream_id"])  # locked: a twin reversal waits here, then sees this one
    if original["type"] == StockMovementReversed.__name__:
        raise errors.MovementNotReversible(errors.MovementNotReversible.MESSAGE.format(position=command.position))
    earlier = (
        Event.objects.filter(stream_id=product.id, type=StockMovementReversed.__name__, data__reverses=command.position)
        .values_list("position", flat=True)
        .first()
    )
    if earlier is not None:
        raise errors.AlreadyReversed(errors.AlreadyReversed.MESSAGE.format(position=command.position, by=earlier))
    if original["type"] == StockTransferred.__name__:
        return [_transfer_back(command, work, product, original["data"])]
    stock = work.stock_at(product, original["data"].get("location", DEFAULT_LOCATION), field="position")
    delta = -MOVEMENT_DELTAS[original["type"]](original["data"])
    after = product.on_hand + delta
    if after < 0 or after > MAX_ON_HAND or stock.on_hand + delta < 0:
        on_hand, after = (
            (product.on_hand, after) if after < 0 or after > MAX_ON_HAND else (stock.on_hand, stock.on_hand + delta)
        )
        raise errors.ReversalRefused(
            errors.ReversalRefused.MESSAGE.format(
                position=command.position, sku=product.sku, after=after, on_hand=on_hand
            )
        )
    if after < product.reserved:
        raise promised_refusal(
            product, errors.StockPromised.REVERSE_MESSAGE, field="position", position=command.position, after=after
        )
    product.on_hand = after
    stock.on_hand += delta
    return [
        StockMovementReversed(
            product_id=product.id, reverses=command.position, quantity=delta, reason=command.reason, location=stock.code
        )
    ]


def _transfer_back(command: ReverseMovement, work: UnitOfWork, product: Product, data: dict) -> DomainEvent:
    """A transfer's quantity goes back from its destination to its source; the total (and every promise) stays."""
    back_from = work.stock_at(product, data["to_location"], field="position")
    back_to = work.stock_at(product, data["from_location"], field="position")
    quantity = data["quantity"]
    if quantity > back_from.on_hand:
        message = errors.ReversalRefused.TRANSFER_MESSAGE.format(
            position=command.position,
            quantity=quantity,
            sku=product.sku,
            source=back_from.code,
            target=back_to.code,
            on_hand=back_from.on_hand,
        )
        raise errors.ReversalRefused(message, field="position", details={"on_hand": back_from.on_hand})
    back_from.on_hand -= quantity
    back_to.on_hand += quantity
    return StockMovementReversed(
        product_id=product.id,
        reverses=command.position,
        quantity=0,
        reason=command.reason,
        location=back_from.code,
        to_location=back_to.code,
        moved=quantity,
    )
