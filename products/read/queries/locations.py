"""Locations and stock per location: read models only (LocationSummary, StockByLocation, ProductSummary)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connections, router

from products.read.tables import MAIN, LocationSummary, ProductSummary, StockByLocation

# MAIN is built in: until someone edits it, it has no row of its own.
MAIN_NAME = "Main"


@dataclass(frozen=True)
class LocationLevel:
    location: str
    on_hand: int


@dataclass(frozen=True)
class LocationRow:
    """A location as the Locations page and the API show it; the totals only when asked for."""

    code: str
    name: str
    parent: str
    path: str
    archived: bool
    version: int
    updated_at: datetime | None
    products: int = 0
    on_hand: int = 0
    stock_value: Decimal = Decimal("0.00")


def _main() -> LocationRow:
    return LocationRow(code=MAIN, name=MAIN_NAME, parent="", path=MAIN, archived=False, version=0, updated_at=None)


def _row(summary: LocationSummary, totals: tuple | None = None) -> LocationRow:
    products, on_hand, value = totals or (0, 0, Decimal("0.00"))
    return LocationRow(
        code=summary.code,
        name=summary.name,
        parent=summary.parent,
        path=summary.path,
        archived=summary.archived,
        version=summary.version,
        updated_at=summary.updated_at,
        products=products,
        on_hand=on_hand,
        stock_value=Decimal(value).quantize(Decimal("0.01")),
    )


def _by_code() -> dict[str, LocationRow]:
    """Every location by its upper-cased code, MAIN included."""
    rows = {MAIN: _main()}
    rows |= {summary.code.upper(): _row(summary) for summary in LocationSummary.objects.all()}
    return rows


@dataclass(frozen=True, kw_only=True)
class GetStockByLocation:
    """Where one product is: each location holding some, MAIN first, then by code."""

    product_id: uuid.UUID

    def execute(self) -> list[LocationLevel]:
        rows = StockByLocation.objects.filter(product_id=self.product_id).values_list("location", "on_hand")
        return sorted((LocationLevel(*row) for row in rows), key=lambda level: (level.location != MAIN, level.location))


@dataclass(frozen=True, kw_only=True)
class GetLocation:
    """One location by its code in any case (None: there is none)."""

    code: str

    def execute(self) -> LocationRow | None:
        summary = LocationSummary.objects.filter(code__iexact=self.code).first()
        if summary is not None:
            return _row(summary)
        return _main() if self.code.upper() == MAIN else None


_TOTALS = """
SELECT s.location, count(*), sum(s.on_hand), sum(s.on_hand * p.price)
FROM {levels} s JOIN {summaries} p ON p.product_id = s.product_id
GROUP BY s.location
"""


@dataclass(frozen=True, kw_only=True)
class ListLocations:
    """Every location ordered by path (a warehouse, then its bins); `totals` adds products, units and value."""

    include_archived: bool = True
    totals: bool = False

    def execute(self) -> list[LocationRow]:
        rows = _by_code()
        if self.totals:
            for code, totals in _totals().items():
                row = rows.get(code.upper())
                if row is not None:
                    rows[code.upper()] = _row_with(row, totals)
        found = [row for row in rows.values() if self.include_archived or not row.archived]
        return sorted(found, key=lambda row: (row.parent or row.code, bool(row.parent), row.code))


def _row_with(row: LocationRow, totals: tuple) -> LocationRow:
    products, on_hand, value = totals
    return LocationRow(
        **{name: getattr(row, name) for name in ("code", "name", "parent", "path", "archived", "version")},
        updated_at=row.updated_at,
        products=products,
        on_hand=int(on_hand),
        stock_value=Decimal(value or 0).quantize(Decimal("0.01")),
    )


def _totals() -> dict[str, tuple]:
    """Products, units and stock value per location code, in one aggregate over the levels."""
    alias = router.db_for_read(StockByLocation)
    db = connections[alias]
    sql = _TOTALS.format(
        levels=db.ops.quote_name(StockByLocation._meta.db_table),
        summaries=db.ops.quote_name(ProductSummary._meta.db_table),
    )
    with db.cursor() as cursor:
        cursor.execute(sql)
        return {location: (products, on_hand, value) for location, products, on_hand, value in cursor.fetchall()}
