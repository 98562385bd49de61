"""Projections: one function per event type, turning events into read-model rows.

Each function changes a ProductSummary in memory and may return a ledger entry (reservation
events also change their ReservationEntry, see RESERVATION_PROJECTIONS);
`project_command`, the bus's projector (registered in products/apps.py), applies them to the
summary, stats, reservations and locations inside the command's transaction; the ledger projector
(projectors/ledger.py) applies the same functions for the movements and the details history after
it, and replay (see replay.py) applies them all to rebuild from scratch.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Greatest

from products.db import rowsql
from products.db.instances import new_instance
from products.read.location_projections import LOCATION_PROJECTIONS, project_location
from products.read.tables import (
    MAIN,
    STATS_SHARDS,
    DetailsHistoryEntry,
    InventoryStats,
    MovementKind,
    ProductSummary,
    ReservationEntry,
    ReservationState,
    StockMovementEntry,
    stock_status,
)
from products.write.events import RecordedEvent


def _derive(summary: ProductSummary) -> None:
    """Columns that follow from the others."""
    summary.available = summary.on_hand - summary.reserved
    summary.status = stock_status(summary.available, summary.reorder_level)
    summary.stock_value = summary.price * summary.on_hand
    summary.search_text = f"{summary.sku} {summary.name}".lower()


def _refresh(summary: ProductSummary, recorded: RecordedEvent) -> None:
    """Derived columns every projection keeps in step."""
    _derive(summary)
    summary.version = recorded.stream_version
    summary.updated_at = recorded.occurred_at
    summary.last_position = recorded.position


def _movement(
    summary: ProductSummary, recorded: RecordedEvent, kind: str, delta: int, note: str, reverses=None, **where
):
    """`where`: location (default MAIN), and for a transfer to_location and moved."""
    summary.last_movement_at = recorded.occurred_at
    return new_instance(
        StockMovementEntry,
        position=recorded.position,
        product_id=summary.product_id,
        sku=summary.sku,
        product_name=summary.name,
        kind=kind,
        quantity=delta,
        on_hand_after=summary.on_hand,
        note=note,
        actor=recorded.actor,
        occurred_at=recorded.occurred_at,
        reverses=reverses,
        reversed_by=None,
        **({"location": MAIN, "to_location": "", "moved": 0} | where),
    )


def product_created(summary: ProductSummary | None, recorded: RecordedEvent):
    event = recorded.event
    summary = new_instance(
        ProductSummary,
        product_id=event.product_id,
        sku=event.sku,
        name=event.name,
        description=event.description,
        price=event.price,
        reorder_level=event.reorder_level,
        on_hand=0,
        reserved=0,
        archived=False,
        created_at=recorded.occurred_at,
        last_movement_at=None,
        # Set by _refresh below; listed so every field exists from the start.
        available=None,
        status=None,
        version=None,
        stock_value=None,
        search_text=None,
        updated_at=None,
        last_position=None,
    )
    _refresh(summary, recorded)
    return summary, None


def product_details_updated(summary: ProductSummary, recorded: RecordedEvent):
    event = recorded.event
    summary.sku = event.sku
    summary.name = event.name
    summary.description = event.description
    summary.price = event.price
    summary.reorder_level = event.reorder_level
    _refresh(summary, recorded)
    return summary, None


def stock_received(summary: ProductSummary, recorded: RecordedEvent):
    event = recorded.event
    summary.on_hand += event.quantity
    _refresh(summary, recorded)
    return summary, _movement(
        summary, recorded, MovementKind.RECEIVED, event.quantity, event.note, location=event.location
    )


def stock_issued(summary: ProductSummary, recorded: RecordedEvent):
    event = recorded.event
    summary.on_hand -= event.quantity
    _refresh(summary, recorded)
    return summary, _movement(
        summary, recorded, MovementKind.ISSUED, -event.quantity, event.note, location=event.location
    )


def stock_counted(summary: ProductSummary, recorded: RecordedEvent):
    """A count sets one location's stock; the total moves by the difference it recorded."""
    event = recorded.event
    summary.on_hand += event.difference  # the replay makes it lead to counted + moved_since at its location
    _refresh(summary, recorded)
    return summary, _movement(
        summary, recorded, MovementKind.COUNTED, event.difference, event.note, location=event.location
    )


