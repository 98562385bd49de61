"""Test helpers for the checkpointed projectors."""

from __future__ import annotations

from products.read.checkpoints import ProjectorCheckpoint
from products.read.tables import DetailsHistoryEntry, LedgerProductState, StockByLocation, StockMovementEntry
from products.write.log import Event


def head() -> int:
    """The last position in the log (0 when empty)."""
    return Event.objects.order_by("-position").values_list("position", flat=True).first() or 0


def forget_projections() -> None:
    """Empty the projectors' tables and put their checkpoints back at 0: the whole log is theirs to project."""
    for model in (StockMovementEntry, DetailsHistoryEntry, StockByLocation, LedgerProductState):
        model.objects.all().delete()
    ProjectorCheckpoint.objects.update(position=0, events_applied=0)
