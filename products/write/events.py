"""Events: what happened, in the past tense. The event log is the source of truth."""

from __future__ import annotations

import uuid
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    product_id: uuid.UUID

    def payload(self) -> dict:
        """The JSON stored in Event.data (product_id lives in the stream id).

        A field added later with a default is left out while at it, so such events keep the shape they had.
        """
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "product_id" or f.default is not MISSING and value == f.default:
                continue
            data[f.name] = str(value) if isinstance(value, Decimal) else value
        return data

    @classmethod
    def from_payload(cls, product_id: uuid.UUID, data: dict) -> DomainEvent:
        """A field added after an event was first written reads as its default (an upcast: old logs replay)."""
        kwargs = {
            f.name: data[f.name] if f.name in data or f.default is MISSING else f.default
            for f in fields(cls)
            if f.name != "product_id"
        }
        if "price" in kwargs:
            kwargs["price"] = Decimal(kwargs["price"])
        return cls(product_id=product_id, **kwargs)


@dataclass(frozen=True, kw_only=True)
class ProductCreated(DomainEvent):
    sku: str
    name: str
    description: str
    price: Decimal
    reorder_level: int


@dataclass(frozen=True, kw_only=True)
class ProductDetailsUpdated(DomainEvent):
    """Carries the full new details, so a projection never needs the old ones."""

    sku: str
    name: str
    description: str
    price: Decimal
    reorder_level: int


@dataclass(frozen=True, kw_only=True)
class StockReceived(DomainEvent):
    quantity: int
    note: str


@dataclass(frozen=True, kw_only=True)
class StockIssued(DomainEvent):
    quantity: int
    note: str


@dataclass(frozen=True, kw_only=True)
class StockCounted(DomainEvent):
    """A stocktake: `counted` units were found; on hand becomes counted + moved_since, `difference` is the change.

    `moved_since` is what movements recorded after the count was taken (`counted_at`, ISO 8601, when
    the count said so) added up to: they stay on top of the counted figure. Old events read as 0 and None.
    """

    counted: int
    difference: int
    note: str
    counted_at: str | None = None
    moved_since: int = 0


@dataclass(frozen=True, kw_only=True)
class ProductArchived(DomainEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class StockReserved(DomainEvent):
    """Stock promised to `reference`; `expires_at` is ISO 8601 (UTC) or None."""

    reservation_id: str
    quantity: int
    reference: str
    expires_at: str | None


@dataclass(frozen=True, kw_only=True)
class ReservationReleased(DomainEvent):
    """A reservation let go; `quantity` is what it still held, now free again."""

    reservation_id: str
    quantity: int
    reference: str


@dataclass(frozen=True, kw_only=True)
class ReservationExpired(DomainEvent):
    """Released by the system's sweep because its time ran out; `quantity` is what it still held."""

    reservation_id: str
    quantity: int
    reference: str


@dataclass(frozen=True, kw_only=True)
class ReservationFulfilled(DomainEvent):
    """Reserved stock issued: on hand and reserved both fall by `quantity`; the rest stays reserved."""

    reservation_id: str
    quantity: int
    reference: str
    location: str
    note: str


RESERVATION_EVENTS = (StockReserved, ReservationReleased, ReservationExpired, ReservationFulfilled)


@dataclass(frozen=True, kw_only=True)
class ProductRestored(DomainEvent):
    """An archived product came back into use."""


@dataclass(frozen=True, kw_only=True)
class StockMovementReversed(DomainEvent):
    """A correction: `quantity` (signed) undoes the movement at position `reverses`, which stays as it was."""

    reverses: int
    quantity: int
    reason: str


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        ProductCreated,
        ProductDetailsUpdated,
        StockReceived,
        StockIssued,
        StockCounted,
        ProductArchived,
        *RESERVATION_EVENTS,
        ProductRestored,
        StockMovementReversed,
    )
}


@dataclass(frozen=True, kw_only=True)
class RecordedEvent:
    """An event as stored: its payload plus where, when and by whom."""

    position: int
    stream_version: int
    occurred_at: datetime
    actor: str
    command_id: uuid.UUID
    event: DomainEvent

    @property
    def type(self) -> str:
        return type(self.event).__name__