def stock_transferred(summary: ProductSummary, recorded: RecordedEvent):
    """The total stays; the ledger row names both ends and how many moved."""
    event = recorded.event
    _refresh(summary, recorded)
    where = {"location": event.from_location, "to_location": event.to_location, "moved": event.quantity}
    return summary, _movement(summary, recorded, MovementKind.TRANSFERRED, 0, event.note, **where)


def stock_movement_reversed(summary: ProductSummary, recorded: RecordedEvent):
    """The correction's own ledger row; the original's reversed_by is linked by link_reversal (and the rebuilds).

    A transfer moved back names both ends, as the transfer's row does.
    """
    event = recorded.event
    summary.on_hand += event.quantity
    _refresh(summary, recorded)
    where = {"location": event.location}
    if event.to_location:
        where |= {"to_location": event.to_location, "moved": event.moved}
    return summary, _movement(
        summary, recorded, MovementKind.REVERSAL, event.quantity, event.reason, reverses=event.reverses, **where
    )


def link_reversal(movement: StockMovementEntry) -> None:
    """Point the reversed movement at its reversal, so the ledger links both ways."""
    if movement.reverses is not None:
        StockMovementEntry.objects.filter(position=movement.reverses).update(reversed_by=movement.position)


def link_reversals() -> int:
    """After a rebuild: every reversed movement names its reversal (set-based; returns how many)."""
    reversal = StockMovementEntry.objects.filter(reverses=OuterRef("position")).values("position")[:1]
    reversed_positions = StockMovementEntry.objects.filter(reverses__isnull=False).values("reverses")
    return StockMovementEntry.objects.filter(position__in=reversed_positions).update(reversed_by=Subquery(reversal))


def product_archived(summary: ProductSummary, recorded: RecordedEvent):
    summary.archived = True
    _refresh(summary, recorded)
    return summary, None


def product_restored(summary: ProductSummary, recorded: RecordedEvent):
    summary.archived = False
    _refresh(summary, recorded)
    return summary, None


def stock_reserved(summary: ProductSummary, recorded: RecordedEvent):
    summary.reserved += recorded.event.quantity
    _refresh(summary, recorded)
    return summary, None


def reservation_released(summary: ProductSummary, recorded: RecordedEvent):
    """Released or expired: what it still held is available again."""
    summary.reserved -= recorded.event.quantity
    _refresh(summary, recorded)
    return summary, None


def reservation_fulfilled(summary: ProductSummary, recorded: RecordedEvent):
    """The reserved stock left: on hand and reserved fall together, and the ledger shows an issue."""
    event = recorded.event
    summary.on_hand -= event.quantity
    summary.reserved -= event.quantity
    _refresh(summary, recorded)
    return summary, _movement(
        summary, recorded, MovementKind.ISSUED, -event.quantity, event.note, location=event.location
    )


PROJECTIONS = {
    "ProductCreated": product_created,
    "ProductDetailsUpdated": product_details_updated,
    "StockReceived": stock_received,
    "StockIssued": stock_issued,
    "StockCounted": stock_counted,
    "ProductArchived": product_archived,
    "StockTransferred": stock_transferred,
    "StockReserved": stock_reserved,
    "ReservationReleased": reservation_released,
    "ReservationExpired": reservation_released,
    "ReservationFulfilled": reservation_fulfilled,
    "ProductRestored": product_restored,
    "StockMovementReversed": stock_movement_reversed,
}


def reservation_opened(entry: None, recorded: RecordedEvent) -> ReservationEntry:
    event = recorded.event
    return new_instance(
        ReservationEntry,
        reservation_id=_uuid(event.reservation_id),
        product_id=event.product_id,
        quantity=event.quantity,
        fulfilled=0,
        reference=event.reference,
        status=ReservationState.ACTIVE,
        expires_at=datetime.fromisoformat(event.expires_at) if event.expires_at else None,
        reserved_by=recorded.actor,
        reserved_at=recorded.occurred_at,
        updated_at=recorded.occurred_at,
        version=1,
        last_position=recorded.position,
    )


