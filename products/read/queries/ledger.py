"""The stock ledger (movements), filtered by product, kind and time, newest first: read models only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from products.read.filters.ledger import filtered_ledger
from products.read.queries.catalogue import DEFAULT_PAGE_SIZE, Page, bounded_page_size
from products.read.tables import StockMovementEntry


@dataclass(frozen=True, kw_only=True)
class ListStockMovements:
    """The ledger, newest first; per product or across all, keyset-paginated by position."""

    product_id: uuid.UUID | None = None
    product_ids: tuple[uuid.UUID, ...] | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_position: int | None = None
    after_position: int | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def execute(self) -> Page:
        """next_cursor is a before_position for older rows, previous_cursor an after_position for newer."""
        rows = filtered_ledger(
            product_id=self.product_id, product_ids=self.product_ids, kind=self.kind, since=self.since, until=self.until
        )
        size = bounded_page_size(self.page_size)
        if self.after_position:
            found = list(rows.filter(position__gt=self.after_position).order_by("position")[: size + 1])
            newer = len(found) > size
            found = found[:size][::-1]
            next_cursor = str(found[-1].position) if found else None
            previous_cursor = str(found[0].position) if found and newer else None
            return Page(rows=found, next_cursor=next_cursor, previous_cursor=previous_cursor)
        if self.before_position:
            rows = rows.filter(position__lt=self.before_position)
        found = list(rows.order_by("-position")[: size + 1])
        next_cursor = str(found[size - 1].position) if len(found) > size else None
        previous_cursor = str(found[0].position) if found and self.before_position else None
        return Page(rows=found[:size], next_cursor=next_cursor, previous_cursor=previous_cursor)


@dataclass(frozen=True, kw_only=True)
class GetStockMovement:
    """One ledger row by its position (None: no movement there)."""

    position: int

    def execute(self) -> StockMovementEntry | None:
        return StockMovementEntry.objects.filter(position=self.position).first()
