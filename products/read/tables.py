"""Read models: denormalised tables written only by projections, read only by queries."""

from __future__ import annotations

from django.db import models

STATS_SHARDS = 16


class StockStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    LOW = "low", "Low"
    OUT = "out", "Out"


ARCHIVED = "archived"
# The product list's status filter (its chips): all active products, each stock status, or the archived ones.
STATUS_FILTERS = {"all": "All", **dict(StockStatus.choices), ARCHIVED: "Archived"}


def stock_status(on_hand: int, reorder_level: int) -> str:
    """Out at zero, low at or below the reorder level, else in stock."""
    if on_hand <= 0:
        return StockStatus.OUT
    if on_hand <= reorder_level:
        return StockStatus.LOW
    return StockStatus.IN_STOCK


class ProductSummary(models.Model):
    """One row per product, shaped for lists, search and badges."""

    product_id = models.UUIDField(primary_key=True)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    reorder_level = models.PositiveIntegerField()
    on_hand = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=StockStatus.choices)
    archived = models.BooleanField()
    version = models.PositiveIntegerField()
    stock_value = models.DecimalField(max_digits=24, decimal_places=2)
    search_text = models.TextField(help_text="Lower-cased SKU and name, trigram-indexed on PostgreSQL.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_movement_at = models.DateTimeField(null=True, blank=True)
    last_position = models.BigIntegerField(help_text="Event position that last changed this row.")

    class Meta:
        indexes = [
            models.Index(fields=[*prefix, key, "product_id"], name=f"summary_{short}_{key}")
            for short, prefix in (("a", ["archived"]), ("as", ["archived", "status"]))
            for key in ("name", "sku", "on_hand", "price", "updated_at")
        ]

    def __str__(self):
        return f"{self.sku} ({self.on_hand})"


class MovementKind(models.TextChoices):
    RECEIVED = "received", "Received"
    ISSUED = "issued", "Issued"
    COUNTED = "counted", "Counted"
    REVERSAL = "reversal", "Reversal"


class StockMovementEntry(models.Model):
    """One row per stock change: the ledger people read."""

    position = models.BigIntegerField(primary_key=True, help_text="The event's position.")
    product_id = models.UUIDField()
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    quantity = models.BigIntegerField(help_text="Signed change to on hand.")
    on_hand_after = models.BigIntegerField()
    note = models.CharField(max_length=500, blank=True, default="")
    actor = models.CharField(max_length=150, blank=True, default="")
    occurred_at = models.DateTimeField()
    # A correction names the movement it reverses; that movement names it back (both null otherwise).
    reverses = models.BigIntegerField(null=True, blank=True, help_text="Position of the movement this reverses.")
    reversed_by = models.BigIntegerField(null=True, blank=True, help_text="Position of the reversal of this one.")

    class Meta:
        indexes = [
            models.Index(fields=["product_id", "-position"], name="movement_product_pos"),
            # One per kind: a (kind, position) index sorts 5M rows on a 3-valued text column at every
            # rebuild (6-7 s at 1M products); three position-only ones build in a fraction of that.
            *(
                models.Index(fields=["-position"], condition=models.Q(kind=kind), name=f"movement_{kind}_pos")
                for kind in MovementKind.values
            ),
            models.Index(fields=["occurred_at"], name="movement_occurred"),
            # Stock as of a moment: one seek to a product's last row at or before it (on_hand_after).
            models.Index(fields=["product_id", "occurred_at", "position"], name="movement_product_time"),
            models.Index(fields=["reverses"], condition=models.Q(reverses__isnull=False), name="movement_reverses"),
        ]

    def __str__(self):
        return f"#{self.position} {self.kind} {self.quantity:+d} {self.sku}"


class DetailsHistoryEntry(models.Model):
    """A product's price, reorder level and archived flag from one event on: what stock was worth, and its line, then.

    One row per ProductCreated, ProductDetailsUpdated and ProductArchived.
    """

    position = models.BigIntegerField(primary_key=True, help_text="The event's position.")
    product_id = models.UUIDField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    reorder_level = models.PositiveIntegerField()
    archived = models.BooleanField()
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["product_id", "occurred_at", "position"], name="details_product_time")]

    def __str__(self):
        return f"#{self.position} {self.product_id} at {self.price}"


class InventoryStats(models.Model):
    """Running totals, split over a few rows so concurrent commands rarely share one."""

    shard = models.PositiveSmallIntegerField(primary_key=True)
    active_products = models.BigIntegerField(default=0)
    in_stock = models.BigIntegerField(default=0)
    low = models.BigIntegerField(default=0)
    out = models.BigIntegerField(default=0)
    archived = models.BigIntegerField(default=0)
    total_units = models.BigIntegerField(default=0)
    total_value = models.DecimalField(max_digits=28, decimal_places=2, default=0)
    last_position = models.BigIntegerField(default=0)

    COUNTERS = ("active_products", "in_stock", "low", "out", "archived", "total_units", "total_value")

    def __str__(self):
        return f"stats shard {self.shard}"


# Every read-model table: rebuilt from the log, and (cqrs_demo.db_router) served by a replica if there is one.
READ_MODELS = (ProductSummary, StockMovementEntry, DetailsHistoryEntry, InventoryStats)
