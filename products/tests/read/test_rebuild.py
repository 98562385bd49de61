"""The rebuild in SQL (PostgreSQL) writes exactly the rows the Python replay of the projections writes."""

from __future__ import annotations

import itertools
import json
import logging
import random
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from products.read import rebuild as replay_sql
from products.read import replay
from products.read.tables import (
    READ_MODELS,
    STATS_SHARDS,
    LocationSummary,
    ProductSummary,
    ReservationEntry,
    StockByLocation,
    StockMovementEntry,
)
from products.read.verify import verify
from products.tests.factories import UserFactory
from products.write import bus, errors, roles
from products.write.aggregates import Product
from products.write.commands import (
    ArchiveLocation,
    ArchiveProduct,
    CountStock,
    CreateLocation,
    CreateProduct,
    ExpireReservation,
    FulfilReservation,
    IssueStock,
    ReceiveStock,
    ReleaseReservation,
    ReserveStock,
    RestoreProduct,
    ReverseMovement,
    TransferStock,
    UpdateLocation,
    UpdateProductDetails,
)
from products.write.log import Event

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db]

# Names whose lower case the database and Python may spell differently (dotted I, final sigma, ...).
AWKWARD_NAMES = ["ÄÖÜ Straße", "İstanbul İIı", "ΣΑΣ ΟΔΟΣ", "ǅemal ǈ", "Kelvin K Ω", "ẞig Ǆ", "plain Ascii"]


def product_id_in_shard(rng: random.Random, shard: int) -> uuid.UUID:
    return uuid.UUID(int=(rng.getrandbits(128) & ~0xF) | shard)


PLACES = ["MAIN", "A-01", "B-02", "C-03"]


def history(rng: random.Random, n: int, product_id: uuid.UUID) -> list:
    """One product's commands: details changes between movements, counts up, down and level, issues to zero,
    stock received, issued and counted at locations and moved between them.

    Every eighth product is only created (one of them then archived), every fifth is archived, every
    tenth then restored (and moved again if it moves), every thirtieth archived once more.
    Reservations come and go between them: reserved, part-fulfilled, fulfilled, released and expired.
    """
    name = AWKWARD_NAMES[n % len(AWKWARD_NAMES)]
    details = {"sku": f"RPL-{n:03d}", "name": f"{name} {n}", "description": f"  spaced  out\t{name}", "price": "4.25"}
    steps = [CreateProduct(product_id=product_id, reorder_level=n % 7, **details)]
    version, levels = 1, dict.fromkeys(PLACES, 0)
    held: dict = {}  # open reservation id -> [what it still holds, whether it lapses]
    for step in range(rng.randint(2, 12) if n % 8 else 0):  # every eighth product never moves
        choice = rng.choice(
            ["receive", "issue", "issue_all", "count", "update", "reserve", "reserve", "settle", "transfer"]
        )
        note = rng.choice(["", "PO-1", "Zählung ΣΑΣ", "dock 3 → shelf"])
        on_hand = sum(levels.values())
        reserved = sum(rest for rest, _ in held.values())
        free = on_hand - reserved
        stocked = [place for place, level in levels.items() if level]
        place = rng.choice(stocked) if stocked else "MAIN"
        if choice == "settle" and not held:
            choice = "reserve"
        if (
            choice == "receive"
            or free == 0
            and (choice.startswith("issue") or choice == "reserve")
            or not stocked
            and choice == "transfer"
        ):
            quantity, place = rng.randint(1, 40), rng.choice(PLACES)
            steps.append(ReceiveStock(product_id=product_id, quantity=quantity, note=note, location=place))
            levels[place] += quantity
        elif choice == "issue":
            quantity = rng.randint(1, min(free, levels[place]))  # free stock is somewhere, so `place` has some
            steps.append(IssueStock(product_id=product_id, quantity=quantity, note=note, location=place))
            levels[place] -= quantity
        elif choice == "issue_all":
            quantity = min(free, levels[place])
            steps.append(IssueStock(product_id=product_id, quantity=quantity, note=note, location=place))
            levels[place] -= quantity
        elif choice == "transfer":
            target, quantity = rng.choice([p for p in PLACES if p != place]), rng.randint(1, levels[place])
            steps.append(
                TransferStock(
                    product_id=product_id, quantity=quantity, from_location=place, to_location=target, note=note
                )
            )
            levels[place] -= quantity
            levels[target] += quantity
        elif choice == "count":
            place = rng.choice([place, place, rng.choice(PLACES)])  # mostly where there is stock
            level = levels[place]
            floor = max(0, reserved - (on_hand - level))  # what the place must keep for the promises
            levels[place] = rng.choice([floor, level, level + rng.randint(1, 9), max(floor, level - rng.randint(1, 9))])
            steps.append(CountStock(product_id=product_id, quantity=levels[place], note=note, location=place))
        elif choice == "reserve":
            lapses = rng.random() < 0.4
            command = ReserveStock(
                product_id=product_id,
                reservation_id=uuid.UUID(int=rng.getrandbits(128)),  # from the seed: settle picks by sorted id
                quantity=rng.randint(1, free),
                reference=rng.choice(["SO-1001", "Bestellung Σ-7", "web #42"]),
                expires_at=timezone.now() + timedelta(hours=1) if lapses else None,
            )
            steps.append(command)
            held[command.reservation_id] = [command.quantity, lapses]
        elif choice == "settle":
            command = settle(rng, held, levels, note)
            steps.append(command)
        else:
            details = details | {
                "sku": f"RPL-{n:03d}-{step}",
                "name": f"{rng.choice(AWKWARD_NAMES)} v{step}",
                "price": str(Decimal(rng.randint(0, 99999)) / 100),
            }
            steps.append(
                UpdateProductDetails(
                    product_id=product_id, expected_version=version, reorder_level=rng.randint(0, 30), **details
                )
            )
        version += 1
    if n % 5 == 0:
        steps += [ReleaseReservation(reservation_id=reservation_id) for reservation_id in held]
        version += len(held)
        steps.append(ArchiveProduct(product_id=product_id))
    if n % 10 == 0:  # restored (and moved again, unless it never moves); every thirtieth archived once more
        steps.append(RestoreProduct(product_id=product_id))
        if n % 8:
            steps.append(ReceiveStock(product_id=product_id, quantity=3))
        if n % 30 == 0:
            steps.append(ArchiveProduct(product_id=product_id))
    return steps


