"""The product list's chip counts: the running totals when nothing is searched, capped counts for a search.

A million rows are never counted: without a search the counts are the InventoryStats totals; with one,
the first COUNT_CAP + 1 matching rows are read once (a LIMIT under the count: one trigram scan, not one
per chip) and counted per chip. Up to the cap the counts are exact; beyond it every chip says "N+", a
lower bound, and the page says counting stopped. The counts and the newest event position come back in
one statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections, router

from products.read.filters.catalogue import search_condition
from products.read.queries.stock import GetInventoryStats
from products.read.tables import ARCHIVED, STATUS_FILTERS, InventoryStats, ProductSummary, StockStatus

COUNT_CAP = 1000


@dataclass(frozen=True)
class ChipCounts:
    """How many products each status chip holds; `capped` names the chips whose count is only a lower bound."""

    counts: dict[str, int]
    capped: frozenset[str]
    last_position: int
    cap: int | None = None  # None: exact totals

    def label(self, key: str) -> str:
        """The count as shown: 1,234 exactly, or 1,000+ where counting stopped (at least that many)."""
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
        sample = ProductSummary.objects.filter(search_condition(self.search)).order_by()
        sample_sql, params = sample.values("archived", "status")[: cap + 1].query.get_compiler(using=alias).as_sql()
        chips = [
            f"SUM(CASE WHEN archived = %s{' AND status = %s' if key in StockStatus.values else ''} THEN 1 ELSE 0 END)"
            for key in STATUS_FILTERS
        ]
        chip_params = [value for key in STATUS_FILTERS for value in _chip_params(key)]
        stats = connection.ops.quote_name(InventoryStats._meta.db_table)
        sql = (
            f"SELECT COUNT(*), {', '.join(chips)}, (SELECT COALESCE(MAX(last_position), 0) FROM {stats})"  # noqa: S608
            f" FROM ({sample_sql}) AS sample"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*chip_params, *params])
            matched, *found, last_position = cursor.fetchone()
        counts = {key: min(count or 0, cap) for key, count in zip(STATUS_FILTERS, found, strict=True)}
        capped = frozenset(STATUS_FILTERS) if matched > cap else frozenset()
        return ChipCounts(counts=counts, capped=capped, last_position=last_position, cap=cap)


def _chip_params(key: str) -> list:
    """The CASE's parameters for one chip: archived or not, and the stock status if the chip is one."""
    return [key == ARCHIVED, key] if key in StockStatus.values else [key == ARCHIVED]