def _closed_as(status: str):
    def close(entry: ReservationEntry, recorded: RecordedEvent) -> ReservationEntry:
        entry.status = status
        return _touched(entry, recorded)

    close.__name__ = f"reservation_{status}"
    return close


def reservation_part_fulfilled(entry: ReservationEntry, recorded: RecordedEvent) -> ReservationEntry:
    entry.fulfilled += recorded.event.quantity
    if entry.fulfilled == entry.quantity:
        entry.status = ReservationState.FULFILLED
    return _touched(entry, recorded)


def _touched(entry: ReservationEntry, recorded: RecordedEvent) -> ReservationEntry:
    entry.version += 1
    entry.updated_at = recorded.occurred_at
    entry.last_position = recorded.position
    return entry


# Reservation events change their reservation's row too (after the product's summary).
RESERVATION_PROJECTIONS = {
    "StockReserved": reservation_opened,
    "ReservationReleased": _closed_as(ReservationState.RELEASED),
    "ReservationExpired": _closed_as(ReservationState.EXPIRED),
    "ReservationFulfilled": reservation_part_fulfilled,
}
RESERVATION_FIELDS = [f.attname for f in ReservationEntry._meta.concrete_fields if not f.primary_key]


def apply_reservation(entry: ReservationEntry | None, recorded: RecordedEvent) -> ReservationEntry:
    """Run the reservation projection for this event type (only for those in RESERVATION_PROJECTIONS)."""
    return RESERVATION_PROJECTIONS[recorded.type](entry, recorded)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


DETAILS_EVENTS = frozenset({"ProductCreated", "ProductDetailsUpdated", "ProductArchived"})


def details_entry(summary: ProductSummary, recorded: RecordedEvent) -> DetailsHistoryEntry | None:
    """The details history row an event adds (from the summary after it), or None for a movement."""
    if recorded.type not in DETAILS_EVENTS:
        return None
    return new_instance(
        DetailsHistoryEntry,
        position=recorded.position,
        product_id=summary.product_id,
        price=summary.price,
        reorder_level=summary.reorder_level,
        archived=summary.archived,
        occurred_at=recorded.occurred_at,
    )


SUMMARY_FIELDS = [f.attname for f in ProductSummary._meta.concrete_fields if not f.primary_key]


def apply(summary: ProductSummary | None, recorded: RecordedEvent):
    """Run the projection for this event type; returns (summary, ledger entry or None)."""
    return PROJECTIONS[recorded.type](summary, recorded)


def stats_contribution(summary: ProductSummary | None) -> dict:
    """What one product adds to InventoryStats; the difference before/after is the update."""
    zero = dict.fromkeys(InventoryStats.COUNTERS, 0)
    if summary is None:
        return zero
    if summary.archived:
        return zero | {"archived": 1}
    return zero | {
        "active_products": 1,
        summary.status: 1,
        "total_units": summary.on_hand,
        "total_value": summary.stock_value,
        "reserved_units": summary.reserved,
        "reserved_value": summary.price * summary.reserved,
    }


def stats_shard(product_id) -> int:
    return product_id.int % STATS_SHARDS


# Columns a summary shares with its product's write-model row, both written from the same events in
# the same transaction: verify_read_models checks these agree; the two times are each event's occurred_at.
MIRRORED_FIELDS = (
    "sku",
    "name",
    "description",
    "price",
    "reorder_level",
    "on_hand",
    "reserved",
    "archived",
    "version",
)
MIRRORED_TIMES = ("created_at", "updated_at")
_UNKNOWN = object()  # a column the product row cannot tell (last_movement_at, last_position): written once set


def summary_as_of(product) -> ProductSummary:
    """The product's summary row as it stands, built from the product row instead of read back.

    The caller holds the product row locked, unchanged since it was loaded, so the summary
    is at the same version: the shared columns are equal and the derived ones follow.
    """
    values = dict.fromkeys(SUMMARY_FIELDS, _UNKNOWN) | {
        name: getattr(product, name) for name in (*MIRRORED_FIELDS, *MIRRORED_TIMES)
    }
    summary = new_instance(ProductSummary, product_id=product.id, **values)
    _derive(summary)
    return summary


