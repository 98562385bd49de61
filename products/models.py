"""The models registry: imports each side's models so Django sees them under the `products` label.

Nothing else lives here; code imports the models from their own rooms.
"""

from products.background.rebuilds import RebuildRun
from products.background.submitted import SubmittedCommand
from products.imports.models import ImportIssue, ImportJob
from products.read.checkpoints import ProjectorCheckpoint, ProjectorIntervention
from products.read.tables import (
    InventoryStats,
    LedgerProductState,
    LocationSummary,
    ProductSummary,
    ReservationEntry,
    StockByLocation,
    StockMovementEntry,
)
from products.write.aggregates import Location, LocationStock, Product, Reservation
from products.write.log import Event

__all__ = [
    "Event",
    "ImportIssue",
    "ImportJob",
    "InventoryStats",
    "LedgerProductState",
    "Location",
    "LocationStock",
    "LocationSummary",
    "Product",
    "ProductSummary",
    "ProjectorCheckpoint",
    "ProjectorIntervention",
    "RebuildRun",
    "StockByLocation",
    "Reservation",
    "ReservationEntry",
    "StockMovementEntry",
    "SubmittedCommand",
]
