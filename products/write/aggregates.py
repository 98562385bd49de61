"""The write model's aggregates: the Product row that commands lock and change, and its reservations."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower, Upper


class Product(models.Model):
    """Current state of a product; changed only by command handlers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    reorder_level = models.PositiveIntegerField(default=0)
    on_hand = models.BigIntegerField(default=0)
    # What open reservations still hold back: sum of (quantity - fulfilled) over the active ones.
    reserved = models.BigIntegerField(default=0)
    archived = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("sku"), name="product_sku_unique_ci"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="product_on_hand_not_negative"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="product_reserved_not_negative"),
            # Never oversold: what is promised is always on the shelf (the handlers refuse first; this is the floor).
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=models.F("reserved")), name="product_reserved_within_on_hand"
            ),
        ]
        permissions = [
            ("receive_stock", "Can receive stock"),
            ("issue_stock", "Can issue stock"),
            ("count_stock", "Can count stock (stocktake)"),
            ("transfer_stock", "Can move stock between locations"),
            ("archive_product", "Can archive products"),
            ("reserve_stock", "Can reserve stock"),
            ("release_reservation", "Can release reservations"),
            ("fulfil_reservation", "Can fulfil reservations"),
            ("expire_reservation", "Can expire reservations (the system's sweep does)"),
            ("reverse_movement", "Can reverse stock movements"),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RELEASED = "released", "Released"
    FULFILLED = "fulfilled", "Fulfilled"
    EXPIRED = "expired", "Expired"


class Reservation(models.Model):
    """Stock promised to an order; changed only by command handlers, always under its product's row lock."""

    id = models.UUIDField(primary_key=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.BigIntegerField()
    fulfilled = models.BigIntegerField(default=0)
    reference = models.CharField(max_length=100)
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="reservation_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(fulfilled__gte=0, fulfilled__lte=models.F("quantity")),
                name="reservation_fulfilled_within_quantity",
            ),
        ]
        indexes = [
            # The expiry sweep: active reservations by when they lapse.
            models.Index(fields=["expires_at"], condition=models.Q(status="active"), name="reservation_active_expiry"),
            # A refusal names whom the stock is promised to: the product's active reservations.
            models.Index(
                fields=["product", "created_at"], condition=models.Q(status="active"), name="reservation_active_product"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.quantity} ({self.status})"

    @property
    def rest(self) -> int:
        """What this reservation still holds back."""
        return self.quantity - self.fulfilled if self.status == ReservationStatus.ACTIVE else 0


class Location(models.Model):
    """A warehouse or a bin. Its id is location_stream_id(code); the code never changes."""

    id = models.UUIDField(primary_key=True, editable=False)
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    archived = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(Upper("code"), name="location_code_unique_ci")]
        permissions = [("archive_location", "Can archive locations")]

    def __str__(self):
        return self.code


class LocationStock(models.Model):
    """How many of one product one location holds; the product's on_hand is the sum over its locations."""

    pk = models.CompositePrimaryKey("product", "location")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    on_hand = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="location_stock_not_negative"),
        ]
        indexes = [models.Index(fields=["location", "product"], name="location_stock_by_location")]

    def __str__(self):
        return f"{self.product_id}@{self.location_id}: {self.on_hand}"
