"""One table, the way a first CRUD draft would model it: no read model, no ledger, no version."""

from __future__ import annotations

from django.db import models


class NaiveProduct(models.Model):
    """A product row that list, search and stock updates all read and write directly."""

    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    reorder_level = models.PositiveIntegerField(default=0)
    on_hand = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.sku} {self.name}"

    @property
    def status(self) -> str:
        if self.on_hand <= 0:
            return "out"
        return "low" if self.on_hand <= self.reorder_level else "in_stock"
