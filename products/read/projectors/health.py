"""How far behind each projector is: for /healthz, the maintenance page and the bench."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from products.read.checkpoints import ProjectorCheckpoint
from products.write.log import Event


@dataclass(frozen=True)
class ProjectorLag:
    """`behind`: positions from the checkpoint to the head; `seconds`: the age of the oldest event not applied yet."""

    name: str
    position: int
    behind: int
    seconds: float
    updated_at: datetime | None
    failed_position: int | None = None
    last_error: str = ""
    skipped: int = 0

    @property
    def stopped(self) -> bool:
        return self.failed_position is not None

    def as_json(self) -> dict:
        return {
            "position": self.position,
            "behind": self.behind,
            "lag_seconds": round(self.seconds, 3),
            "stopped_at": self.failed_position,
            "error": self.last_error,
        }


# The head of the log and every checkpoint in one statement: a healthy /healthz costs this one query.
_HEAD_AND_CHECKPOINTS = """
SELECT h.head, c.name, c.position, c.updated_at, c.failed_position, c.last_error, c.skipped
FROM (SELECT max(position) AS head FROM {events}) h LEFT JOIN {checkpoints} c ON true
"""


def projector_lags(names) -> list[ProjectorLag]:
    """Each named projector's lag, read from the primary (a replica's copy of the checkpoints may be older).

    One query when every projector is at the head; one more for each that is behind (its oldest event's age).
    """
    db = connections[DEFAULT_DB_ALIAS]
    sql = _HEAD_AND_CHECKPOINTS.format(
        events=db.ops.quote_name(Event._meta.db_table),
        checkpoints=db.ops.quote_name(ProjectorCheckpoint._meta.db_table),
    )
    with db.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    head = (rows[0][0] if rows else None) or 0
    stored = {row[1]: row[2:] for row in rows if row[1] is not None}
    now = timezone.now()
    events = Event.objects.using(DEFAULT_DB_ALIAS)
    lags = []
    for name in names:
        position, updated_at, failed_position, last_error, skipped = stored.get(name, (0, None, None, "", 0))
        oldest = None
        if position < head:
            oldest = events.filter(position__gt=position).order_by("position").values_list("occurred_at", flat=True)
            oldest = oldest.first()
        lags.append(
            ProjectorLag(
                name=name,
                position=position,
                behind=head - position,
                seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
                updated_at=updated_at,
                failed_position=failed_position,
                last_error=last_error,
                skipped=skipped,
            )
        )
    return lags


def too_far_behind(lag: ProjectorLag, *, max_events: int, max_seconds: float) -> bool:
    return lag.stopped or lag.behind > max_events or lag.seconds > max_seconds
