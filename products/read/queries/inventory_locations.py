"""The inventory as of a moment per product and location: the stock-take sheet, and "what was in bin X then".

One row per product and location that held some then, by SKU, then location (MAIN first): the shape a
count sheet and a valuation take (rows add up to GetInventoryAsOf's totals; columns per location would
change with the data and be mostly empty over hundreds of bins). Every location: GetInventoryAsOf's
keyset pages of products, then one grouped query for a page's levels (levels_then). One location: one
statement, its ledger rows grouped by product and joined to the products by SKU, streamed from a cursor.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import batched

from products.read.queries.catalogue import DEFAULT_PAGE_SIZE, InvalidQuery, bounded_page_size
from products.read.queries.history import CENTS, GetInventoryAsOf, InventoryPage, past, product_uuid
from products.read.queries.levels_then import as_uuid, ledger_param, levels_as_of, read_tables
from products.read.queries.locations import GetLocation

UNKNOWN_LOCATION = "There is no location {code}."

# What one location held then, per product: movements there (a transfer's source gives `moved`) and transfers
# to it, each branch on its own partial index (location, to_location); price and archived then per product.
_AT = """
WITH here AS (
    SELECT product_id, SUM(change) AS on_hand FROM (
        SELECT product_id, quantity - moved AS change FROM {ledger} WHERE location = %s AND occurred_at <= %s
        UNION ALL
        SELECT product_id, moved FROM {ledger} WHERE to_location = %s AND occurred_at <= %s
    ) changes
    GROUP BY product_id
    HAVING SUM(change) <> 0
)
SELECT s.product_id, s.sku, s.name, here.on_hand, (
    SELECT d.price FROM {details} d WHERE d.product_id = s.product_id AND d.occurred_at <= %s
    ORDER BY d.occurred_at DESC, d.position DESC LIMIT 1
)
FROM {summary} s JOIN here ON here.product_id = s.product_id
WHERE NOT (
    SELECT d.archived FROM {details} d WHERE d.product_id = s.product_id AND d.occurred_at <= %s
    ORDER BY d.occurred_at DESC, d.position DESC LIMIT 1
) {after}
ORDER BY s.sku, s.product_id {limit}
"""


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
        """One statement: the location's ledger rows up to then summed per product (once), joined by SKU, streamed."""
        db, tables = read_tables()
        moment = ledger_param(db, "occurred_at", self.at)
        params = [code, moment, code, moment, moment, moment]
        after = ""
        if self.after:
            sku, _, product_id = self.after.rpartition("|")
            after = "AND (s.sku > %s OR (s.sku = %s AND s.product_id > %s))"
            params += [sku, sku, ledger_param(db, "product_id", product_uuid(product_id))]
        sql = _AT.format(**tables, after=after, limit="LIMIT %s" if limit is not None else "")
        with db.chunked_cursor() as cursor:
            cursor.execute(sql, [*params, *([limit] if limit is not None else [])])
            while found := cursor.fetchmany(chunk):
                for product_id, sku, name, level, price_then in found:
                    on_hand, price = int(level), Decimal(price_then).quantize(CENTS)  # PostgreSQL's SUM is numeric
                    yield InventoryLocationRow(as_uuid(product_id), sku, name, code, on_hand, price, price * on_hand)


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
