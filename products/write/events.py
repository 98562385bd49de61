"""Events: what happened, in the past tense. The event log is the source of truth."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    product_id: uuid.UUID

    def payload(self) -> dict:
        """The JSON stored in Event.data (product_id lives in the stream id)."""
        return {
            f.name: str(value) if isinstance(value := getattr(self, f.name), Decimal) else value
            for f in fields(self)
            if f.name != "product_id"
        }

    @classmethod
    def from_payload(cls, product_id: uuid.UUID, data: dict) -> DomainEvent:
        kwargs = {f.name: data[f.name] for f in fields(cls) if f.name != "product_id"}
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
    """A stocktake: `counted` is the new on hand, `difference` what it changed by."""

    counted: int
    difference: int
    note: str


@dataclass(frozen=True, kw_only=True)
class ProductArchived(DomainEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ProductRestored(DomainEvent):
    """An archived product came back into use."""


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        ProductCreated,
        ProductDetailsUpdated,
        StockReceived,
        StockIssued,
        StockCounted,
        ProductArchived,
        ProductRestored,
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
