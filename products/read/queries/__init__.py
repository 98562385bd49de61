"""Queries: questions answered from the read models only; they never write (one module per subject)."""

from products.read.queries.bulk import FindProductsBySkus, SkuMatch, StreamProducts, StreamStockMovements
from products.read.queries.catalogue import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SORTS,
    FindProductBySku,
    GetProduct,
    InvalidQuery,
    ListProducts,
    Page,
)
from products.read.queries.counts import COUNT_CAP, ChipCounts, GetChipCounts
from products.read.queries.ledger import ListStockMovements, filtered_ledger
from products.read.queries.stock import (
    Availability,
    BadgeChanges,
    CheckStockAvailability,
    GetChangedProducts,
    GetChangedStockBadges,
    GetInventoryStats,
    GetProductStock,
    GetStockBadges,
    Stats,
    StockLevel,
)

__all__ = [
    "COUNT_CAP",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "SORTS",
    "Availability",
    "BadgeChanges",
    "CheckStockAvailability",
    "ChipCounts",
    "FindProductBySku",
    "FindProductsBySkus",
    "GetChangedProducts",
    "GetChangedStockBadges",
    "GetChipCounts",
    "GetInventoryStats",
    "GetProduct",
    "GetProductStock",
    "GetStockBadges",
    "InvalidQuery",
    "ListProducts",
    "ListStockMovements",
    "Page",
    "SkuMatch",
    "Stats",
    "StockLevel",
    "StreamProducts",
    "StreamStockMovements",
    "filtered_ledger",
]
