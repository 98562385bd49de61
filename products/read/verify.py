"""Prove the read models: live tables == a fresh replay of the log == the write model."""

from __future__ import annotations

from itertools import zip_longest

from products.read.projections import SUMMARY_FIELDS
from products.read.replay import Replay, read_events
from products.read.tables import DetailsHistoryEntry, InventoryStats, ProductSummary, StockMovementEntry
from products.write.aggregates import Product

# reversed_by is linked after the fact (projections.link_reversals): checked on its own below.
MOVEMENT_FIELDS = [f.attname for f in StockMovementEntry._meta.concrete_fields if f.attname != "reversed_by"]
DETAILS_FIELDS = [f.attname for f in DetailsHistoryEntry._meta.concrete_fields]
STATS_FIELDS = ["shard", *InventoryStats.COUNTERS, "last_position"]
WRITE_FIELDS = {
    "sku": "sku",
    "name": "name",
    "description": "description",
    "price": "price",
    "reorder_level": "reorder_level",
    "on_hand": "on_hand",
    "archived": "archived",
    "version": "version",
}
MAX_REPORTED = 50


class Differences(list):
    """A capped list of human-readable differences that still counts every one."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def add(self, text: str) -> None:
        self.total += 1
        if len(self) < MAX_REPORTED:
            self.append(text)


def _row(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def _compare(differences: Differences, label: str, expected: dict | None, actual: dict | None) -> None:
    if expected == actual:
        return
    if expected is None:
        differences.add(f"{label}: present in the live table but not in a replay")
    elif actual is None:
        differences.add(f"{label}: missing from the live table")
    else:
        for name, value in expected.items():
            if actual.get(name) != value:
                differences.add(f"{label}.{name}: live {actual.get(name)!r}, replay {value!r}")


def verify() -> Differences:
    """Replay in memory, streaming the ledger side by side with the live one."""
    differences = Differences()
    replay = Replay()
    replayed_movements = (m for m in map(replay.apply, read_events()) if m is not None)
    live_movements = StockMovementEntry.objects.order_by("position").iterator(chunk_size=5000)
    expected_links, live_links = {}, {}
    for expected, actual in zip_longest(replayed_movements, live_movements):
        position = (expected or actual).position
        if expected is not None and expected.reverses is not None:
            expected_links[expected.reverses] = expected.position
        if actual is not None and actual.reversed_by is not None:
            live_links[actual.position] = actual.reversed_by
        _compare(
            differences,
            f"movement #{position}",
            _row(expected, MOVEMENT_FIELDS) if expected else None,
            _row(actual, MOVEMENT_FIELDS) if actual else None,
        )

    for position in expected_links.keys() | live_links.keys():
        if expected_links.get(position) != live_links.get(position):
            differences.add(
                f"movement #{position}.reversed_by: live {live_links.get(position)!r}, "
                f"replay {expected_links.get(position)!r}"
            )

    live_details = DetailsHistoryEntry.objects.order_by("position").iterator(chunk_size=5000)
    for expected, actual in zip_longest(replay.details, live_details):
        _compare(
            differences,
            f"details #{(expected or actual).position}",
            _row(expected, DETAILS_FIELDS) if expected else None,
            _row(actual, DETAILS_FIELDS) if actual else None,
        )

    live = {s.product_id: s for s in ProductSummary.objects.iterator(chunk_size=5000)}
    for product_id in replay.summaries.keys() | live.keys():
        expected, actual = replay.summaries.get(product_id), live.get(product_id)
        _compare(
            differences,
            f"summary {product_id}",
            _row(expected, SUMMARY_FIELDS) if expected else None,
            _row(actual, SUMMARY_FIELDS) if actual else None,
        )

    live_stats = {s.shard: _row(s, STATS_FIELDS) for s in InventoryStats.objects.all()}
    replay_stats = {s.shard: _row(s, STATS_FIELDS) for s in replay.stats()}
    for shard in replay_stats.keys() | live_stats.keys():
        expected = replay_stats.get(shard, _row(InventoryStats(shard=shard), STATS_FIELDS))
        actual = live_stats.get(shard, _row(InventoryStats(shard=shard), STATS_FIELDS))
        _compare(differences, f"stats shard {shard}", expected, actual)

    products = {p.id: p for p in Product.objects.iterator(chunk_size=5000)}
    for product_id in replay.summaries.keys() | products.keys():
        summary, product = replay.summaries.get(product_id), products.get(product_id)
        if product is None or summary is None:
            differences.add(f"product {product_id}: {'no write-model row' if product is None else 'no events'}")
            continue
        for write_name, read_name in WRITE_FIELDS.items():
            if getattr(product, write_name) != getattr(summary, read_name):
                differences.add(
                    f"product {product.sku}.{write_name}: write model {getattr(product, write_name)!r}, "
                    f"replay {getattr(summary, read_name)!r}"
                )
    differences.events = replay.events
    return differences
