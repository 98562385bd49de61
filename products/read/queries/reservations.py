"""Reservations: the open ones oldest first (per product, by reference) and one by id; read models only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Q, Subquery

from products.read.queries.catalogue import DEFAULT_PAGE_SIZE, InvalidQuery, Page, bounded_page_size
from products.read.tables import ProductSummary, ReservationEntry, ReservationState

BAD_CURSOR = "That page link is out of date or damaged; start again from the first page."
STATUS_FILTERS = {"open": ReservationState.ACTIVE, **{value: value for value in ReservationState.values}, "all": None}
STATUS_FILTER_CHOICES = list(STATUS_FILTERS)


def _with_product(rows):
    """Each row with its product's current SKU and name (a page of rows: one indexed look-up each)."""
    product = ProductSummary.objects.filter(pk=OuterRef("product_id"))
    return rows.annotate(sku=Subquery(product.values("sku")[:1]), product_name=Subquery(product.values("name")[:1]))


def cursor_of(entry: ReservationEntry) -> str:
    """Where the next page starts: after this row in (reserved_at, id) order."""
    return f"{entry.reserved_at.isoformat()}_{entry.reservation_id}"


def _after(cursor: str) -> Q:
    try:
        moment, reservation_id = cursor.rsplit("_", 1)
        moment, reservation_id = datetime.fromisoformat(moment), uuid.UUID(reservation_id)
    except ValueError as exc:
        raise InvalidQuery(BAD_CURSOR) from exc
    return Q(reserved_at__gt=moment) | Q(reserved_at=moment, reservation_id__gt=reservation_id)


@dataclass(frozen=True, kw_only=True)
class ListReservations:
    """Reservations oldest first (the open ones unless `status` says otherwise), keyset-paginated.

    `reference` matches case-insensitively anywhere in the reference (an order number or a name).
    """

    status: str = "open"
    reference: str = ""
    product_id: uuid.UUID | None = None
    after: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def execute(self) -> Page:
        if self.status not in STATUS_FILTERS:
            raise InvalidQuery(f"Unknown status {self.status!r}: use one of {', '.join(STATUS_FILTERS)}.")
        rows = ReservationEntry.objects.all()
        if (state := STATUS_FILTERS[self.status]) is not None:
            rows = rows.filter(status=state)
        if self.product_id:
            rows = rows.filter(product_id=self.product_id)
        if self.reference.strip():
            rows = rows.filter(reference__icontains=self.reference.strip())
        if self.after:
            rows = rows.filter(_after(self.after))
        size = bounded_page_size(self.page_size)
        found = list(_with_product(rows).order_by("reserved_at", "reservation_id")[: size + 1])
        next_cursor = cursor_of(found[size - 1]) if len(found) > size else None
        return Page(rows=found[:size], next_cursor=next_cursor, previous_cursor=None)


@dataclass(frozen=True, kw_only=True)
class GetReservation:
    reservation_id: uuid.UUID

    def execute(self) -> ReservationEntry | None:
        return _with_product(ReservationEntry.objects.filter(pk=self.reservation_id)).first()
