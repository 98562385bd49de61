"""Replay the event log through the projections: to rebuild or to verify the read models."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace

from django.db import connection, transaction

from products.db.bulk import deferred_indexes, insert_rows
from products.read import rebuild as replay_sql
from products.read.location_projections import LOCATION_PROJECTIONS, level_changes
from products.read.log_reader import EVENT_CHUNK, read_events
from products.read.projections import (
    RESERVATION_PROJECTIONS,
    apply,
    apply_reservation,
    details_entry,
    link_reversals,
    stats_contribution,
    stats_shard,
)
from products.read.projectors import mark_caught_up
from products.read.rebuild import Counts
from products.read.tables import (
    READ_MODELS,
    STATS_SHARDS,
    DetailsHistoryEntry,
    InventoryStats,
    LocationSummary,
    ProductSummary,
    ReservationEntry,
    StockByLocation,
    StockMovementEntry,
)
from products.write.events import LOCATION_EVENT_TYPES, RecordedEvent
from products.write.log import Event, lock_event_log

logger = logging.getLogger(__name__)


class Replay:
    """Read models rebuilt in memory from events; movements are handed out as they appear."""

    def __init__(self):
        self.summaries: dict = {}
        self.levels: dict[tuple[uuid.UUID, str], int] = {}  # (product id, location code) -> on hand, never 0
        self.locations: dict[uuid.UUID, LocationSummary] = {}
        self.reservations: dict = {}
        self.details: list[DetailsHistoryEntry] = []
        self.events = 0

    def apply(self, recorded: RecordedEvent) -> StockMovementEntry | None:
        self.events += 1
        if recorded.type in LOCATION_PROJECTIONS:
            location_id = recorded.event.location_id
            self.locations[location_id] = LOCATION_PROJECTIONS[recorded.type](self.locations.get(location_id), recorded)
            return None
        recorded = self._apply_levels(recorded)
        product_id = recorded.event.product_id
        summary, movement = apply(self.summaries.get(product_id), recorded)
        self.summaries[product_id] = summary
        if recorded.type in RESERVATION_PROJECTIONS:
            reservation_id = uuid.UUID(recorded.event.reservation_id)
            self.reservations[reservation_id] = apply_reservation(self.reservations.get(reservation_id), recorded)
        if (details := details_entry(summary, recorded)) is not None:
            self.details.append(details)
        return movement

    def _apply_levels(self, recorded: RecordedEvent) -> RecordedEvent:
        """A count is the truth: should its recorded difference not lead to it, the total follows the count."""
        for change in level_changes(recorded):
            key = (change.product_id, change.location)
            before = self.levels.get(key, 0)
            if change.counted is not None and change.counted - before != recorded.event.difference:
                recorded = replace(recorded, event=replace(recorded.event, difference=change.counted - before))
            if after := change.after(before):
                self.levels[key] = after
            else:
                self.levels.pop(key, None)
        return recorded

    def level_rows(self) -> list[StockByLocation]:
        return [
            StockByLocation(product_id=product_id, location=location, on_hand=on_hand)
            for (product_id, location), on_hand in self.levels.items()
        ]

    def stats(self) -> list[InventoryStats]:
        shards = [InventoryStats(shard=shard) for shard in range(STATS_SHARDS)]
        for summary in self.summaries.values():
            shard = shards[stats_shard(summary.product_id)]
            for key, value in stats_contribution(summary).items():
                setattr(shard, key, getattr(shard, key) + value)
            shard.last_position = max(shard.last_position, summary.last_position)
        return [shard for shard in shards if shard.last_position]


def rebuild(progress: Callable[[int], None] | None = None) -> Counts:
    """Drop every read-model row and replay the whole log, in one transaction.

    The emptied tables load without their secondary indexes, which are built once at the end.
    On PostgreSQL the replay runs as SQL inside the database (rebuild.py); the Python
    replay, the reference, runs elsewhere and for the rare log the SQL cannot take.
    `progress` hears how many events are replayed so far.
    """
    with transaction.atomic():
        lock_event_log()
        _clear_read_models()
        with deferred_indexes(
            ProductSummary,
            StockMovementEntry,
            DetailsHistoryEntry,
            ReservationEntry,
            build_memory=replay_sql.INDEX_BUILD_MEMORY,
        ):
            counts = _replay_in_sql(progress) if connection.vendor == "postgresql" else None
            if counts is None:
                counts = _replay_in_python(progress)
            else:
                _replay_locations()
        link_reversals()
        mark_caught_up()
    if progress:
        progress(counts.events)
    return counts


def _replay_in_sql(progress) -> Counts | None:
    """None when the log needs the event-by-event replay; the tables are left empty for it."""
    try:
        with transaction.atomic():
            return replay_sql.replay(progress)
    except replay_sql.ReplayNeedsPython as exc:
        logger.warning("Rebuilding in Python, event by event: %s", exc)
        return None


def _replay_locations() -> None:
    """The few location events, through their projections (the SQL rebuild does the products)."""
    replay = Replay()
    for row in Event.objects.filter(type__in=LOCATION_EVENT_TYPES).order_by("position").iterator():
        replay.apply(row.to_recorded())
    LocationSummary.objects.bulk_create(replay.locations.values())


def _replay_in_python(progress) -> Counts:
    replay = Replay()

    def movements():
        for recorded in read_events():
            movement = replay.apply(recorded)
            if movement is not None:
                yield movement
            if progress and replay.events % EVENT_CHUNK == 0:
                progress(replay.events)

    insert_rows(StockMovementEntry, movements())
    insert_rows(ProductSummary, replay.summaries.values())
    insert_rows(ReservationEntry, replay.reservations.values())
    insert_rows(DetailsHistoryEntry, replay.details)
    InventoryStats.objects.bulk_create(replay.stats())
    StockByLocation.objects.bulk_create(replay.level_rows(), batch_size=5000)
    LocationSummary.objects.bulk_create(replay.locations.values())
    return Counts(events=replay.events, products=len(replay.summaries), method="python")


def _clear_read_models() -> None:
    tables = [model._meta.db_table for model in READ_MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (table names are ours)
