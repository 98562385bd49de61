"""The inventory as of a moment per product and location: the stock-take sheet, and "what was in bin X then".

One row per product and location that held some then, by SKU, then location (MAIN first): the shape a
count sheet and a valuation take (rows add up to GetInventoryAsOf's totals; columns per location would
change with the data and be mostly empty over hundreds of bins). Every location: GetInventoryAsOf's
keyset pages of products, then one grouped query for a page's levels (levels_then). One location: one
grouped query over that location's ledger rows, joined to the products by SKU.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import batched

from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When

from products.read.queries.catalogue import DEFAULT_PAGE_SIZE, InvalidQuery, bounded_page_size
from products.read.queries.history import CENTS, GetInventoryAsOf, InventoryPage, last_at, past, product_after
from products.read.queries.levels_then import levels_as_of
from products.read.queries.locations import GetLocation
from products.read.tables import DetailsHistoryEntry, ProductSummary, StockMovementEntry

UNKNOWN_LOCATION = "There is no location {code}."


class UnknownLocation(InvalidQuery):
    """The location asked about was never created (an archived one is known: it may have held stock then)."""


@dataclass(frozen=True)
class InventoryLocationRow:
    product_id: uuid.UUID
    sku: str
    name: str
    location: str
    on_hand: int
    price: Decimal
    value: Decimal


@dataclass(frozen=True, kw_only=True)
class GetInventoryByLocationAsOf:
    """Products that existed and were active at `at`, a row per location holding some then; keyset-paged.

    `location` (a code in any case) keeps that location's rows only. The cursor is the last row's
    product ("sku|id", as GetInventoryAsOf's): a page never splits a product, so it may run past
    `page_size` by the rest of its last product's locations.
    """

    at: datetime
    location: str | None = None
    after: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def execute(self) -> InventoryPage:
        size = bounded_page_size(self.page_size)
        if self.location is not None:
            rows = list(self._at(self._code(), limit=size + 1))
            more = len(rows) > size
            rows = rows[:size]
            return InventoryPage(rows=rows, next_cursor=f"{rows[-1].sku}|{rows[-1].product_id}" if more else None)
        rows: list[InventoryLocationRow] = []
        for row in self.iterate(size):
            if len(rows) >= size and row.product_id != rows[-1].product_id:
                return InventoryPage(rows=rows, next_cursor=f"{rows[-1].sku}|{rows[-1].product_id}")
            rows.append(row)
        return InventoryPage(rows=rows, next_cursor=None)

    def iterate(self, chunk: int = 2000) -> Iterator[InventoryLocationRow]:
        """Every row after the cursor, streamed; bad input is refused here, not on reading."""
        past(self.at)
        if self.location is None:
            return self._everywhere(chunk)
        return self._at(self._code(), chunk=chunk)

    def _code(self) -> str:
        past(self.at)
        found = GetLocation(code=self.location).execute()
        if found is None:
            raise UnknownLocation(UNKNOWN_LOCATION.format(code=self.location))
        return found.code

    def _everywhere(self, chunk: int) -> Iterator[InventoryLocationRow]:
        """A keyset chunk of products at a time, and one grouped query for the chunk's levels."""
        products = GetInventoryAsOf(at=self.at, after=self.after).iterate(chunk)
        for batch in batched(products, chunk, strict=False):
            levels = levels_as_of((product.product_id for product in batch if product.on_hand), self.at)
            for product in batch:
                for level in levels.get(product.product_id, ()):
                    yield _row(product, level.location, level.on_hand, product.price)

    def _at(self, code: str, *, limit: int | None = None, chunk: int = 2000) -> Iterator[InventoryLocationRow]:
        """One query: the location's ledger rows grouped by product (once), the products by SKU, streamed."""
        here = StockMovementEntry.objects.filter(occurred_at__lte=self.at).filter(
            Q(location=code) | Q(to_location=code)
        )
        change = Case(When(location=code, then=F("quantity") - F("moved")), default=Value(0)) + Case(
            When(to_location=code, then=F("moved")), default=Value(0)
        )
        levels = here.values("product_id").annotate(level=Sum(change)).exclude(level=0)
        details = last_at(DetailsHistoryEntry, self.at)
        rows = (
            ProductSummary.objects.filter(product_id__in=levels.values("product_id"))
            .annotate(
                on_hand_then=Subquery(levels.filter(product_id=OuterRef("product_id")).values("level")[:1]),
                price_then=Subquery(
                    details.values("price")[:1], output_field=DecimalField(max_digits=12, decimal_places=2)
                ),
                archived_then=Subquery(details.values("archived")[:1]),
            )
            .filter(archived_then=False)
            .order_by("sku", "product_id")
            .only("product_id", "sku", "name")
        )
        rows = product_after(rows, self.after)
        found = rows[:limit] if limit is not None else rows.iterator(chunk_size=chunk)
        for row in found:
            yield _row(row, code, row.on_hand_then, Decimal(row.price_then).quantize(CENTS))


def _row(product, location: str, on_hand: int, price: Decimal) -> InventoryLocationRow:
    return InventoryLocationRow(
        product_id=product.product_id,
        sku=product.sku,
        name=product.name,
        location=location,
        on_hand=on_hand,
        price=price,
        value=price * on_hand,
    )
