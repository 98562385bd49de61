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
    GetChangedStockBadges,
    GetInventoryStats,
    GetProductStock,
    GetStockBadges,
    Stats,
    StockLevel,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "FUTURE_MOMENT",
    "MAX_PAGE_SIZE",
    "NOT_YET_CREATED",
    "SORTS",
    "Availability",
    "BadgeChanges",
    "CheckStockAvailability",
    "FindProductBySku",
    "FindProductsBySkus",
    "FutureMoment",
    "GetChangedStockBadges",
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
