"""Replay the event log through the projections: to rebuild or to verify the read models."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db import connection, transaction

from .events import EVENT_TYPES, RecordedEvent
from .models import Event, lock_event_log
from .projections import apply, stats_contribution, stats_shard
from .read_models import STATS_SHARDS, InventoryStats, ProductSummary, StockMovementEntry

EVENT_CHUNK = 5000
INSERT_BATCH = 2000


def read_events(chunk: int = EVENT_CHUNK) -> Iterator[RecordedEvent]:
    """Every event in position order, streamed in chunks so memory stays flat."""
    columns = ("position", "stream_id", "stream_version", "type", "data", "actor", "command_id", "occurred_at")
    after = 0
    while True:
        rows = list(Event.objects.filter(position__gt=after).order_by("position").values_list(*columns)[:chunk])
        if not rows:
            return
        for position, stream_id, version, kind, data, actor, command_id, occurred_at in rows:
            yield RecordedEvent(
                position=position,
                stream_version=version,
                occurred_at=occurred_at,
                actor=actor,
                command_id=command_id,
                event=EVENT_TYPES[kind].from_payload(stream_id, data),
            )
        after = rows[-1][0]


class Replay:
    """Read models rebuilt in memory from events; movements are handed out as they appear."""

    def __init__(self):
        self.summaries: dict = {}
        self.events = 0

    def apply(self, recorded: RecordedEvent) -> StockMovementEntry | None:
        product_id = recorded.event.product_id
        summary, movement = apply(self.summaries.get(product_id), recorded)
        self.summaries[product_id] = summary
        self.events += 1
        return movement

    def stats(self) -> list[InventoryStats]:
        shards = [InventoryStats(shard=shard) for shard in range(STATS_SHARDS)]
        for summary in self.summaries.values():
            shard = shards[stats_shard(summary.product_id)]
            for key, value in stats_contribution(summary).items():
                setattr(shard, key, getattr(shard, key) + value)
            shard.last_position = max(shard.last_position, summary.last_position)
        return [shard for shard in shards if shard.last_position]


def rebuild(progress: Callable[[int], None] | None = None) -> Replay:
    """Drop every read-model row and replay the whole log, in one transaction."""
    replay = Replay()
    with transaction.atomic():
        lock_event_log()
        _clear_read_models()
        batch: list[StockMovementEntry] = []
        for recorded in read_events():
            movement = replay.apply(recorded)
            if movement is not None:
                batch.append(movement)
                if len(batch) >= INSERT_BATCH:
                    StockMovementEntry.objects.bulk_create(batch)
                    batch.clear()
            if progress and replay.events % EVENT_CHUNK == 0:
                progress(replay.events)
        StockMovementEntry.objects.bulk_create(batch)
        ProductSummary.objects.bulk_create(replay.summaries.values(), batch_size=INSERT_BATCH)
        InventoryStats.objects.bulk_create(replay.stats())
    if progress:
        progress(replay.events)
    return replay


def _clear_read_models() -> None:
    tables = [model._meta.db_table for model in (ProductSummary, StockMovementEntry, InventoryStats)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (table names are ours)
