"""Demo catalogue and users, written through a bulk path equal to dispatching commands.

Events are made in memory, projected with the same projection functions the bus
uses, and inserted in bulk; `verify_read_models` accepts the result.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from products.db.bulk import deferred_indexes, field_names, insert_rows, insert_values
from products.read.location_projections import location_created
from products.read.projections import apply, details_entry, stats_contribution, stats_shard
from products.read.projectors import mark_caught_up
from products.read.tables import (
    DetailsHistoryEntry,
    InventoryStats,
    LocationSummary,
    ProductSummary,
    StockByLocation,
    StockMovementEntry,
)
from products.write import roles
from products.write.aggregates import Location, LocationStock, Product
from products.write.events import (
    DEFAULT_LOCATION,
    LocationCreated,
    ProductCreated,
    RecordedEvent,
    StockCounted,
    StockIssued,
    StockReceived,
    StockTransferred,
    location_stream_id,
)
from products.write.log import Event, lock_event_log
from products.write.unit_of_work import find_location

CATEGORIES = {
    "ACC": (["Phone case", "Laptop sleeve", "Key ring", "Lanyard", "Card holder"], (4, 60)),
    "CBL": (["USB-C cable", "HDMI cable", "Ethernet patch lead", "Power cord", "Audio cable"], (3, 40)),
    "TLS": (["Screwdriver set", "Torque wrench", "Utility knife", "Tape measure", "Hex key set"], (6, 180)),
    "OFF": (["Stapler", "Ring binder", "Desk organiser", "Whiteboard marker", "Label roll"], (1, 45)),
    "PKG": (["Shipping box", "Bubble wrap roll", "Packing tape", "Mailer bag", "Pallet wrap"], (1, 30)),
    "SAF": (["Safety glasses", "Work gloves", "Hi-vis vest", "Ear defenders", "Hard hat"], (3, 70)),
    "ELC": (["LED bulb", "Extension lead", "Battery pack", "Smart plug", "Motion sensor"], (4, 90)),
    "FUR": (["Shelving unit", "Storage bin", "Step stool", "Parts drawer", "Tool chest"], (12, 400)),
}
QUALIFIERS = ["Compact", "Heavy-duty", "Premium", "Standard", "Eco", "Pro", "Mini", "XL", "Industrial", "Classic"]
COLOURS = ["black", "white", "grey", "blue", "red", "green", "yellow", "orange", "clear", "steel"]
NOTES = ["", "", "", "PO-{n}", "Order #{n}", "Returned goods", "Cycle count", "Restock pick face"]
# Bins inside MAIN, aisle by aisle: A-01 ... E-10 (a seed uses the first `bins` of them).
BIN_CODES = [f"{aisle}-{number:02d}" for aisle in "ABCDEFGHIJ" for number in range(1, 11)]
DEMO_USERS = [
    ("admin", None, True),
    ("manager", roles.INVENTORY_MANAGER, False),
    ("clerk", roles.STOCK_CLERK, False),
    ("viewer", roles.VIEWER, False),
]
CHUNK = 5000
# From this size on, a seed runs in one transaction and builds indexes once, after the load.
BIG_SEED = 20_000
BIG_CHUNK = 20_000
PREFIXES = list(CATEGORIES)
EVENT_FIELDS = [
    "position",
    "stream_id",
    "stream_version",
    "type",
    "data",
    "actor",
    "command_id",
    "occurred_at",
    "command_type",
    "request_digest",
]
PRODUCT_FIELDS = field_names(Product)
if field_names(Event) != EVENT_FIELDS:
    raise ImportError("products.seeding builds Event rows as tuples: update EVENT_FIELDS to Event's fields")


def create_demo_users() -> list[str]:
    """Users named after their role, password = username (demo only)."""
    User = get_user_model()
    made = []
    for username, role, superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": superuser or role == roles.INVENTORY_MANAGER}
        )
        if created:
            user.set_password(username)
            user.is_superuser = superuser
            user.save()
            made.append(username)
        if role:
            user.groups.add(Group.objects.get(name=role))
    return made


def seed_catalogue(
    products: int,
    movements_per_product: float = 4,
    seed: int = 42,
    progress: Callable[[int, int], None] | None = None,
    bins: int = 0,
) -> tuple[int, int]:
    """Add `products` products with about that many movements each; returns (products, events).

    With `bins`, that many bins inside MAIN exist (made if missing) and stock is spread over MAIN
    and a few bins per product, with transfers between them.
    """
    sku_base = Product.objects.count()
    rng = random.Random(f"{seed}-{sku_base}")  # noqa: S311 (demo data); a rerun continues, not repeats
    # History runs forward from the latest event (or 90 days ago) and stops short of now, so
    # time and position order agree (ListStockMovements relies on it) and nothing is in the future.
    now = timezone.now()
    latest = Event.objects.aggregate(Max("occurred_at"))["occurred_at__max"]
    begin = max(now - timedelta(days=90), latest or now - timedelta(days=90))
    total_events_estimate = int(products * (1 + movements_per_product) * 1.2) or 1
    step = (now - begin) / total_events_estimate
    done = events = 0

    places = [DEFAULT_LOCATION, *BIN_CODES[: max(0, min(bins, len(BIN_CODES)))]]

    def one_chunk(size: int) -> None:
        nonlocal done, events
        start = begin + step * events
        events += _seed_chunk(rng, size, sku_base + done, movements_per_product, start, step, places)
        done += size
        if progress:
            progress(done, events)

    if products >= BIG_SEED:
        # One transaction: empty tables load without their indexes, which are built once at the end.
        with transaction.atomic():
            lock_event_log()
            tables = (
                Product,
                Event,
                ProductSummary,
                StockMovementEntry,
                DetailsHistoryEntry,
                LocationStock,
                StockByLocation,
            )
            with deferred_indexes(*tables):
                events += _seed_bins(places[1:], begin)
                while done < products:
                    one_chunk(min(BIG_CHUNK, products - done))
            _reset_event_sequence()
            mark_caught_up()
        return done, events
    with transaction.atomic():
        lock_event_log()
        events += _seed_bins(places[1:], begin)
        _reset_event_sequence()
        mark_caught_up()
    while done < products:
        with transaction.atomic():
            lock_event_log()
            one_chunk(min(CHUNK, products - done))
            _reset_event_sequence()
            mark_caught_up()
    return done, events


def describe(qualifier: str, noun: str, colour: str) -> str:
    """The demo description of the product named "{qualifier} {noun}, {colour}": the same thing, never another."""
    return f"{qualifier} {noun[0].lower()}{noun[1:]} in {colour}, for warehouse and office use."


def _seed_bins(codes: list[str], occurred_at) -> int:
    """The bins that do not exist yet, inside MAIN: their rows, LocationCreated events and summaries."""
    main = find_location(DEFAULT_LOCATION, share=False)
    missing = [code for code in codes if not Location.objects.filter(pk=location_stream_id(code)).exists()]
    last = Event.objects.aggregate(Max("position"))["position__max"] or 0
    rows, summaries = [], []
    for position, code in enumerate(missing, start=last + 1):
        event = LocationCreated(location_id=location_stream_id(code), code=code, name=f"Bin {code}", parent=main.code)
        recorded = RecordedEvent(
            position=position,
            stream_version=1,
            occurred_at=occurred_at,
            actor="manager",
            command_id=uuid.uuid5(event.location_id, "seeded"),
            event=event,
        )
        rows.append(_event_row(recorded, str(event.location_id)))
        summaries.append(location_created(None, recorded))
    Location.objects.bulk_create(
        Location(
            id=s.location_id,
            code=s.code,
            name=s.name,
            parent=main,
            version=1,
            created_at=occurred_at,
            updated_at=occurred_at,
        )
        for s in summaries
    )
    insert_values(Event, rows)
    LocationSummary.objects.bulk_create(summaries)
    return len(rows)


def _seed_chunk(rng, size, sku_offset, movements_per_product, begin, step, places) -> int:
    """Events for `size` products, projected in memory, inserted in bulk (caller holds the lock)."""
    position = first = Event.objects.aggregate(Max("position"))["position__max"] or 0
    product_rows, event_rows, summaries, ledger, details, stock_rows, level_rows = [], [], [], [], [], [], []
    stats = defaultdict(lambda: defaultdict(int))
    for index in range(size):
        product_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        prefix = rng.choice(PREFIXES)
        nouns, (low, high) = CATEGORIES[prefix]
        qualifier, noun, colour = rng.choice(QUALIFIERS), rng.choice(nouns), rng.choice(COLOURS)
        created = ProductCreated(
            product_id=product_id,
            sku=f"{prefix}-{sku_offset + index + 1:06d}",
            name=f"{qualifier} {noun}, {colour}",
            description=describe(qualifier, noun, colour),
            price=Decimal(rng.randint(low * 100, high * 100)) / 100,
            reorder_level=rng.choice([0, 5, 10, 10, 20, 25, 50]),
        )
        levels: dict[str, int] = {}
        stream = [created, *_movements(rng, product_id, movements_per_product, places, levels)]
        summary = None
        stream_id = str(product_id)
        for version, event in enumerate(stream, start=1):
            position += 1
            recorded = RecordedEvent(
                position=position,
                stream_version=version,
                occurred_at=begin + step * (position - first),
                actor=rng.choice(["manager", "clerk", "clerk"]) if version > 1 else "manager",
                command_id=_uuid4_text(rng.getrandbits(128)),
                event=event,
            )
            event_rows.append(_event_row(recorded, stream_id))
            summary, movement = apply(summary, recorded)
            if movement is not None:
                ledger.append(movement)
            if (entry := details_entry(summary, recorded)) is not None:
                details.append(entry)
        summaries.append(summary)
        product_rows.append(_product_row(summary))
        for code, on_hand in levels.items():
            if on_hand:
                stock_rows.append((product_id, location_stream_id(code), on_hand))
                level_rows.append((product_id, code, on_hand))
        for key, value in stats_contribution(summary).items():
            stats[stats_shard(product_id)][key] += value
        stats[stats_shard(product_id)]["last_position"] = max(
            stats[stats_shard(product_id)]["last_position"], summary.last_position
        )
    insert_values(Product, product_rows)
    insert_values(Event, event_rows)
    insert_rows(ProductSummary, summaries)
    insert_rows(StockMovementEntry, ledger)
    insert_rows(DetailsHistoryEntry, details)
    insert_values(LocationStock, stock_rows)
    insert_values(StockByLocation, level_rows)
    _add_stats(stats)
    return len(event_rows)


def _movements(rng, product_id, average, places, levels: dict):
    """A plausible history: a first delivery, then issues, top-ups, moves and the odd stocktake.

    Each product lives in one to three of `places`; `levels` ends as its stock per place.
    """
    count = max(0, round(rng.uniform(0, 2 * average)))
    home = [places[0]] if len(places) == 1 else rng.sample(places, k=min(len(places), rng.randint(1, 3)))
    for number in range(count):
        note = rng.choice(NOTES).format(n=rng.randint(1000, 9999))
        roll = rng.random()
        stocked = [place for place in home if levels.get(place)]
        if number == 0 or roll < 0.3 or not stocked:
            place, quantity = rng.choice(home), rng.randint(5, 300)
            levels[place] = levels.get(place, 0) + quantity
            yield StockReceived(product_id=product_id, quantity=quantity, note=note, location=place)
            continue
        place = rng.choice(stocked)
        if roll < 0.8 or (len(home) == 1 and roll < 0.9):
            quantity = rng.randint(1, levels[place])
            levels[place] -= quantity
            yield StockIssued(product_id=product_id, quantity=quantity, note=note, location=place)
        elif roll < 0.9:
            target, quantity = rng.choice([p for p in home if p != place]), rng.randint(1, levels[place])
            levels[place] -= quantity
            levels[target] = levels.get(target, 0) + quantity
            yield StockTransferred(
                product_id=product_id, quantity=quantity, from_location=place, to_location=target, note=note
            )
        else:
            counted = max(0, levels[place] + rng.randint(-3, 2))
            difference, levels[place] = counted - levels[place], counted
            yield StockCounted(
                product_id=product_id, counted=counted, difference=difference, note="Cycle count", location=place
            )


def _uuid4_text(bits: int) -> str:
    """str(uuid.UUID(int=bits, version=4)) without making the UUID (seeds make millions)."""
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
    bits = (bits & ~(0xF000 << 64)) | (4 << 76)
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _event_row(recorded: RecordedEvent, stream_id: str) -> tuple:
    """An Event row as a tuple in EVENT_FIELDS order (no model instance: seeds make millions)."""
    return (
        recorded.position,
        stream_id,
        recorded.stream_version,
        recorded.type,
        recorded.event.payload(),
        recorded.actor,
        recorded.command_id,
        recorded.occurred_at,
        "",  # seeded history was never a request: no command type or digest to bind its ids to
        "",
    )


def _product_row(summary: ProductSummary) -> tuple:
    """The write-model row equal to the projected summary, in Product's field order."""
    values = {
        "id": summary.product_id,
        "sku": summary.sku,
        "name": summary.name,
        "description": summary.description,
        "price": summary.price,
        "reorder_level": summary.reorder_level,
        "on_hand": summary.on_hand,
        "reserved": summary.reserved,
        "archived": summary.archived,
        "version": summary.version,
        "created_at": summary.created_at,
        "updated_at": summary.updated_at,
    }
    return tuple(values[name] for name in PRODUCT_FIELDS)


def _add_stats(stats: dict) -> None:
    for shard, counters in stats.items():
        position = counters.pop("last_position")
        updated = InventoryStats.objects.filter(shard=shard).update(
            **{key: F(key) + value for key, value in counters.items()}
        )
        if not updated:
            InventoryStats.objects.create(shard=shard, **counters)
        InventoryStats.objects.filter(shard=shard, last_position__lt=position).update(last_position=position)


def _reset_event_sequence() -> None:
    """Explicit positions were inserted; move PostgreSQL's sequence past them."""
    if connection.vendor == "postgresql":
        table = Event._meta.db_table
        with connection.cursor() as cursor:
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'position'), (SELECT MAX(position) FROM {table}))"  # noqa: S608
            cursor.execute(sql)
