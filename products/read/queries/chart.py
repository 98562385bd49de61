"""One product's stock over a period, for its chart: the level at the start, every movement since, the reorder line."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from products.read.tables import DetailsHistoryEntry, MovementKind, StockMovementEntry

# Past this many movements in the period, the chart shows the level per time slot instead of every step.
MAX_ROWS = 20_000


@dataclass(frozen=True)
class StockSeries:
    """`start_on_hand`/`start_reorder_level` hold at `since`; each step is (time, on hand after, change, kind)."""

    product_id: uuid.UUID
    since: datetime
    until: datetime
    start_on_hand: int
    start_reorder_level: int
    steps: list[tuple[datetime, int, int, str]]
    reorder_steps: list[tuple[datetime, int]]
    truncated: bool

    @property
    def receipts(self) -> int:
        return sum(1 for step in self.steps if step[3] == MovementKind.RECEIVED)

    @property
    def issues(self) -> int:
        return sum(1 for step in self.steps if step[3] == MovementKind.ISSUED)


@dataclass(frozen=True, kw_only=True)
class GetStockSeries:
    """Seeks on the (product, time) indexes of the ledger and the details history: no scan of other products."""

    product_id: uuid.UUID
    since: datetime
    until: datetime
    # The period starts when the product was created: nothing came before it, so it is not asked for.
    from_creation: bool = False

    def execute(self) -> StockSeries:
        ledger = StockMovementEntry.objects.filter(product_id=self.product_id)
        details = DetailsHistoryEntry.objects.filter(product_id=self.product_id)
        start, level = 0, None
        if not self.from_creation:
            before = ledger.filter(occurred_at__lt=self.since).order_by("-occurred_at", "-position")
            start = before.values_list("on_hand_after", flat=True).first() or 0
            level = (
                details.filter(occurred_at__lt=self.since)
                .order_by("-occurred_at", "-position")
                .values_list("reorder_level", flat=True)
                .first()
            )
        within = {"occurred_at__gte": self.since, "occurred_at__lte": self.until}
        rows = list(
            ledger.filter(**within)
            .order_by("occurred_at", "position")
            .values_list("occurred_at", "on_hand_after", "quantity", "kind")[: MAX_ROWS + 1]
        )
        reorder = list(
            details.filter(**within).order_by("occurred_at", "position").values_list("occurred_at", "reorder_level")
        )
        if level is None:  # the period starts before the product existed: its first level holds from the start
            level = reorder[0][1] if reorder else 0
        return StockSeries(
            product_id=self.product_id,
            since=self.since,
            until=self.until,
            start_on_hand=start,
            start_reorder_level=level,
            steps=rows[:MAX_ROWS],
            reorder_steps=reorder,
            truncated=len(rows) > MAX_ROWS,
        )
