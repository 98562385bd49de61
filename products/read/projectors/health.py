"""How far behind each projector is: for /healthz, the maintenance page and the bench."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS
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


def projector_lags(names) -> list[ProjectorLag]:
    """Each named projector's lag, read from the primary (a replica's copy of the checkpoints may be older)."""
    events = Event.objects.using(DEFAULT_DB_ALIAS)
    head = events.order_by("-position").values_list("position", flat=True).first() or 0
    stored = {row.name: row for row in ProjectorCheckpoint.objects.using(DEFAULT_DB_ALIAS).filter(name__in=names)}
    now = timezone.now()
    lags = []
    for name in names:
        row = stored.get(name) or ProjectorCheckpoint(name=name, updated_at=None)
        oldest = None
        if row.position < head:
            oldest = (
                events.filter(position__gt=row.position).order_by("position").values_list("occurred_at", flat=True)
            ).first()
        lags.append(
            ProjectorLag(
                name=name,
                position=row.position,
                behind=head - row.position,
                seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
                updated_at=row.updated_at,
                failed_position=row.failed_position,
                last_error=row.last_error,
                skipped=row.skipped,
            )
        )
    return lags


def too_far_behind(lag: ProjectorLag, *, max_events: int, max_seconds: float) -> bool:
    return lag.stopped or lag.behind > max_events or lag.seconds > max_seconds