def settle(rng: random.Random, held: dict, levels: dict, note: str):
    """Fulfil part or all of an open reservation (from its fullest location), release it or let it expire."""
    reservation_id = rng.choice(sorted(held))
    rest, lapses = held[reservation_id]
    way = rng.choice(["part", "all", "release", "expire" if lapses else "release"])
    if way in ("part", "all"):
        place = max(PLACES, key=lambda code: levels[code])  # on hand covers what is held: this place has some
        most = min(rest, levels[place])
        quantity = rng.randint(1, most) if way == "part" or most < rest else None
        command = FulfilReservation(reservation_id=reservation_id, quantity=quantity, note=note, location=place)
        taken = rest if quantity is None else quantity
        levels[place] -= taken
        if taken == rest:
            del held[reservation_id]
        else:
            held[reservation_id][0] = rest - taken
        return command
    del held[reservation_id]
    if way == "expire":
        return ExpireReservation(reservation_id=reservation_id)
    return ReleaseReservation(reservation_id=reservation_id)


@pytest.fixture
def varied_log():
    """Three products in every stats shard, their commands interleaved, dispatched through the bus."""
    rng = random.Random(6)  # noqa: S311 (test data)
    actors = [UserFactory(username=name, role=roles.INVENTORY_MANAGER) for name in ("zoë", "İlker", "Maß")]
    for code in PLACES[1:]:
        bus.dispatch(CreateLocation(code=code, name=f"Bin {code}", parent="MAIN"))
    bus.dispatch(UpdateLocation(code="MAIN", name="Main warehouse"))
    bus.dispatch(CreateLocation(code="GONE", name="Closed bin"))
    bus.dispatch(ArchiveLocation(code="GONE"))
    histories = [history(rng, n, product_id_in_shard(rng, n % STATS_SHARDS)) for n in range(3 * STATS_SHARDS)]
    kinds = {type(step) for step in itertools.chain.from_iterable(histories)}
    # The seed decides which steps occur (reservation ids come from it too, so each run is the same log).
    assert {ExpireReservation, FulfilReservation, ReleaseReservation, TransferStock} <= kinds, "pick another seed"
    later = timezone.now() + timedelta(hours=2)
    for step in itertools.chain.from_iterable(itertools.zip_longest(*histories)):
        if isinstance(step, ExpireReservation):  # two hours on, as the system's sweep
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(timezone, "now", lambda: later)
                bus.dispatch(step)
        elif step is not None:
            bus.dispatch(step, actor=rng.choice(actors))
    for transfer in Event.objects.filter(type="StockTransferred").order_by("position")[::2]:
        try:  # moved back where the destination still holds it and the product is active
            bus.dispatch(ReverseMovement(position=transfer.position, reason="wrong bin"), actor=rng.choice(actors))
        except (errors.ReversalRefused, errors.ProductArchived):
            pass
    assert StockMovementEntry.objects.filter(kind="reversal").exclude(to_location="").count() >= 3
    return histories


