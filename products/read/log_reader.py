"""The event log read raw, in position order: for replay, verify and the projectors (no model layer on PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

from django.db import connection

from products.write.events import EVENT_TYPES, RecordedEvent
from products.write.log import Event

EVENT_CHUNK = 20_000
COLUMNS = ("position", "stream_id", "stream_version", "type", "data", "actor", "command_id", "occurred_at")
_RANGE_SQL = f"SELECT {', '.join(COLUMNS)} FROM {Event._meta.db_table} WHERE position > %s AND position <= %s ORDER BY position LIMIT %s"  # noqa: S608, E501
_CHUNK_SQL = f"SELECT {', '.join(COLUMNS)} FROM {Event._meta.db_table} WHERE position > %s ORDER BY position LIMIT %s"  # noqa: S608


def read_events(chunk: int = EVENT_CHUNK) -> Iterator[RecordedEvent]:
    """Every event in position order, streamed in chunks so memory stays flat."""
    stream_ids: dict = {}  # one UUID object per stream, however many events it has
    after = 0
    while True:
        rows = event_rows(after, chunk)
        if not rows:
            return
        yield from recorded_events(rows, stream_ids)
        after = rows[-1][0]


def recorded_events(rows: list[tuple], stream_ids: dict) -> Iterator[RecordedEvent]:
    """Raw rows (COLUMNS) as typed events; `stream_ids` shares one UUID object per stream."""
    for position, stream_id, version, kind, data, actor, command_id, occurred_at in rows:
        product_id = stream_ids.get(stream_id)
        if product_id is None:
            product_id = stream_ids[stream_id] = stream_id if isinstance(stream_id, uuid.UUID) else uuid.UUID(stream_id)
        yield RecordedEvent(
            position=position,
            stream_version=version,
            occurred_at=occurred_at,
            actor=actor,
            command_id=command_id,
            event=EVENT_TYPES[kind].from_payload(product_id, json.loads(data) if isinstance(data, str) else data),
        )


def event_rows(after: int, chunk: int, *, until: int | None = None) -> list[tuple]:
    """One chunk of raw event rows after `after` (and up to `until`); on PostgreSQL straight from the driver."""
    if connection.vendor != "postgresql":
        rows = Event.objects.filter(position__gt=after)
        if until is not None:
            rows = rows.filter(position__lte=until)
        return list(rows.order_by("position").values_list(*COLUMNS)[:chunk])
    with connection.cursor() as cursor:
        if until is None:
            cursor.execute(_CHUNK_SQL, [after, chunk])
        else:
            cursor.execute(_RANGE_SQL, [after, until, chunk])
        return cursor.fetchall()
