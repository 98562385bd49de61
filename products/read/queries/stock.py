"""Stock questions about one product or a page of them, and the inventory totals: read models only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Sum

from products.read.queries.catalogue import MAX_PAGE_SIZE
from products.read.tables import (
    InventoryStats,
    ProductSummary,
)


@dataclass(frozen=True)
class StockLevel:
    product_id: uuid.UUID
    sku: str
    on_hand: int
    reserved: int
    available: int
    reorder_level: int
    status: str
    archived: bool
    version: int
    last_position: int


# What a StockLevel is read from (one list for the product's stock and a page's badges).
STOCK_COLUMNS = (
    "product_id",
    "sku",
    "on_hand",
    "reserved",
    "available",
    "reorder_level",
    "status",
    "archived",
    "version",
    "last_position",
)


@dataclass(frozen=True, kw_only=True)
class GetProductStock:
    product_id: uuid.UUID

    def execute(self) -> StockLevel | None:
        row = ProductSummary.objects.filter(pk=self.product_id).values(*STOCK_COLUMNS).first()
        return StockLevel(**row) if row else None


@dataclass(frozen=True)
class Availability:
    product_id: uuid.UUID
    sku: str
    requested: int
    on_hand: int
    reserved: int
    free: int
    available: bool
    shortfall: int


@dataclass(frozen=True, kw_only=True)
class CheckStockAvailability:
    """Could `quantity` units be promised to a new order right now? Only what is free counts (on hand - reserved)."""

    product_id: uuid.UUID
    quantity: int

    def execute(self) -> Availability | None:
        stock = GetProductStock(product_id=self.product_id).execute()
        if stock is None:
            return None
        free = max(0, stock.available)
        return Availability(
            product_id=stock.product_id,
            sku=stock.sku,
            requested=self.quantity,
            on_hand=stock.on_hand,
            reserved=stock.reserved,
            free=free,
            available=not stock.archived and self.quantity <= free,
            shortfall=max(0, self.quantity - free),
        )


@dataclass(frozen=True, kw_only=True)
class GetStockBadges:
    """Current badges for the products on one page, in one query."""

    product_ids: list

    def execute(self) -> dict[uuid.UUID, StockLevel]:
        rows = ProductSummary.objects.filter(pk__in=self.product_ids[:MAX_PAGE_SIZE]).values(*STOCK_COLUMNS)
        return {row["product_id"]: StockLevel(**row) for row in rows}


@dataclass(frozen=True)
class BadgeChanges:
    """Badges that changed after `since`, and the position the page has now seen."""

    changed: list
    since: int


@dataclass(frozen=True, kw_only=True)
class GetChangedStockBadges:
    """For polling: which of a page's badges changed after the position it last saw (one query)."""

    product_ids: list
    since: int = 0

    def execute(self) -> BadgeChanges:
        levels = GetStockBadges(product_ids=self.product_ids).execute().values()
        changed = sorted((s for s in levels if s.last_position > self.since), key=lambda s: s.last_position)
        return BadgeChanges(changed=changed, since=max([self.since, *(s.last_position for s in changed)]))


@dataclass(frozen=True, kw_only=True)
class GetChangedProducts:
    """For the list's polling: the whole rows of a page that changed after `since`, so a row updates as one."""

    product_ids: list
    since: int = 0

    def execute(self) -> BadgeChanges:
        rows = ProductSummary.objects.filter(pk__in=self.product_ids[:MAX_PAGE_SIZE], last_position__gt=self.since)
        changed = sorted(rows, key=lambda row: row.last_position)
        return BadgeChanges(changed=changed, since=max([self.since, *(row.last_position for row in changed)]))


@dataclass(frozen=True)
class Stats:
    active_products: int = 0
    in_stock: int = 0
    low: int = 0
    out: int = 0
    archived: int = 0
    total_units: int = 0
    total_value: Decimal = Decimal("0.00")
    reserved_units: int = 0
    reserved_value: Decimal = Decimal("0.00")
    last_position: int = 0
    counts: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class GetInventoryStats:
    """Totals per status without counting the catalogue."""

    def execute(self) -> Stats:
        totals = InventoryStats.objects.aggregate(
            **{name: Sum(name) for name in InventoryStats.COUNTERS}, last_position=Max("last_position")
        )
        values = {name: value or 0 for name, value in totals.items()}
        for money in ("total_value", "reserved_value"):
            values[money] = Decimal(values[money]).quantize(Decimal("0.01"))
        counts = {
            "all": values["active_products"],
            "in_stock": values["in_stock"],
            "low": values["low"],
            "out": values["out"],
            "archived": values["archived"],
        }
        return Stats(**values, counts=counts)
