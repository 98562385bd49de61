"""The published event feed: the one read of the event log that integrators may follow.

It lives apart from queries.py on purpose: queries read only the disposable read models,
while the feed's whole point is to expose the log itself (the source of truth), in order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from .models import Event

MAX_FEED_LIMIT = 1000
DEFAULT_FEED_LIMIT = 100


@dataclass(frozen=True)
class FeedEvent:
    position: int
    type: str
    product_id: uuid.UUID
    stream_version: int
    data: dict
    actor: str
    command_id: uuid.UUID
    occurred_at: datetime


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
        rows = Event.objects.filter(position__gt=self.after)
        if self.product_id:
            rows = rows.filter(stream_id=self.product_id)
        found = list(rows.order_by("position")[: limit + 1])
        events = [
            FeedEvent(
                position=row.position,
                type=row.type,
                product_id=row.stream_id,
                stream_version=row.stream_version,
                data=row.data,
                actor=row.actor,
                command_id=row.command_id,
                occurred_at=row.occurred_at,
            )
            for row in found[:limit]
        ]
        last = events[-1].position if events else self.after
        return FeedPage(events=events, last_position=last, has_more=len(found) > limit)