def project_command(recorded: Sequence[RecordedEvent], before: Mapping) -> None:
    """The bus's projector (registered in products/apps.py): one command's events, in its transaction.

    `before` maps each product id to its write-model row as the command found it (None: new);
    the summaries start from those rows, never read back.
    """
    summaries = {}
    for event in recorded:
        if event.type in LOCATION_PROJECTIONS:
            project_location(event)
            continue
        product_id = event.event.product_id
        if product_id not in summaries:
            row = before.get(product_id)
            summaries[product_id] = None if row is None else summary_as_of(row)
        summaries[product_id] = project(event, summaries[product_id])
        if event.type in RESERVATION_PROJECTIONS:
            row = before.get(_uuid(event.event.reservation_id))
            project_reservation(event, None if row is None else reservation_as_of(row))


# Columns a reservation's row shares with its write-model row (verify_read_models checks they agree).
RESERVATION_MIRRORED = ("product_id", "quantity", "fulfilled", "reference", "status", "expires_at", "version")


def reservation_as_of(reservation) -> ReservationEntry:
    """The reservation's read row as it stands, built from its locked write-model row instead of read back."""
    values = dict.fromkeys(RESERVATION_FIELDS, _UNKNOWN) | {
        name: getattr(reservation, name) for name in RESERVATION_MIRRORED
    }
    values |= {"reserved_at": reservation.created_at, "updated_at": reservation.updated_at}
    return new_instance(ReservationEntry, reservation_id=reservation.id, **values)


def project_reservation(recorded: RecordedEvent, before: ReservationEntry | None) -> ReservationEntry:
    """Apply one reservation event to its live row: inserted when new, else only the changed columns written."""
    was = None if before is None else [getattr(before, name) for name in RESERVATION_FIELDS]
    entry = apply_reservation(before, recorded)
    if was is None:
        rowsql.insert(entry)
    else:
        changed = [name for name, value in zip(RESERVATION_FIELDS, was, strict=True) if getattr(entry, name) != value]
        if not rowsql.update(entry, changed):
            raise ReservationEntry.DoesNotExist(
                f"no row for reservation {entry.reservation_id}: rebuild the read models"
            )
    return entry


def project(recorded: RecordedEvent, before: ProductSummary | None) -> ProductSummary:
    """Apply one event to the live summary and stats, inside the caller's transaction; returns the new summary.

    `before` is the summary as it stands (see summary_as_of), None for a new product.
    Only the columns the event changed are written.
    """
    old = stats_contribution(before)
    was = None if before is None else [getattr(before, name) for name in SUMMARY_FIELDS]
    summary, _ = apply(before, recorded)  # its movement is the ledger projector's (projectors/ledger.py)
    if was is None:
        rowsql.insert(summary)
    else:
        changed = [name for name, value in zip(SUMMARY_FIELDS, was, strict=True) if getattr(summary, name) != value]
        if not rowsql.update(summary, changed):
            raise ProductSummary.DoesNotExist(f"no summary row for {summary.product_id}: rebuild the read models")
    new = stats_contribution(summary)
    amounts = {key: new[key] - old[key] for key in InventoryStats.COUNTERS if new[key] != old[key]}
    shard = stats_shard(summary.product_id)
    if not rowsql.add(InventoryStats, shard, amounts, at_least={"last_position": recorded.position}):
        _create_stats_shard(shard, recorded.position, {key: new[key] - old[key] for key in InventoryStats.COUNTERS})
    return summary


def _create_stats_shard(shard: int, position: int, counters: dict) -> None:
    """First event for a shard; a concurrent first event may beat us to the insert."""
    try:
        with transaction.atomic():
            InventoryStats.objects.create(shard=shard, last_position=position, **counters)
    except IntegrityError:
        changes = {key: F(key) + value for key, value in counters.items()}
        InventoryStats.objects.filter(shard=shard).update(
            last_position=Greatest(F("last_position"), position), **changes
        )
