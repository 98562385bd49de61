"""Prove the read models: live tables == a fresh replay of the log == the write model."""

from __future__ import annotations

from itertools import zip_longest

from products.read.checkpoints import ProjectorCheckpoint
from products.read.log_reader import read_events
from products.read.projections import RESERVATION_FIELDS, RESERVATION_MIRRORED, SUMMARY_FIELDS
from products.read.projectors import PROJECTORS
from products.read.projectors.ledger import STATE_FIELDS
from products.read.replay import Replay
from products.read.tables import (
    DetailsHistoryEntry,
    InventoryStats,
    LedgerProductState,
    LocationSummary,
    ProductSummary,
    ReservationEntry,
    StockByLocation,
    StockMovementEntry,
)
from products.write.aggregates import Location, LocationStock, Product, Reservation
from products.write.log import Event

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
    "reserved": "reserved",
    "archived": "archived",
    "version": "version",
}
LOCATION_FIELDS = ["code", "name", "parent", "path", "archived", "version", "updated_at", "last_position"]
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


def _compare_rows(differences: Differences, label: str, expected, actual, names) -> None:
    """Compare two read-model rows (either may be None) on the named fields."""
    _compare(differences, label, _row(expected, names) if expected else None, _row(actual, names) if actual else None)


def _compare_keyed(differences: Differences, label: str, expected: dict, actual: dict, names) -> None:
    """Compare two {key: row} maps of one read model, row by row, over the keys of both."""
    for key in expected.keys() | actual.keys():
        _compare_rows(differences, f"{label} {key}", expected.get(key), actual.get(key), names)


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
        _compare_rows(differences, f"movement #{position}", expected, actual, MOVEMENT_FIELDS)

    for position in expected_links.keys() | live_links.keys():
        if expected_links.get(position) != live_links.get(position):
            differences.add(
                f"movement #{position}.reversed_by: live {live_links.get(position)!r}, "
                f"replay {expected_links.get(position)!r}"
            )

    live_details = DetailsHistoryEntry.objects.order_by("position").iterator(chunk_size=5000)
    for expected, actual in zip_longest(replay.details, live_details):
        _compare_rows(differences, f"details #{(expected or actual).position}", expected, actual, DETAILS_FIELDS)

    live = {s.product_id: s for s in ProductSummary.objects.iterator(chunk_size=5000)}
    _compare_keyed(differences, "summary", replay.summaries, live, SUMMARY_FIELDS)

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
    _verify_locations(differences, replay)
    _verify_reservations(differences, replay)
    _verify_projectors(differences, replay)
    differences.events = replay.events
    return differences


def _verify_projectors(differences: Differences, replay: Replay) -> None:
    """Each projector has applied the whole log (verify_read_models catches them up first), nothing twice,
    and the ledger projector's own state equals the replay's summaries."""
    head = Event.objects.order_by("-position").values_list("position", flat=True).first() or 0
    stored = {row.name: row for row in ProjectorCheckpoint.objects.all()}
    for name in PROJECTORS:
        checkpoint = stored.get(name, ProjectorCheckpoint(name=name))
        if checkpoint.failed_position is not None:
            differences.add(
                f"projector {name}: stopped at event #{checkpoint.failed_position}: {checkpoint.last_error}"
            )
        elif checkpoint.position != head:
            differences.add(f"projector {name}: at #{checkpoint.position}, the log at #{head}")
    live = {row.product_id: row for row in LedgerProductState.objects.iterator(chunk_size=5000)}
    _compare_keyed(differences, "ledger state", replay.summaries, live, STATE_FIELDS)


def _verify_locations(differences: Differences, replay: Replay) -> None:
    """Stock per (product, location) and the locations: live == replay == write model."""
    live_levels = dict(
        ((product_id, location), on_hand)
        for product_id, location, on_hand in StockByLocation.objects.values_list("product_id", "location", "on_hand")
    )
    for key in replay.levels.keys() | live_levels.keys():
        if replay.levels.get(key) != live_levels.get(key):
            differences.add(
                f"stock of {key[0]} at {key[1]}: live {live_levels.get(key)!r}, replay {replay.levels.get(key)!r}"
            )
    written = {
        (product_id, code): on_hand
        for product_id, code, on_hand in LocationStock.objects.exclude(on_hand=0).values_list(
            "product_id", "location__code", "on_hand"
        )
    }
    for key in replay.levels.keys() | written.keys():
        if replay.levels.get(key) != written.get(key):
            differences.add(
                f"stock of {key[0]} at {key[1]}: write model {written.get(key)!r}, replay {replay.levels.get(key)!r}"
            )
    live = {row.location_id: row for row in LocationSummary.objects.all()}
    _compare_keyed(differences, "location", replay.locations, live, LOCATION_FIELDS)
    for location in Location.objects.filter(version__gt=0).select_related("parent"):
        summary = replay.locations.get(location.id)
        parent = location.parent.code if location.parent else ""
        if summary is None or (summary.name, summary.parent, summary.archived, summary.version) != (
            location.name,
            parent,
            location.archived,
            location.version,
        ):
            differences.add(f"location {location.code}: the write model and a replay disagree")


def _verify_reservations(differences: Differences, replay: Replay) -> None:
    """Live reservation rows == the replay's == the write model's reservations."""
    live = {r.reservation_id: r for r in ReservationEntry.objects.iterator(chunk_size=5000)}
    _compare_keyed(differences, "reservation", replay.reservations, live, RESERVATION_FIELDS)
    written = {r.id: r for r in Reservation.objects.iterator(chunk_size=5000)}
    for reservation_id in replay.reservations.keys() | written.keys():
        entry, reservation = replay.reservations.get(reservation_id), written.get(reservation_id)
        if entry is None or reservation is None:
            side = "no write-model row" if reservation is None else "no events"
            differences.add(f"reservation {reservation_id}: {side}")
            continue
        for name in RESERVATION_MIRRORED:
            if getattr(reservation, name) != getattr(entry, name):
                differences.add(
                    f"reservation {reservation.reference}.{name}: write model {getattr(reservation, name)!r}, "
                    f"replay {getattr(entry, name)!r}"
                )
