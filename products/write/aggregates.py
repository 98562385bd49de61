"""The write model's aggregates: the Product row that commands lock and change."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower


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
            ("reverse_movement", "Can reverse stock movements"),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"
