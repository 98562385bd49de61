"""Bulk reads (exports, import checks): whole result sets in keyset chunks, SKUs in batches."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from products.read.queries.catalogue import ListProducts
from products.read.queries.ledger import filtered_ledger
from products.read.tables import ProductSummary

CHUNK = 2000


@dataclass(frozen=True)
class SkuMatch:
    product_id: uuid.UUID
    sku: str
    archived: bool


@dataclass(frozen=True, kw_only=True)
class FindProductsBySkus:
    """Products for many SKUs at once, keyed by lower-cased SKU (imports check a file in batches).

    Exact, upper- and lower-case spellings are looked up through the (archived, sku) index; a SKU
    stored in mixed case under another mixed spelling is missed here and refused by the handler.
    """

    skus: list[str]

    def execute(self) -> dict[str, SkuMatch]:
        spellings = {variant for sku in self.skus for variant in (sku, sku.upper(), sku.lower())}
        if not spellings:
            return {}
        rows = ProductSummary.objects.filter(archived__in=[False, True], sku__in=spellings).values_list(
            "product_id", "sku", "archived"
        )
        return {sku.lower(): SkuMatch(product_id, sku, archived) for product_id, sku, archived in rows}


@dataclass(frozen=True, kw_only=True)
class StreamProducts(ListProducts):
    """Every product ListProducts would page through, in the same order, fetched in keyset chunks."""

    chunk: int = CHUNK

    def iterate(self, columns: tuple[str, ...]) -> Iterator[tuple]:
        """Tuples of `columns`; memory holds one chunk however many rows match."""
        column, descending = self._column()
        rows = self.base_queryset()
        ordering = [f"-{column}", "-product_id"] if descending else [column, "product_id"]
        op = "lt" if descending else "gt"
        wanted = (*columns, column, "product_id")
        after = None
        while True:
            page = rows
            if after is not None:
                value, last_id = after
                page = rows.filter(
                    Q(**{f"{column}__{op}e": value}),  # lets the database seek the index (see ListProducts)
                    Q(**{f"{column}__{op}": value}) | Q(**{column: value, f"product_id__{op}": last_id}),
                )
            found = list(page.order_by(*ordering).values_list(*wanted)[: self.chunk])
            for record in found:
                yield record[: len(columns)]
            if len(found) < self.chunk:
                return
            after = found[-1][-2:]


@dataclass(frozen=True, kw_only=True)
class StreamStockMovements:
    """The ledger with ListStockMovements' filters, newest first, fetched in keyset chunks."""

    product_id: uuid.UUID | None = None
    product_ids: tuple[uuid.UUID, ...] | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    chunk: int = CHUNK

    def iterate(self, columns: tuple[str, ...]) -> Iterator[tuple]:
        rows = filtered_ledger(
            product_id=self.product_id, product_ids=self.product_ids, kind=self.kind, since=self.since, until=self.until
        )
        before = None
        while True:
            page = rows if before is None else rows.filter(position__lt=before)
            found = list(page.order_by("-position").values_list(*columns, "position")[: self.chunk])
            for record in found:
                yield record[:-1]
            if len(found) < self.chunk:
                return
            before = found[-1][-1]
