"""Locations and stock per location on the write side: codes, nesting, archive, transfers, the MAIN upcast."""

from __future__ import annotations

import importlib
import uuid
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from products.read.queries import GetProductStock
from products.read.tables import StockByLocation, StockMovementEntry
from products.read.verify import verify
from products.write import bus, errors
from products.write.aggregates import Location, LocationStock
from products.write.commands import (
    LOCATION_CODE_INVALID,
    SAME_LOCATION,
    ArchiveLocation,
    CountStock,
    CreateLocation,
    IssueStock,
    ReceiveStock,
    TransferStock,
    UpdateLocation,
)
from products.write.events import StockReceived
from products.write.log import Event

pytestmark = pytest.mark.django_db


def stock_at(product_id) -> dict[str, int]:
    """The write model's stock per location (non-zero), by code."""
    rows = LocationStock.objects.filter(product_id=product_id).exclude(on_hand=0)
    return dict(rows.values_list("location__code", "on_hand"))


def levels(product_id) -> dict[str, int]:
    """The read model's stock per location, by code."""
    return dict(StockByLocation.objects.filter(product_id=product_id).values_list("location", "on_hand"))


def test_stock_commands_without_a_location_mean_main(product):
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=5))
    assert stock_at(product.product_id) == levels(product.product_id) == {"MAIN": 15}
    issued = Event.objects.filter(type="StockIssued").get()
    assert "location" not in issued.data  # at its default, like every event from before locations
    assert issued.to_recorded().event.location == "MAIN"


def test_a_location_code_is_unique_regardless_of_case(make_location):
    make_location("A-01")
    with pytest.raises(errors.DuplicateLocation) as refused:
        bus.dispatch(CreateLocation(code="a-01", name="Again"))
    assert refused.value.field == "code"
    with pytest.raises(errors.DuplicateLocation):
        bus.dispatch(CreateLocation(code="main", name="Another main"))
    assert list(Location.objects.values_list("code", flat=True).order_by("code")) == ["A-01", "MAIN"]


@pytest.mark.parametrize(
    ("code", "message"),
    [("A 01", LOCATION_CODE_INVALID), ("A" * 33, "at most 32 characters"), ("B" * 200, "at most 32"), ("", "required")],
)
def test_a_bad_location_code_is_a_field_error(db, code, message):
    with pytest.raises(errors.InvalidCommand) as refused:
        CreateLocation(code=code, name="Bin")
    assert message in " ".join(refused.value.field_errors["code"])


def test_the_code_is_found_in_any_case_and_events_carry_it_as_stored(product, make_location):
    make_location("A-01")
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=4, location="a-01"))
    assert Event.objects.filter(type="StockReceived").last().data["location"] == "A-01"
    assert stock_at(product.product_id) == {"MAIN": 20, "A-01": 4}
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 24


def test_locations_nest_one_level_deep(make_location):
    make_location("A-01", parent="MAIN")
    with pytest.raises(errors.LocationNesting) as refused:
        bus.dispatch(CreateLocation(code="A-01-X", name="Too deep", parent="A-01"))
    assert refused.value.field == "parent"
    assert refused.value.message == "A-01 is inside MAIN; a location inside another cannot hold locations."
    make_location("WH2")
    with pytest.raises(errors.LocationNesting):
        bus.dispatch(UpdateLocation(code="MAIN", parent="WH2"))  # MAIN holds A-01
    with pytest.raises(errors.LocationNotFound) as unknown:
        bus.dispatch(CreateLocation(code="B-01", name="Bin", parent="NOPE"))
    assert unknown.value.field == "parent"


def test_a_transfer_moves_stock_as_one_event_and_keeps_the_total(product, make_location):
    make_location("B-02")
    before = Event.objects.count()
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=7, from_location="MAIN", to_location="b-02"))
    assert Event.objects.count() == before + 1
    event = Event.objects.last()
    assert (event.type, event.data) == (
        "StockTransferred",
        {"quantity": 7, "from_location": "MAIN", "to_location": "B-02", "note": ""},
    )
    assert stock_at(product.product_id) == levels(product.product_id) == {"MAIN": 13, "B-02": 7}
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 20
    entry = StockMovementEntry.objects.get(kind="transferred")
    assert (entry.location, entry.to_location, entry.moved, entry.quantity, entry.on_hand_after) == (
        "MAIN",
        "B-02",
        7,
        0,
        20,
    )
    assert verify().total == 0


def test_moving_more_than_the_source_holds_is_refused_and_writes_nothing(product, make_location, snapshot):
    make_location("B-02")
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=5, from_location="MAIN", to_location="B-02"))
    before = snapshot()
    with pytest.raises(errors.InsufficientStock) as refused:
        bus.dispatch(TransferStock(product_id=product.product_id, quantity=6, from_location="B-02", to_location="MAIN"))
    assert refused.value.message == "Cannot move 6 of ACC-001 from B-02: only 5 there."
    assert refused.value.field == "quantity"
    assert snapshot() == before


def test_issuing_more_than_a_location_holds_is_refused_though_the_total_would_do(product, make_location, snapshot):
    make_location("B-02")
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3, location="B-02"))
    before = snapshot()
    with pytest.raises(errors.InsufficientStock) as refused:
        bus.dispatch(IssueStock(product_id=product.product_id, quantity=4, location="B-02"))
    assert refused.value.message == "Cannot issue 4 of ACC-001 from B-02: only 3 there."
    assert snapshot() == before


def test_a_transfer_to_the_same_place_is_a_field_error(product):
    with pytest.raises(errors.InvalidCommand) as refused:
        TransferStock(product_id=product.product_id, quantity=1, from_location="MAIN", to_location="main")
    assert refused.value.field_errors == {"to_location": [SAME_LOCATION]}