def tables() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in READ_MODELS}


def python_rebuild(monkeypatch) -> replay_sql.Counts:
    """The reference: the rebuild as it runs where SQL cannot, event by event through the projections."""

    def refuse(progress):
        raise replay_sql.ReplayNeedsPython("the test asks for the Python replay")

    with monkeypatch.context() as patch:
        patch.setattr(replay_sql, "replay", refuse)
        return replay.rebuild()


def test_sql_rebuild_writes_the_rows_the_python_replay_writes(varied_log, monkeypatch):
    live = tables()
    counts = replay.rebuild()
    assert (counts.events, counts.products, counts.method) == (Event.objects.count(), len(varied_log), "sql")
    rebuilt = tables()

    reference = python_rebuild(monkeypatch)
    assert reference.method == "python"
    assert rebuilt == tables() == live
    assert sorted(row["shard"] for row in rebuilt["InventoryStats"]) == list(range(STATS_SHARDS))
    assert ProductSummary.objects.filter(archived=True).exists()
    restored = Event.objects.filter(type="ProductRestored").values("stream_id")
    assert ProductSummary.objects.filter(product_id__in=restored, archived=False).exists()
    assert ProductSummary.objects.filter(product_id__in=restored, archived=True).exists(), "archived again"
    assert ProductSummary.objects.filter(last_movement_at=None).count() >= 6, "products that never moved"
    assert StockMovementEntry.objects.filter(kind="counted", quantity__lt=0).exists()
    assert StockMovementEntry.objects.filter(kind="counted", quantity__gt=0).exists()
    assert StockMovementEntry.objects.filter(on_hand_after=0, kind="issued").exists()
    assert StockMovementEntry.objects.filter(kind="transferred").exclude(location="MAIN").exists()
    assert StockByLocation.objects.exclude(location="MAIN").count() > 10
    assert LocationSummary.objects.filter(archived=True).exists()
    assert LocationSummary.objects.get(code="MAIN").name == "Main warehouse"
    renamed = StockMovementEntry.objects.values("product_id").annotate(names=Count("product_name", distinct=True))
    assert any(row["names"] > 1 for row in renamed), "some ledger spells a product's name as it was at the time"
    statuses = set(ReservationEntry.objects.values_list("status", flat=True))
    assert statuses == {"active", "released", "expired", "fulfilled"}
    assert ReservationEntry.objects.filter(status="active", fulfilled__gt=0).exists(), "a part-fulfilled one"
    assert ProductSummary.objects.filter(reserved__gt=0).exists()


def test_sql_rebuild_passes_verify_read_models(varied_log):
    replay.rebuild()
    assert list(verify()) == []


def test_search_text_is_lowered_as_python_lowers_it(db):
    for n, name in enumerate(AWKWARD_NAMES):
        bus.dispatch(CreateProduct(sku=f"LOW-{n}", name=name))
    with connection.cursor() as cursor:
        cursor.execute("SELECT lower(%s) = %s", ["İstanbul ΣΑΣ", "İstanbul ΣΑΣ".lower()])
        assert cursor.fetchone() == (False,), "this database lowers differently from Python: the case this covers"

    assert replay.rebuild().method == "sql"

    for summary in ProductSummary.objects.all():
        assert summary.search_text == f"{summary.sku} {summary.name}".lower()


