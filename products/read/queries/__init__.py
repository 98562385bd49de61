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
from products.read.queries.chart import GetStockSeries, StockSeries
from products.read.queries.counts import COUNT_CAP, ChipCounts, GetChipCounts
from products.read.queries.history import (
    FUTURE_MOMENT,
    NOT_YET_CREATED,
    FutureMoment,
    GetInventoryAsOf,
    GetStockAsOf,
    InventoryPage,
    InventoryRow,
    NotYetCreated,
    StockAsOf,
)
from products.read.queries.ledger import GetStockMovement, ListStockMovements, filtered_ledger
from products.read.queries.reservations import GetReservation, ListReservations
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
    "FUTURE_MOMENT",
    "MAX_PAGE_SIZE",
    "NOT_YET_CREATED",
    "SORTS",
    "Availability",
    "BadgeChanges",
    "CheckStockAvailability",
    "ChipCounts",
    "FindProductBySku",
    "FindProductsBySkus",
    "FutureMoment",
    "GetChangedProducts",
    "GetChangedStockBadges",
    "GetChipCounts",
    "GetInventoryAsOf",
    "GetInventoryStats",
    "GetProduct",
    "GetProductStock",
    "GetReservation",
    "GetStockAsOf",
    "GetStockBadges",
    "GetStockMovement",
    "GetStockSeries",
    "InvalidQuery",
    "InventoryPage",
    "InventoryRow",
    "ListProducts",
    "ListReservations",
    "ListStockMovements",
    "NotYetCreated",
    "Page",
    "SkuMatch",
    "Stats",
    "StockAsOf",
    "StockLevel",
    "StockSeries",
    "StreamProducts",
    "StreamStockMovements",
    "filtered_ledger",
]
