"""Stock as it stood at a past moment, from the ledger's on-hand-after and the details history.

One product is two index seeks: its last ledger row at or before the moment (the (product, time)
index) and its last details row (price, reorder level, archived) at or before it; where it was,
one grouped query over its ledger rows up to then (levels_then). The inventory
takes the same two seeks per product as correlated subqueries, one keyset page at a time.
Within a product, time never runs back (the unit of work keeps each stream's clock monotonic), so
the latest row by (occurred_at, position) is the state then.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import BigIntegerField, DecimalField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from products.read.queries.catalogue import DEFAULT_PAGE_SIZE, InvalidQuery, bounded_page_size
from products.read.queries.levels_then import levels_as_of
from products.read.queries.locations import LocationLevel
from products.read.tables import DetailsHistoryEntry, ProductSummary, StockMovementEntry, StockStatus, stock_status

NOT_YET_CREATED = "{sku} did not exist yet at {at}: it was created at {created}."
CENTS = Decimal("0.01")
FUTURE_MOMENT = "Choose a moment that has already happened: {at} is in the future."


class FutureMoment(InvalidQuery):
    """Nobody knows the stock of a moment still to come."""


def past(at: datetime) -> datetime:
    if at > timezone.now():
        raise FutureMoment(FUTURE_MOMENT.format(at=at.isoformat()))
    return at


class NotYetCreated(LookupError):
    """The moment asked about is before the product's creation."""

    def __init__(self, *, sku: str, at: datetime, created: datetime):
        super().__init__(NOT_YET_CREATED.format(sku=sku, at=at.isoformat(), created=created.isoformat()))
        self.created = created


@dataclass(frozen=True)
class StockAsOf:
    """One product's stock at `as_of`; `position` is the ledger row it comes from (None: nothing moved yet)."""

    product_id: uuid.UUID
    sku: str
    as_of: datetime
    on_hand: int
    reorder_level: int
    status: str
    archived: bool
    price: Decimal
    value: Decimal
    position: int | None
    version: None = None  # versions are what edits are checked against: only the current one has a use
    # Reservations are not kept in the ledger's history: what was promised then is not known (null).
    reserved: None = None
    available: None = None
    locations: tuple[LocationLevel, ...] = ()  # where it was then: each location holding some, MAIN first

    @property
    def status_label(self) -> str:
        return StockStatus(self.status).label


def last_at(model, at: datetime, product=None):
    """The product's rows at or before `at`, newest first (one seek down the (product, time) index)."""
    return (
        model.objects.filter(product_id=product if product is not None else OuterRef("product_id"))
        .filter(occurred_at__lte=at)
        .order_by("-occurred_at", "-position")
    )


@dataclass(frozen=True, kw_only=True)
class GetStockAsOf:
    """One product's on hand, status and value at a moment; None if there is no such product."""

    product_id: uuid.UUID
    at: datetime

    def execute(self) -> StockAsOf | None:
        past(self.at)
        summary = ProductSummary.objects.filter(pk=self.product_id).values("sku", "created_at").first()
        if summary is None:
            return None
        if self.at < summary["created_at"]:
            raise NotYetCreated(sku=summary["sku"], at=self.at, created=summary["created_at"])
        movement = last_at(StockMovementEntry, self.at, self.product_id).values("on_hand_after", "position").first()
        details = last_at(DetailsHistoryEntry, self.at, self.product_id).values("price", "reorder_level", "archived")[0]
        on_hand = movement["on_hand_after"] if movement else 0
        return StockAsOf(
            product_id=self.product_id,
            sku=summary["sku"],
            as_of=self.at,
            on_hand=on_hand,
            reorder_level=details["reorder_level"],
            status=stock_status(on_hand, details["reorder_level"]),
            archived=details["archived"],
            price=details["price"],
            value=details["price"] * on_hand,
            position=movement["position"] if movement else None,
            locations=tuple(levels_as_of([self.product_id], self.at).get(self.product_id, ())) if movement else (),
        )


@dataclass(frozen=True)
class InventoryRow:
    product_id: uuid.UUID
    sku: str
    name: str
    on_hand: int
    price: Decimal
    value: Decimal


@dataclass(frozen=True)
class InventoryPage:
    rows: list[InventoryRow]
    next_cursor: str | None


@dataclass(frozen=True, kw_only=True)
class GetInventoryAsOf:
    """Every product that existed and was not archived at `at`: on hand and value then, by SKU, keyset-paged.

    The cursor is the last row's SKU and id ("sku|id"). Archived-now and active-now products are
    read through their own (archived, sku, product_id) index and merged, so a page never sorts the catalogue.
    """

    at: datetime
    after: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def execute(self) -> InventoryPage:
        past(self.at)
        return self._page(self.after, bounded_page_size(self.page_size))

    def iterate(self, chunk: int = 2000) -> Iterator[InventoryRow]:
        """Every row, a keyset chunk at a time (the CSV export); a future moment is refused here, not on reading."""
        past(self.at)
        return self._chunks(chunk)

    def _chunks(self, chunk: int) -> Iterator[InventoryRow]:
        after = self.after
        while True:
            page = self._page(after, chunk)
            yield from page.rows
            if page.next_cursor is None:
                return
            after = page.next_cursor

    def _page(self, after: str | None, size: int) -> InventoryPage:
        found = sorted(
            (row for archived in (False, True) for row in self._rows(archived, after, size + 1)),
            key=lambda row: (row.sku, str(row.product_id)),
        )
        rows = found[:size]
        return InventoryPage(
            rows=rows, next_cursor=f"{rows[-1].sku}|{rows[-1].product_id}" if len(found) > size else None
        )

    def _rows(self, archived_now: bool, after: str | None, limit: int) -> list[InventoryRow]:
        details = last_at(DetailsHistoryEntry, self.at)
        rows = (
            ProductSummary.objects.filter(archived=archived_now, created_at__lte=self.at)
            .annotate(
                on_hand_then=Coalesce(
                    Subquery(last_at(StockMovementEntry, self.at).values("on_hand_after")[:1]),
                    0,
                    output_field=BigIntegerField(),
                ),
                price_then=Subquery(
                    details.values("price")[:1], output_field=DecimalField(max_digits=12, decimal_places=2)
                ),
                archived_then=Subquery(details.values("archived")[:1]),
            )
            .filter(archived_then=False)
            .order_by("sku", "product_id")
        )
        rows = product_after(rows, after)
        return [
            InventoryRow(
                product_id=row["product_id"],
                sku=row["sku"],
                name=row["name"],
                on_hand=row["on_hand_then"],
                price=(price := Decimal(row["price_then"]).quantize(CENTS)),
                value=price * row["on_hand_then"],
            )
            for row in rows.values("product_id", "sku", "name", "on_hand_then", "price_then")[:limit]
        ]


def product_after(rows, after: str | None):
    """The rows after a "sku|id" cursor, in (sku, product_id) order."""
    if not after:
        return rows
    sku, _, product_id = after.rpartition("|")
    return rows.filter(Q(sku__gt=sku) | Q(sku=sku, product_id__gt=product_uuid(product_id)))


def product_uuid(text: str) -> uuid.UUID:
    """A cursor's product id; an unreadable one sorts first (a page from the SKU on)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return uuid.UUID(int=0)
