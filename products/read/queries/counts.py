"""The product list's chip counts: the running totals when nothing is searched, capped counts for a search.

A million rows are never counted: without a search the counts are the InventoryStats totals; with one,
each chip counts at most COUNT_CAP + 1 matching rows (a LIMIT inside the count), and shows "1,000+"
beyond the cap. All five counts and the newest event position come back in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections, router

from products.read.filters.catalogue import ProductFilter
from products.read.queries.stock import GetInventoryStats
from products.read.tables import STATUS_FILTERS, InventoryStats, ProductSummary

COUNT_CAP = 1000


@dataclass(frozen=True)
class ChipCounts:
    """How many products each status chip holds; `capped` names the chips that hold more than the cap."""

    counts: dict[str, int]
    capped: frozenset[str]
    last_position: int
    cap: int | None = None  # None: exact totals

    def label(self, key: str) -> str:
        """The count as shown: 1,234 exactly, or 1,000+ where counting stopped."""
        return f"{self.counts.get(key, 0):,}+" if key in self.capped else f"{self.counts.get(key, 0):,}"


@dataclass(frozen=True, kw_only=True)
class GetChipCounts:
    """The chips' counts for this search (none: the whole catalogue), in one query."""

    search: str = ""
    cap: int | None = None  # COUNT_CAP unless given

    def execute(self) -> ChipCounts:
        if not self.search.strip():
            stats = GetInventoryStats().execute()
            return ChipCounts(counts=stats.counts, capped=frozenset(), last_position=stats.last_position)
        cap = self.cap or COUNT_CAP
        alias = router.db_for_read(ProductSummary)
        connection = connections[alias]
        selects, params = [], []
        for key in STATUS_FILTERS:
            matching = ProductFilter.rows(search=self.search, status=key).order_by().values("pk")[: cap + 1]
            sql, sub_params = matching.query.get_compiler(using=alias).as_sql()
            selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS {key}_matches)")  # noqa: S608 (values are params)
            params.extend(sub_params)
        stats = connection.ops.quote_name(InventoryStats._meta.db_table)
        selects.append(f"(SELECT COALESCE(MAX(last_position), 0) FROM {stats})")  # noqa: S608 (a table name)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(selects)}", params)  # noqa: S608 (built above)
            *found, last_position = cursor.fetchone()
        counts = {key: min(count, cap) for key, count in zip(STATUS_FILTERS, found, strict=True)}
        capped = frozenset(key for key, count in zip(STATUS_FILTERS, found, strict=True) if count > cap)
        return ChipCounts(counts=counts, capped=capped, last_position=last_position, cap=cap)
