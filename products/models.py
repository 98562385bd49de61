"""Write model: the Product aggregate and the append-only Event log."""

from __future__ import annotations

import uuid

from django.db import connection, models
from django.db.models.functions import Lower

from .command_log import SubmittedCommand  # noqa: F401 (registers it)
from .events import EVENT_TYPES, RecordedEvent
from .imports.models import ImportIssue, ImportJob  # noqa: F401 (registers them)
from .read_models import InventoryStats, ProductSummary, StockMovementEntry  # noqa: F401 (registers them)
from .rebuild_log import RebuildRun  # noqa: F401 (registers it)


class Product(models.Model):
    """Current state of a product; changed only by command handlers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    reorder_level = models.PositiveIntegerField(default=0)
    on_hand = models.BigIntegerField(default=0)
    archived = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("sku"), name="product_sku_unique_ci"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="product_on_hand_not_negative"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative"),
        ]
        permissions = [
            ("receive_stock", "Can receive stock"),
            ("issue_stock", "Can issue stock"),
            ("count_stock", "Can count stock (stocktake)"),
            ("archive_product", "Can archive products"),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"


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


def lock_event_log() -> None:
    """Hold back new events until this transaction ends (PostgreSQL; SQLite writers already queue)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Event._meta.db_table} IN EXCLUSIVE MODE")
