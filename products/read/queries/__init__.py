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
from products.read.queries.ledger import ListStockMovements, filtered_ledger
from products.read.queries.reservations import GetReservation, ListReservations
from products.read.queries.stock import (
    Availability,
    BadgeChanges,
    CheckStockAvailability,
    GetChangedStockBadges,
    GetInventoryStats,
    GetProductStock,
    GetStockBadges,
    Stats,
    StockLevel,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "SORTS",
    "Availability",
    "BadgeChanges",
    "CheckStockAvailability",
    "FindProductBySku",
    "FindProductsBySkus",
    "GetChangedStockBadges",
    "GetInventoryStats",
    "GetProduct",
    "GetProductStock",
    "GetReservation",
    "GetStockBadges",
    "InvalidQuery",
    "ListProducts",
    "ListReservations",
    "ListStockMovements",
    "Page",
    "SkuMatch",
    "Stats",
    "StockLevel",
    "StreamProducts",
    "StreamStockMovements",
    "filtered_ledger",
]
