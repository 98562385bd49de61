"""The append-only event log: written by the bus, replayed and published by the read side."""

from __future__ import annotations

from django.db import connection, models

from products.write.events import EVENT_TYPES, RecordedEvent


class Event(models.Model):
    """One thing that happened to one product; never updated, never deleted."""

    position = models.BigAutoField(primary_key=True)
    stream_id = models.UUIDField()
    stream_version = models.PositiveIntegerField()
    type = models.CharField(max_length=64)
    data = models.JSONField()
    actor = models.CharField(max_length=150, blank=True, default="")
    command_id = models.UUIDField(unique=True)
    occurred_at = models.DateTimeField()
    # What the command_id was used for, so a replay can be told from a reused key (write/idempotency.py).
    # Empty on events written before these columns existed: the type is then inferred from the event's.
    command_type = models.CharField(max_length=64, blank=True, default="")
    request_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream_id", "stream_version"], name="event_stream_version_unique"),
        ]
        ordering = ["position"]

    def __str__(self):
        return f"#{self.position} {self.type} {self.stream_id} v{self.stream_version}"

    def to_recorded(self) -> RecordedEvent:
        """Rebuild the typed event, for projections and replay."""
        event_class = EVENT_TYPES[self.type]
        return RecordedEvent(
            position=self.position,
            stream_version=self.stream_version,
            occurred_at=self.occurred_at,
            actor=self.actor,
            command_id=self.command_id,
            event=event_class.from_payload(self.stream_id, self.data),
        )


# The channel projector workers LISTEN on (products/background/projector_worker.py).
CHANNEL = "cqrs_events"


def announce() -> None:
    """Wake the projector workers when this transaction commits (PostgreSQL; SQLite workers poll)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


def lock_event_log() -> None:
    """Hold back new events until this transaction ends (PostgreSQL; SQLite writers already queue)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Event._meta.db_table} IN EXCLUSIVE MODE")
