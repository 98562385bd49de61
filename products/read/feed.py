"""The published event feed: the one read of the event log that integrators may follow.

It lives apart from queries.py on purpose: queries read only the disposable read models,
while the feed's whole point is to expose the log itself (the source of truth), in order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from products.write.events import EVENT_TYPES, LOCATION_EVENT_TYPES, upcast
from products.write.log import Event

EVENT_TYPE_NAMES = tuple(EVENT_TYPES)  # what `type` can be, in the order they were introduced

MAX_FEED_LIMIT = 1000
DEFAULT_FEED_LIMIT = 100
# Positions are taken when a command inserts its event, not when it commits, so on PostgreSQL a
# lower position can become visible after a higher one. The feed stops at such a gap until it
# fills, no other transaction is running, or it is this old (a rolled-back insert never fills).
GAP_GRACE = timedelta(seconds=10)


@dataclass(frozen=True)
class FeedEvent:
    position: int
    type: str
    product_id: uuid.UUID | None  # None for a location's event (then location_id says which)
    stream_version: int
    data: dict
    actor: str
    command_id: uuid.UUID
    occurred_at: datetime
    location_id: uuid.UUID | None = None


@dataclass(frozen=True)
class FeedPage:
    events: list[FeedEvent]
    last_position: int
    has_more: bool


@dataclass(frozen=True, kw_only=True)
class ReadEventFeed:
    """Events after `after`, oldest first; follow it by passing the last position seen."""

    after: int = 0
    limit: int = DEFAULT_FEED_LIMIT
    product_id: uuid.UUID | None = None

    def execute(self) -> FeedPage:
        limit = max(1, min(int(self.limit), MAX_FEED_LIMIT))
        horizon = safe_horizon(self.after, window=limit + 1 if not self.product_id else MAX_FEED_LIMIT)
        rows = Event.objects.filter(position__gt=self.after, position__lte=horizon)
        if self.product_id:
            rows = rows.filter(stream_id=self.product_id)
        found = list(rows.order_by("position")[: limit + 1])
        events = [
            FeedEvent(
                position=row.position,
                type=row.type,
                product_id=None if row.type in LOCATION_EVENT_TYPES else row.stream_id,
                location_id=row.stream_id if row.type in LOCATION_EVENT_TYPES else None,
                stream_version=row.stream_version,
                data=upcast(row.type, row.data),  # stock events from before locations happened at MAIN
                actor=row.actor,
                command_id=row.command_id,
                occurred_at=row.occurred_at,
            )
            for row in found[:limit]
        ]
        if len(found) > limit:
            return FeedPage(events=events, last_position=events[-1].position, has_more=True)
        # Everything up to the horizon has been looked at, matching or not.
        later = Event.objects.filter(position__gt=horizon)
        if self.product_id:
            later = later.filter(stream_id=self.product_id)
        return FeedPage(events=events, last_position=horizon, has_more=later.exists())


def safe_horizon(after: int, *, window: int) -> int:
    """The highest position up to which no earlier event can still appear."""
    rows = Event.objects.filter(position__gt=after).order_by("position").values_list("position", "occurred_at")
    return gap_safe(after, rows[:window]).horizon


@dataclass(frozen=True)
class Horizon:
    """How far events are safe to read; `passed_gap`: a hole was stepped over because nobody could fill it."""

    horizon: int
    passed_gap: bool = False


def gap_safe(
    after: int, rows: Iterable[tuple[int, datetime]], *, in_flight: Callable[[], bool] | None = None
) -> Horizon:
    """Walk (position, occurred_at) in position order from `after`; stop at a hole a running writer may fill.

    A hole is stepped over when no other transaction is writing, or when the event after it is
    GAP_GRACE old. Whoever steps over one because nobody was writing reads the positions below the
    horizon again: a writer that committed between the read and the look at who is writing is then seen.
    """
    now = timezone.now()
    horizon, passed, busy = after, False, None
    for position, occurred_at in rows:
        if position != horizon + 1 and now - occurred_at < GAP_GRACE:
            if busy is None:
                busy = (in_flight or _writers_in_flight)()
            if busy:
                break
            passed = True
        horizon = position
    return Horizon(horizon, passed)


def _writers_in_flight() -> bool:
    """Could another transaction still commit an event? Only one that has begun to insert one could.

    An INSERT into the log holds the table's RowExclusiveLock until its transaction ends, and takes it
    before the position is drawn; transactions that write elsewhere (sessions, the task queue) or only
    read the log do not count, so they never hold a follower back.
    """
    if connection.vendor != "postgresql":
        return False  # SQLite commits writers one at a time, in position order
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'relation' AND relation = %s::regclass"
            " AND mode = 'RowExclusiveLock' AND granted AND pid <> pg_backend_pid()"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
            [Event._meta.db_table],
        )
        return cursor.fetchone()[0]
