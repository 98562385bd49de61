"""The stock ledger (movements), filtered by product, kind and time, newest first: read models only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Subquery
from django.db.models.functions import Coalesce

from products.read.queries.catalogue import DEFAULT_PAGE_SIZE, Page, bounded_page_size
from products.read.tables import (
    StockMovementEntry,
)

# A command's event time is taken just before its transaction, its position inside it; no command
# transaction lasts this long, so a row this much later in time also has a later position.
CLOCK_SKEW = timedelta(hours=1)


NO_BOUND = 2**63 - 1


def _position_bound(moment: datetime, default: int | None):
    """Translate a time into a position bound the primary key can seek to (exact given CLOCK_SKEW).

    Ledger pages are ordered by position; a date filter alone would make PostgreSQL walk the
    primary key past every newer row. Bounding the position lets it start at the right place.
    """
    if default is None:  # upper bound: the first row at or after `moment`
        first_after = StockMovementEntry.objects.filter(occurred_at__gte=moment).order_by("occurred_at")
        return Coalesce(Subquery(first_after.values("position")[:1]), NO_BOUND)
    last_before = StockMovementEntry.objects.filter(occurred_at__lt=moment).order_by("-occurred_at")
    return Coalesce(Subquery(last_before.values("position")[:1]), default)


def filtered_ledger(*, product_id=None, kind=None, since=None, until=None):
    """Ledger rows matching the filters; shared by the paged ledger and the CSV export."""
    rows = StockMovementEntry.objects.all()
    if product_id:
        rows = rows.filter(product_id=product_id)
    if kind:
        rows = rows.filter(kind=kind)
    if since:
        rows = rows.filter(occurred_at__gte=since, position__gt=_position_bound(since - CLOCK_SKEW, 0))
    if until:
        rows = rows.filter(occurred_at__lt=until, position__lt=_position_bound(until + CLOCK_SKEW, None))
    return rows


@dataclass(frozen=True, kw_only=True)
class ListStockMovements:
    """The ledger, newest first; per product or across all, keyset-paginated by position."""

    product_id: uuid.UUID | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_position: int | None = None
    after_position: int | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def execute(self) -> Page:
        """next_cursor is a before_position for older rows, previous_cursor an after_position for newer."""
        rows = filtered_ledger(product_id=self.product_id, kind=self.kind, since=self.since, until=self.until)
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