@pytest.mark.parametrize("quantity", [0, -3])
def test_a_transfer_of_nothing_is_a_field_error(product, quantity):
    with pytest.raises(errors.InvalidCommand) as refused:
        TransferStock(product_id=product.product_id, quantity=quantity, from_location="MAIN", to_location="B")
    assert list(refused.value.field_errors) == ["quantity"]


def test_unknown_and_archived_locations_are_refused_naming_the_field(product, make_location, snapshot):
    make_location("OLD")
    bus.dispatch(ArchiveLocation(code="OLD"))
    before = snapshot()
    with pytest.raises(errors.LocationNotFound) as unknown:
        bus.dispatch(TransferStock(product_id=product.product_id, quantity=1, from_location="MAIN", to_location="X9"))
    assert (unknown.value.field, unknown.value.message) == ("to_location", "There is no location X9.")
    with pytest.raises(errors.LocationArchived) as archived:
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1, location="old"))
    assert archived.value.field == "location"
    with pytest.raises(errors.LocationArchived) as archived_source:
        bus.dispatch(TransferStock(product_id=product.product_id, quantity=1, from_location="OLD", to_location="MAIN"))
    assert archived_source.value.field == "from_location"
    assert snapshot() == before


def test_a_count_sets_one_location_and_moves_the_total_by_the_difference(product, make_location):
    make_location("B-02")
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=8, from_location="MAIN", to_location="B-02"))
    bus.dispatch(CountStock(product_id=product.product_id, quantity=5, location="B-02"))
    assert stock_at(product.product_id) == levels(product.product_id) == {"MAIN": 12, "B-02": 5}
    assert Event.objects.last().data == {"counted": 5, "difference": -3, "note": "", "location": "B-02"}
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 17
    bus.dispatch(CountStock(product_id=product.product_id, quantity=0, location="B-02"))
    assert levels(product.product_id) == {"MAIN": 12}
    assert verify().total == 0


def test_archive_is_refused_while_the_location_holds_stock_or_bins(product, make_location):
    make_location("WH2")
    make_location("W2-01", parent="WH2")
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=2, location="W2-01"))
    with pytest.raises(errors.LocationNotEmpty) as holds_stock:
        bus.dispatch(ArchiveLocation(code="w2-01"))
    assert holds_stock.value.message == "W2-01 still holds 2 units; move them out before archiving it."
    with pytest.raises(errors.LocationHasBins):
        bus.dispatch(ArchiveLocation(code="WH2"))
    with pytest.raises(errors.MainLocationFixed):
        bus.dispatch(ArchiveLocation(code="MAIN"))

    bus.dispatch(TransferStock(product_id=product.product_id, quantity=2, from_location="W2-01", to_location="MAIN"))
    bus.dispatch(ArchiveLocation(code="W2-01"))
    bus.dispatch(ArchiveLocation(code="WH2"))
    assert set(Location.objects.filter(archived=True).values_list("code", flat=True)) == {"W2-01", "WH2"}
    with pytest.raises(errors.LocationArchived):
        bus.dispatch(UpdateLocation(code="WH2", name="Renamed"))
    assert verify().total == 0


def test_an_edit_changes_name_and_parent_and_nothing_is_recorded_without_a_change(make_location):
    make_location("A-01")
    bus.dispatch(UpdateLocation(code="a-01", name="Aisle A, bay 1", parent="MAIN"))
    location = Location.objects.get(code="A-01")
    assert (location.name, location.parent.code, location.version) == ("Aisle A, bay 1", "MAIN", 2)
    before = Event.objects.count()
    bus.dispatch(UpdateLocation(code="A-01", name="Aisle A, bay 1"))
    assert Event.objects.count() == before
    bus.dispatch(UpdateLocation(code="A-01", parent=""))
    assert Location.objects.get(code="A-01").parent is None
    assert verify().total == 0


def test_an_old_event_without_a_location_reads_as_main(product):
    old = Event.objects.get(type="StockReceived")
    Event.objects.filter(pk=old.pk).update(data={"quantity": 20, "note": ""})
    recorded = Event.objects.get(pk=old.pk).to_recorded()
    assert recorded.event == StockReceived(product_id=product.product_id, quantity=20, note="", location="MAIN")
    assert verify().total == 0


def test_the_migration_puts_existing_stock_at_main_consistent_with_the_log(make_product):
    """As on a database from before locations: stock only in the totals, events without a location."""
    first = make_product(sku="OLD-1", on_hand=12)
    make_product(sku="OLD-2")
    Event.objects.filter(type="StockReceived").update(data={"quantity": 12, "note": ""})
    LocationStock.objects.all().delete()
    StockByLocation.objects.all().delete()
    Location.objects.all().delete()

    migration = importlib.import_module("products.migrations.0012_locations")
    migration.put_stock_at_main(apps, SimpleNamespace(connection=connection))  # all it uses of a schema editor

    assert stock_at(first.product_id) == levels(first.product_id) == {"MAIN": 12}
    assert StockByLocation.objects.count() == 1
    assert Location.objects.get().id == migration.MAIN_ID
    assert verify().total == 0


def test_a_location_command_id_reused_for_another_request_is_refused(make_location):
    command = CreateLocation(command_id=uuid.uuid4(), code="R-1", name="Rack 1")
    bus.dispatch(command)
    bus.dispatch(command)  # a replay: success, nothing new
    with pytest.raises(errors.IdempotencyKeyReused) as reused:
        bus.dispatch(CreateLocation(command_id=command.command_id, code="R-1", name="Other name"))
    assert "CreateLocation on location R-1" in reused.value.message
