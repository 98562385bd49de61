"""Rebuild runs: a manager asked for the read models to be rebuilt; how far did the worker get?"""

from __future__ import annotations

import uuid

from django.db import models


def duration_text(started, finished) -> str:
    """ "42 s" or "41 min": how long a background job took, for people."""
    if not (started and finished):
        return ""
    seconds = (finished - started).total_seconds()
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


class RebuildState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class RebuildRun(models.Model):
    """One requested rebuild of the read models and how far it got."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.CharField(max_length=150)
    state = models.CharField(max_length=16, choices=RebuildState.choices, default=RebuildState.QUEUED)
    events_total = models.BigIntegerField(default=0)
    events_done = models.BigIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        permissions = [("rebuild_read_models", "Can rebuild the read models from the event log")]

    def __str__(self):
        return f"rebuild {self.requested_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def active(self) -> bool:
        return self.state in (RebuildState.QUEUED, RebuildState.RUNNING)

    @property
    def took(self) -> str:
        return duration_text(self.started_at, self.finished_at)

    @property
    def percent(self) -> int:
        """99 at most until it finishes: with every event replayed, the indexes are still being built."""
        if self.state == RebuildState.SUCCEEDED:
            return 100
        return min(99, self.events_done * 100 // self.events_total) if self.events_total else 0