def indexes_and_constraints() -> list[tuple]:
    tables = [model._meta.db_table for model in READ_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2", [tables]
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        return indexes + cursor.fetchall()


def test_rebuilt_tables_have_their_keys_and_indexes_and_take_new_commands(varied_log):
    before = indexes_and_constraints()
    replay.rebuild()
    assert indexes_and_constraints() == before
    assert any("PRIMARY KEY" in str(row) for row in before) and any("gin" in str(row) for row in before)

    bus.dispatch(ReceiveStock(product_id=varied_log[1][0].product_id, quantity=5))
    assert list(verify()) == []


def _tamper(event: Event, **changes) -> None:
    Event.objects.filter(pk=event.pk).update(data=json.loads(json.dumps(event.data | changes)))


def test_a_stocktake_whose_difference_does_not_add_up_is_replayed_in_python(make_product, caplog):
    """Python sets on hand to the counted quantity; a running sum of differences would not."""
    product = make_product(sku="CNT-1", on_hand=10)
    bus.dispatch(CountStock(product_id=product.product_id, quantity=4))
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3))
    _tamper(Event.objects.get(type="StockCounted"), difference=-5)

    with caplog.at_level(logging.WARNING, logger="products.read.replay"):
        counts = replay.rebuild()

    assert counts.method == "python"
    assert "counted 4, but its difference leads to 5" in caplog.text
    ledger = list(StockMovementEntry.objects.order_by("position").values_list("quantity", "on_hand_after"))
    assert ledger == [(10, 10), (-6, 4), (3, 7)]  # the count's real difference at its location
    assert list(verify()) == []


def test_a_stream_created_twice_is_replayed_in_python(make_product):
    """A second ProductCreated starts the product afresh in the projections."""
    product = make_product(sku="TWICE-1", on_hand=10)
    created = Event.objects.get(type="ProductCreated", stream_id=product.product_id)
    Event.objects.create(
        stream_id=product.product_id,
        stream_version=3,
        type="ProductCreated",
        data=created.data | {"name": "Again"},
        actor="system",
        command_id=uuid.uuid4(),
        occurred_at=created.occurred_at,
    )

    assert replay.rebuild().method == "python"

    summary = ProductSummary.objects.get()
    assert (summary.name, summary.on_hand, summary.version) == ("Again", 0, 3)


def test_an_empty_log_rebuilds_to_empty_tables(db):
    counts = replay.rebuild()
    assert (counts.events, counts.products, counts.method) == (0, 0, "sql")
    assert tables() == {model.__name__: [] for model in READ_MODELS}


def test_progress_reports_every_event_once_the_log_is_replayed(varied_log):
    heard = []
    counts = replay.rebuild(progress=heard.append)
    assert heard and heard[-1] == counts.events and heard == sorted(heard)


def test_the_write_model_is_left_alone(varied_log):
    before = list(Product.objects.order_by("pk").values())
    replay.rebuild()
    assert list(Product.objects.order_by("pk").values()) == before


def test_sql_rebuild_replays_reversals_and_late_counts_as_python_does(make_product, monkeypatch):
    product = make_product(sku="REV-1", on_hand=30)
    received = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=12))
    counted = bus.dispatch(CountStock(product_id=product.product_id, quantity=40))
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=5))
    bus.dispatch(CountStock(product_id=product.product_id, quantity=20, seen_version=4))  # 5 issued since: 15
    bus.dispatch(ReverseMovement(position=received.position, reason="Twice"))
    bus.dispatch(ReverseMovement(position=counted.position, reason="Wrong shelf"))
    live = tables()

    assert replay.rebuild().method == "sql"
    assert tables() == live
    assert python_rebuild(monkeypatch).method == "python"
    assert tables() == live and list(verify()) == []
    ledger = StockMovementEntry.objects.filter(product_id=product.product_id).order_by("position")
    assert [(row.kind, row.quantity, row.on_hand_after) for row in ledger][-3:] == [
        ("counted", -20, 15),
        ("reversal", -12, 3),
        ("reversal", 2, 5),
    ]
