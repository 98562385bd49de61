"""Projections of locations: stock per (product, location), and the list of locations.

Like projections.py, one function per event type, named after it. The stock functions return
the changes an event makes to the per-location levels; the levels projector (projectors/levels.py)
applies a batch of them to the live table after the commands, and replay.py applies the same
changes in memory. A level that reaches zero loses its row: a row means stock is there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS

from products.db.instances import new_instance
from products.read.tables import LocationSummary
from products.write.events import RecordedEvent


@dataclass(frozen=True)
class LevelChange:
    """One location's stock of one product changes by `delta`; a stocktake (`counted`) sets it instead."""

    product_id: uuid.UUID
    location: str
    delta: int = 0
    counted: int | None = None

    def after(self, on_hand: int) -> int:
        return self.counted if self.counted is not None else on_hand + self.delta


def stock_received(recorded: RecordedEvent) -> list[LevelChange]:
    event = recorded.event
    return [LevelChange(event.product_id, event.location, delta=event.quantity)]


def stock_issued(recorded: RecordedEvent) -> list[LevelChange]:
    event = recorded.event
    return [LevelChange(event.product_id, event.location, delta=-event.quantity)]


def stock_counted(recorded: RecordedEvent) -> list[LevelChange]:
    """The location holds what was counted plus what moved there since the count was taken."""
    event = recorded.event
    found = event.counted + event.moved_since
    return [LevelChange(event.product_id, event.location, delta=event.difference, counted=found)]


def stock_movement_reversed(recorded: RecordedEvent) -> list[LevelChange]:
    """A transfer's reversal moves `moved` from `location` to `to_location`; any other changes one place."""
    event = recorded.event
    changes = [LevelChange(event.product_id, event.location, delta=event.quantity - event.moved)]
    if event.to_location:
        changes.append(LevelChange(event.product_id, event.to_location, delta=event.moved))
    return changes


def stock_transferred(recorded: RecordedEvent) -> list[LevelChange]:
    event = recorded.event
    return [
        LevelChange(event.product_id, event.from_location, delta=-event.quantity),
        LevelChange(event.product_id, event.to_location, delta=event.quantity),
    ]


def reservation_fulfilled(recorded: RecordedEvent) -> list[LevelChange]:
    event = recorded.event
    return [LevelChange(event.product_id, event.location, delta=-event.quantity)]


LEVEL_PROJECTIONS = {
    "ReservationFulfilled": reservation_fulfilled,
    "StockReceived": stock_received,
    "StockIssued": stock_issued,
    "StockCounted": stock_counted,
    "StockTransferred": stock_transferred,
    "StockMovementReversed": stock_movement_reversed,
}


def level_changes(recorded: RecordedEvent) -> list[LevelChange]:
    projection = LEVEL_PROJECTIONS.get(recorded.type)
    return [] if projection is None else projection(recorded)


def _path(code: str, parent: str | None) -> str:
    return f"{parent} / {code}" if parent else code


def _details(summary: LocationSummary, recorded: RecordedEvent) -> LocationSummary:
    event = recorded.event
    summary.code, summary.name, summary.parent = event.code, event.name, event.parent or ""
    summary.path = _path(event.code, event.parent)
    return _refresh(summary, recorded)


def _refresh(summary: LocationSummary, recorded: RecordedEvent) -> LocationSummary:
    summary.version = recorded.stream_version
    summary.updated_at = recorded.occurred_at
    summary.last_position = recorded.position
    return summary


def _new(recorded: RecordedEvent) -> LocationSummary:
    return new_instance(
        LocationSummary,
        location_id=recorded.event.location_id,
        code=recorded.event.code,
        name="",
        parent="",
        path=recorded.event.code,
        archived=False,
        version=0,
        updated_at=recorded.occurred_at,
        last_position=recorded.position,
    )


def location_created(summary: LocationSummary | None, recorded: RecordedEvent) -> LocationSummary:
    return _details(_new(recorded), recorded)


def location_updated(summary: LocationSummary | None, recorded: RecordedEvent) -> LocationSummary:
    """MAIN is built in: its first edit is the first event about it, and makes its row."""
    return _details(summary or _new(recorded), recorded)


def location_archived(summary: LocationSummary | None, recorded: RecordedEvent) -> LocationSummary:
    summary = summary or _new(recorded)
    summary.archived = True
    return _refresh(summary, recorded)


LOCATION_PROJECTIONS = {
    "LocationCreated": location_created,
    "LocationUpdated": location_updated,
    "LocationArchived": location_archived,
}


def project_location(recorded: RecordedEvent) -> None:
    """Apply one location event to the live table, inside the command's transaction."""
    before = LocationSummary.objects.using(DEFAULT_DB_ALIAS).filter(pk=recorded.event.location_id).first()
    summary = LOCATION_PROJECTIONS[recorded.type](before, recorded)
    summary.save(using=DEFAULT_DB_ALIAS, force_insert=before is None)
