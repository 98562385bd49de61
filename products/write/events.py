"""Events: what happened, in the past tense. The event log is the source of truth."""

from __future__ import annotations

import uuid
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

# Where stock is when nobody says: the built-in location every older event means (see upcast).
DEFAULT_LOCATION = "MAIN"
# A location's stream id follows from its code (codes never change and are unique regardless of case).
LOCATION_NAMESPACE = uuid.UUID("3f0b7c1e-6a52-4a8e-9d0e-6c1f4c2b9a11")


def location_stream_id(code: str) -> uuid.UUID:
    return uuid.uuid5(LOCATION_NAMESPACE, code.upper())


def upcast(event_type: str, data: dict) -> dict:
    """An event's payload in today's shape: stock events from before locations existed happened at MAIN."""
    if event_type in LOCATED_EVENTS and "location" not in data:
        return data | {"location": DEFAULT_LOCATION}
    return data


@dataclass(frozen=True, kw_only=True)
class StreamEvent:
    """Base of every event: it belongs to one aggregate's stream, named by STREAM_FIELD."""

    STREAM_FIELD: ClassVar[str] = "product_id"

    @property
    def stream_id(self) -> uuid.UUID:
        return getattr(self, self.STREAM_FIELD)

    def payload(self) -> dict:
        """The JSON stored in Event.data (the aggregate's id lives in the stream id).

        A field added later with a default is left out while at it, so such events keep the shape they had
        (a stock event at MAIN has no `location`: see upcast).
        """
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == self.STREAM_FIELD or f.default is not MISSING and value == f.default:
                continue
            data[f.name] = str(value) if isinstance(value, Decimal) else value
        return data

    @classmethod
    def from_payload(cls, stream_id: uuid.UUID, data: dict) -> StreamEvent:
        """A field added after an event was first written reads as its default (an upcast: old logs replay)."""
        kwargs = {
            f.name: data[f.name] if f.name in data or f.default is MISSING else f.default
            for f in fields(cls)
            if f.name != cls.STREAM_FIELD
        }
        if "price" in kwargs:
            kwargs["price"] = Decimal(kwargs["price"])
        return cls(**{cls.STREAM_FIELD: stream_id}, **kwargs)


@dataclass(frozen=True, kw_only=True)
class DomainEvent(StreamEvent):
    """Something that happened to one product."""

    product_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class LocationEvent(StreamEvent):
    """Something that happened to one location (a warehouse or a bin)."""

    STREAM_FIELD: ClassVar[str] = "location_id"

    location_id: uuid.UUID


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
    location: str = DEFAULT_LOCATION


@dataclass(frozen=True, kw_only=True)
class StockIssued(DomainEvent):
    quantity: int
    note: str
    location: str = DEFAULT_LOCATION


@dataclass(frozen=True, kw_only=True)
class StockCounted(DomainEvent):
    """A stocktake at one location: `counted` units were found there; its stock becomes counted + moved_since.

    `difference` is what that location (and so the total) changed by. `moved_since` is what movements
    at that location recorded after the count was taken (`counted_at`, ISO 8601, when the count said so)
    added up to: they stay on top of the counted figure. Old events read as 0 and None.
    """

    counted: int
    difference: int
    note: str
    counted_at: str | None = None
    moved_since: int = 0
    location: str = DEFAULT_LOCATION


@dataclass(frozen=True, kw_only=True)
class StockTransferred(DomainEvent):
    """Stock moved between two locations of one product; its total is unchanged."""

    quantity: int
    from_location: str
    to_location: str
    note: str


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
    """A correction: `quantity` (signed) undoes the movement at position `reverses`, which stays as it was.

    A transfer's reversal moves its quantity back: `moved` units go from `location` (the transfer's
    destination) to `to_location` (its source), and `quantity` (the total's change) is 0.
    """

    reverses: int
    quantity: int
    reason: str
    location: str = DEFAULT_LOCATION
    to_location: str | None = None
    moved: int = 0


@dataclass(frozen=True, kw_only=True)
class LocationCreated(LocationEvent):
    """`parent` is the code of the location that holds this one (a warehouse holding a bin), or None."""

    code: str
    name: str
    parent: str | None


@dataclass(frozen=True, kw_only=True)
class LocationUpdated(LocationEvent):
    """Carries the full new details, like ProductDetailsUpdated."""

    code: str
    name: str
    parent: str | None


@dataclass(frozen=True, kw_only=True)
class LocationArchived(LocationEvent):
    code: str


# Stock events that happen at one location (old ones without it are upcast to MAIN).
LOCATED_EVENTS = frozenset({"StockReceived", "StockIssued", "StockCounted", "StockMovementReversed"})

EVENT_TYPES: dict[str, type[StreamEvent]] = {
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
        StockTransferred,
        LocationCreated,
        LocationUpdated,
        LocationArchived,
    )
}
PRODUCT_EVENT_TYPES = frozenset(name for name, cls in EVENT_TYPES.items() if issubclass(cls, DomainEvent))
LOCATION_EVENT_TYPES = frozenset(name for name, cls in EVENT_TYPES.items() if issubclass(cls, LocationEvent))


@dataclass(frozen=True, kw_only=True)
class RecordedEvent:
    """An event as stored: its payload plus where, when and by whom."""

    position: int
    stream_version: int
    occurred_at: datetime
    actor: str
    command_id: uuid.UUID
    event: StreamEvent

    @property
    def type(self) -> str:
        return type(self.event).__name__
