"""What a command_id was first used for, and whether a repeat is that same request or a reused key.

The event log keeps, beside each command_id, the command's type, its target (the stream) and a
digest of its fields (unit_of_work.py fills them in the event's own INSERT, so this costs the hot
path nothing). A repeat that matches is a replay and succeeds as the first did; one that does not
is refused with IdempotencyKeyReused and writes nothing (Stripe's rule). A refused command leaves
no record, so its command_id stays free: a retry after a refusal is judged afresh, by design.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from products.write import errors
from products.write.aggregates import Location, Product
from products.write.commands import Command
from products.write.log import Event

# Events from before the log recorded command types: each event type came from exactly one command then.
COMMAND_OF_LEGACY_EVENT = {
    "ProductCreated": "CreateProduct",
    "ProductDetailsUpdated": "UpdateProductDetails",
    "StockReceived": "ReceiveStock",
    "StockIssued": "IssueStock",
    "StockCounted": "CountStock",
    "ProductArchived": "ArchiveProduct",
    "ProductRestored": "RestoreProduct",
}


@dataclass(frozen=True)
class FirstUse:
    """The request a command_id was first used for; `digest` is None when it is not known (old events)."""

    command_type: str
    target: uuid.UUID | None
    digest: str | None
    position: int | None = None


def recorded_use(command_id) -> FirstUse | None:
    """What the event log says this command_id was used for (None: it recorded nothing)."""
    row = (
        Event.objects.filter(command_id=command_id)
        .values_list("position", "type", "stream_id", "command_type", "request_digest")
        .first()
    )
    if row is None:
        return None
    position, event_type, stream_id, command_type, digest = row
    return FirstUse(
        command_type=command_type or COMMAND_OF_LEGACY_EVENT.get(event_type, ""),
        target=stream_id,
        digest=digest or None,
        position=position,
    )


def is_same_request(first: FirstUse, command: Command) -> bool:
    """Same type, same target and same fields; an old event without a digest matches on type and target.

    A command that names no product (a reversal names a ledger position; a reservation's release or
    fulfilment finds its product from the reservation) is matched on its type and fields alone: the
    digest holds the position or the reservation's id.
    """
    if first.command_type != type(command).__name__:
        return False
    if command.target is not None and _uuid(first.target) != command.target:
        return False
    return first.digest is None or first.digest == command.request_digest()


def ensure_same_request(first: FirstUse, command: Command) -> None:
    """Refuse a command that reuses the command_id of another request, naming what it was first used for."""
    if is_same_request(first, command):
        return
    sku, code = _names(first)
    raise errors.IdempotencyKeyReused(
        first=describe(first, sku, code),
        now=_difference(first, command),
        command_type=first.command_type,
        subject=sku or (f"location {code}" if code else ""),
    )


def _names(first: FirstUse) -> tuple[str | None, str | None]:
    """The SKU or location code of what the first use was about (None, None: it named neither)."""
    if first.target is None:
        return None, None
    sku = Product.objects.filter(pk=first.target).values_list("sku", flat=True).first()
    if sku is not None:
        return sku, None
    return None, Location.objects.filter(pk=first.target).values_list("code", flat=True).first()


def describe(first: FirstUse, sku: str | None, code: str | None) -> str:
    """'ReceiveStock on ACC-001 (product <id>)': in words an API caller can match to their own request."""
    if first.target is None:
        return first.command_type
    if code:
        return f"{first.command_type} on location {code}"
    product = f"{sku} (product {first.target})" if sku else f"product {first.target}"
    return f"{first.command_type} on {product}"


def _difference(first: FirstUse, command: Command) -> str:
    if first.command_type != type(command).__name__:
        return f"this request is {type(command).__name__}"
    if command.target is not None and _uuid(first.target) != command.target:
        return f"this request is for product {command.target}"
    return "this request asks for something else (another quantity, note or detail)"


def _uuid(value) -> uuid.UUID | None:
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(str(value))
