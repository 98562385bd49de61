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


def stock_status(available: int, reorder_level: int) -> str:
    """Counted on what is available (on hand less reserved): out at zero, low at or below the reorder level."""
    if available <= 0:
        return StockStatus.OUT
    if available <= reorder_level:
        return StockStatus.LOW
    return StockStatus.IN_STOCK


OUT_FOR_NEW_ORDERS = "Out for new orders"


def status_label(status: str, on_hand: int) -> str:
    """The badge's words: out with stock on the shelf means all of it is promised."""
    if status == StockStatus.OUT and on_hand > 0:
        return OUT_FOR_NEW_ORDERS
    return StockStatus(status).label


class ProductSummary(models.Model):
    """One row per product, shaped for lists, search and badges."""

    product_id = models.UUIDField(primary_key=True)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    reorder_level = models.PositiveIntegerField()
    on_hand = models.BigIntegerField()
    reserved = models.BigIntegerField(default=0, help_text="Held back by open reservations.")
    available = models.BigIntegerField(default=0, help_text="On hand less reserved: free for new orders.")
    status = models.CharField(max_length=16, choices=StockStatus.choices, help_text="Counted on available.")
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
    TRANSFERRED = "transferred", "Transferred"


# Where stock is when nobody says (the write side's DEFAULT_LOCATION; older events all happened there).
MAIN = "MAIN"


class StockMovementEntry(models.Model):
    """One row per stock change: the ledger people read."""

    position = models.BigIntegerField(primary_key=True, help_text="The event's position.")
    product_id = models.UUIDField()
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    quantity = models.BigIntegerField(help_text="Signed change to on hand (a transfer's is 0: see moved).")
    on_hand_after = models.BigIntegerField()
    location = models.CharField(max_length=32, default=MAIN, help_text="Where it happened; a transfer's source.")
    to_location = models.CharField(max_length=32, blank=True, default="", help_text="A transfer's destination.")
    moved = models.BigIntegerField(default=0, help_text="Units a transfer moved from location to to_location.")
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
            # The ledger's ?location= (matched exactly on the stored code): movements at a place, transfers to it.
            # MAIN's rows (all history from before locations) are left out: they are dense enough to find by position.
            models.Index(
                fields=["location", "-position"], condition=~models.Q(location=MAIN), name="movement_location_pos"
            ),
            models.Index(
                fields=["to_location", "-position"],
                condition=~models.Q(to_location=""),
                name="movement_to_location_pos",
            ),
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
    reserved_units = models.BigIntegerField(default=0)
    reserved_value = models.DecimalField(max_digits=28, decimal_places=2, default=0)
    last_position = models.BigIntegerField(default=0)

    COUNTERS = (
        "active_products",
        "in_stock",
        "low",
        "out",
        "archived",
        "total_units",
        "total_value",
        "reserved_units",
        "reserved_value",
    )

    def __str__(self):
        return f"stats shard {self.shard}"


class StockByLocation(models.Model):
    """How many of one product one location holds; only places that hold some have a row."""

    pk = models.CompositePrimaryKey("product_id", "location")
    product_id = models.UUIDField()
    location = models.CharField(max_length=32, help_text="The location's code.")
    on_hand = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["location", "product_id"], name="stock_by_location_loc")]

    def __str__(self):
        return f"{self.product_id}@{self.location}: {self.on_hand}"


class LocationSummary(models.Model):
    """One row per location created or edited through a command (MAIN is built in and may have none)."""

    location_id = models.UUIDField(primary_key=True)
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    parent = models.CharField(max_length=32, blank=True, default="", help_text="The parent's code, if any.")
    path = models.CharField(max_length=80, help_text="\"MAIN / A-01-03\": the parent's code, then this one's.")
    archived = models.BooleanField(default=False)
    version = models.PositiveIntegerField()
    updated_at = models.DateTimeField()
    last_position = models.BigIntegerField()

    def __str__(self):
        return self.path


class ReservationState(models.TextChoices):
    ACTIVE = "active", "Active"
    RELEASED = "released", "Released"
    FULFILLED = "fulfilled", "Fulfilled"
    EXPIRED = "expired", "Expired"


class ReservationEntry(models.Model):
    """One row per reservation: the open ones on the product page and the Reservations page, oldest first."""

    reservation_id = models.UUIDField(primary_key=True)
    product_id = models.UUIDField()
    quantity = models.BigIntegerField()
    fulfilled = models.BigIntegerField()
    reference = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=ReservationState.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    reserved_by = models.CharField(max_length=150, blank=True, default="")
    reserved_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField()
    last_position = models.BigIntegerField(help_text="Event position that last changed this row.")

    class Meta:
        indexes = [
            models.Index(fields=["status", "reserved_at", "reservation_id"], name="reservation_status_at"),
            models.Index(fields=["product_id", "status", "reserved_at"], name="reservation_product_at"),
        ]

    def __str__(self):
        return f"{self.reference} {self.quantity} ({self.status})"

    @property
    def rest(self) -> int:
        """What it still holds back."""
        return self.quantity - self.fulfilled if self.status == ReservationState.ACTIVE else 0


class LedgerProductState(models.Model):
    """What the ledger projector knows of a product at its checkpoint: what the next movement row copies.

    The summary is ahead of the projector (it is written in the command's transaction), so the
    projector keeps its own: one row per product, written in the same transaction as its checkpoint.
    """

    product_id = models.UUIDField(primary_key=True)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    reorder_level = models.PositiveIntegerField()
    archived = models.BooleanField()
    on_hand = models.BigIntegerField()

    def __str__(self):
        return f"{self.sku} ({self.on_hand}) for the ledger"


# Every read-model table: rebuilt from the log, and (cqrs_demo.db_router) served by a replica if there is one.
READ_MODELS = (
    ProductSummary,
    StockMovementEntry,
    DetailsHistoryEntry,
    InventoryStats,
    ReservationEntry,
    StockByLocation,
    LocationSummary,
    LedgerProductState,
)
