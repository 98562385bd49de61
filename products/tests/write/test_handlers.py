"""Every handler: the happy path, each refusal, and proof that a refusal writes nothing."""

import uuid
from decimal import Decimal

import pytest

from products.read.queries import GetInventoryStats, GetProduct, ListStockMovements
from products.read.verify import verify
from products.write import bus, errors, handlers
from products.write.aggregates import Product
from products.write.commands import (
    ArchiveProduct,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    RestoreProduct,
    UpdateProductDetails,
)
from products.write.log import Event

from .conftest import details, last_event, refused

pytestmark = pytest.mark.django_db


class TestCreateProduct:
    def test_writes_product_event_summary_and_stats(self, manager):
        command = CreateProduct(sku="ACC-001", name="Blue widget", description="d", price="2.50", reorder_level=3)
        bus.dispatch(command, actor=manager)

        product = Product.objects.get(pk=command.product_id)
        assert (product.sku, product.name, product.price, product.on_hand, product.version) == (
            "ACC-001",
            "Blue widget",
            Decimal("2.50"),
            0,
            1,
        )
        event = last_event()
        assert (event.type, event.stream_id, event.stream_version, event.actor, event.command_id) == (
            "ProductCreated",
            command.product_id,
            1,
            "manager",
            command.command_id,
        )
        assert event.data["sku"] == "ACC-001" and event.data["price"] == "2.50"
        summary = GetProduct(product_id=command.product_id).execute()
        assert (summary.status, summary.on_hand, summary.stock_value, summary.archived) == ("out", 0, 0, False)
        assert summary.search_text == "acc-001 blue widget"
        assert summary.last_movement_at is None
        stats = GetInventoryStats().execute()
        assert (stats.active_products, stats.out, stats.total_units) == (1, 1, 0)
        assert ListStockMovements().execute().rows == []
        assert verify().total == 0

    def test_system_actor_is_recorded_as_system(self, db):
        bus.dispatch(CreateProduct(sku="A-1", name="A"))
        assert last_event().actor == "system"

    @pytest.mark.parametrize("sku", ["ACC-001", "acc-001", "Acc-001"])
    def test_duplicate_sku_any_case(self, product, snapshot, sku):
        error = refused(snapshot, CreateProduct(sku=sku, name="Another"), errors.DuplicateSku)
        assert error.message == f"SKU {sku} is already used by another product."
        assert error.field_errors == {"sku": [error.message]}
        assert (error.status, error.code) == (409, "duplicate_sku")

    def test_sku_of_archived_product_stays_taken(self, product, snapshot):
        bus.dispatch(ArchiveProduct(product_id=product.product_id))
        refused(snapshot, CreateProduct(sku="ACC-001", name="Reuse"), errors.DuplicateSku)

    def test_same_product_id_twice(self, product, snapshot):
        error = refused(
            snapshot, CreateProduct(product_id=product.product_id, sku="NEW-1", name="X"), errors.ProductAlreadyExists
        )
        assert error.message == f"A product with id {product.product_id} already exists."
        assert error.status == 409


class TestUpdateProductDetails:
    def test_changes_details_and_bumps_version(self, product, manager):
        bus.dispatch(
            UpdateProductDetails(**details(product, sku="ACC-002", name="Red gadget", price="4.00", reorder_level=25)),
            actor=manager,
        )
        summary = GetProduct(product_id=product.product_id).execute()
        assert (summary.sku, summary.name, summary.price, summary.reorder_level) == (
            "ACC-002",
            "Red gadget",
            Decimal("4.00"),
            25,
        )
        assert summary.version == product.version + 1
        assert summary.status == "low"  # 20 on hand, reorder level now 25
        assert summary.stock_value == Decimal("80.00")
        assert summary.search_text == "acc-002 red gadget"
        assert Product.objects.get(pk=product.product_id).version == product.version + 1
        assert last_event().type == "ProductDetailsUpdated"
        assert GetInventoryStats().execute().low == 1
        assert verify().total == 0

    def test_unchanged_details_write_nothing(self, product, snapshot):
        before = snapshot()
        bus.dispatch(UpdateProductDetails(**details(product)))
        assert snapshot() == before

    def test_changing_only_the_case_of_own_sku(self, product):
        bus.dispatch(UpdateProductDetails(**details(product, sku="acc-001")))
        assert GetProduct(product_id=product.product_id).execute().sku == "acc-001"

    @pytest.mark.parametrize("sku", ["OTHER-9", "other-9"])
    def test_duplicate_sku_on_update(self, product, make_product, snapshot, sku):
        make_product(sku="OTHER-9")
        error = refused(snapshot, UpdateProductDetails(**details(product, sku=sku)), errors.DuplicateSku)
        assert error.field == "sku"

    @pytest.mark.parametrize("offset", [-1, 1, 5])
    def test_stale_version_overwrites_nothing(self, product, snapshot, offset):
        expected = product.version + offset
        error = refused(
            snapshot,
            UpdateProductDetails(**details(product, name="Lost edit", expected_version=expected)),
            errors.StaleVersion,
        )
        assert error.message == (
            f"ACC-001 was changed by someone else since you opened it (your version {expected}, "
            f"current {product.version}). Review the current values and try again."
        )
        assert (error.status, error.code) == (409, "stale_version")

    def test_second_editor_with_same_version_is_refused(self, product, snapshot):
        bus.dispatch(UpdateProductDetails(**details(product, name="First edit")))
        refused(snapshot, UpdateProductDetails(**details(product, name="Second edit")), errors.StaleVersion)
        assert GetProduct(product_id=product.product_id).execute().name == "First edit"

    def test_stale_version_says_who_changed_the_details_and_when(self, product, snapshot, manager):
        bus.dispatch(UpdateProductDetails(**details(product, name="Manager's edit")), actor=manager)
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
        error = refused(snapshot, UpdateProductDetails(**details(product, name="Late")), errors.StaleVersion)
        assert (error.changed_by, error.details_changed) == ("manager", True)
        assert error.changed_at < GetProduct(product_id=product.product_id).execute().updated_at  # not the receive

    def test_stale_version_after_only_stock_moved_says_so(self, product, snapshot):
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
        error = refused(snapshot, UpdateProductDetails(**details(product, name="Late")), errors.StaleVersion)
        assert (error.changed_by, error.details_changed) == ("system", False)

    def test_stock_change_makes_an_open_edit_stale(self, product, snapshot):
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
        refused(snapshot, UpdateProductDetails(**details(product, name="Late")), errors.StaleVersion)


class TestStock:
    def test_receive(self, product, clerk):
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=12, note="PO-7"), actor=clerk)
        summary = GetProduct(product_id=product.product_id).execute()
        assert (summary.on_hand, summary.status, summary.stock_value) == (32, "in_stock", Decimal("80.00"))
        assert Product.objects.get(pk=product.product_id).on_hand == 32
        [movement, *_] = ListStockMovements(product_id=product.product_id).execute().rows
        assert (movement.kind, movement.quantity, movement.on_hand_after, movement.note, movement.actor) == (
            "received",
            12,
            32,
            "PO-7",
            "clerk",
        )
        assert summary.last_movement_at == movement.occurred_at
        assert GetInventoryStats().execute().total_units == 32

    def test_issue_down_to_zero(self, product, clerk):
        bus.dispatch(IssueStock(product_id=product.product_id, quantity=15), actor=clerk)
        assert GetProduct(product_id=product.product_id).execute().status == "low"
        bus.dispatch(IssueStock(product_id=product.product_id, quantity=5), actor=clerk)
        summary = GetProduct(product_id=product.product_id).execute()
        assert (summary.on_hand, summary.status, summary.stock_value) == (0, "out", Decimal("0.00"))
        movement = ListStockMovements(product_id=product.product_id).execute().rows[0]
        assert (movement.kind, movement.quantity, movement.on_hand_after) == ("issued", -5, 0)
        stats = GetInventoryStats().execute()
        assert (stats.out, stats.low, stats.in_stock, stats.total_units) == (1, 0, 0, 0)
        assert verify().total == 0

    def test_issue_more_than_on_hand(self, product, snapshot):
        error = refused(snapshot, IssueStock(product_id=product.product_id, quantity=21), errors.InsufficientStock)
        assert error.message == "Cannot issue 21 of ACC-001: only 20 on hand."
        assert error.field_errors == {"quantity": [error.message]}
        assert (error.status, error.code) == (409, "insufficient_stock")

    def test_issue_from_empty_product(self, make_product, snapshot):
        empty = make_product(sku="EMPTY-1")
        refused(snapshot, IssueStock(product_id=empty.product_id, quantity=1), errors.InsufficientStock)

    @pytest.mark.parametrize(
        ("counted", "difference", "status"),
        [(26, 6, "in_stock"), (3, -17, "low"), (20, 0, "in_stock"), (0, -20, "out")],
    )
    def test_count_records_the_difference(self, product, clerk, counted, difference, status):
        bus.dispatch(CountStock(product_id=product.product_id, quantity=counted, note="Cycle count"), actor=clerk)
        summary = GetProduct(product_id=product.product_id).execute()
        assert (summary.on_hand, summary.status) == (counted, status)
        movement = ListStockMovements(product_id=product.product_id).execute().rows[0]
        assert (movement.kind, movement.quantity, movement.on_hand_after) == ("counted", difference, counted)
        assert last_event().data == {"counted": counted, "difference": difference, "note": "Cycle count"}
        assert verify().total == 0

    def test_receive_above_the_limit(self, product, snapshot, monkeypatch):
        monkeypatch.setattr(handlers, "MAX_ON_HAND", 25)
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
        error = refused(snapshot, ReceiveStock(product_id=product.product_id, quantity=1), errors.StockLimitExceeded)
        assert error.message == "Receiving 1 would take ACC-001 above the maximum of 25 on hand."
        assert error.field == "quantity"

    def test_default_limit_is_far_above_one_command(self):
        assert handlers.MAX_ON_HAND == 10**12


class TestArchive:
    def test_archive_keeps_history_and_moves_stats(self, product, manager):
        bus.dispatch(ArchiveProduct(product_id=product.product_id), actor=manager)
        summary = GetProduct(product_id=product.product_id).execute()
        assert summary.archived and summary.on_hand == 20
        assert Product.objects.get(pk=product.product_id).archived
        stats = GetInventoryStats().execute()
        assert (stats.active_products, stats.archived, stats.in_stock, stats.total_units) == (0, 1, 0, 0)
        assert len(ListStockMovements(product_id=product.product_id).execute().rows) == 1
        assert verify().total == 0

    @pytest.mark.parametrize(
        "make_command",
        [
            lambda p: ReceiveStock(product_id=p.product_id, quantity=1),
            lambda p: IssueStock(product_id=p.product_id, quantity=1),
            lambda p: CountStock(product_id=p.product_id, quantity=1),
            lambda p: ArchiveProduct(product_id=p.product_id),
            lambda p: UpdateProductDetails(**details(p, name="New", expected_version=p.version + 1)),
        ],
        ids=["receive", "issue", "count", "archive", "update"],
    )
    def test_archived_product_refuses_changes(self, product, snapshot, make_command):
        bus.dispatch(ArchiveProduct(product_id=product.product_id))
        error = refused(snapshot, make_command(product), errors.ProductArchived)
        assert error.message == "ACC-001 is archived; archived products cannot be changed."
        assert (error.status, error.code) == (409, "archived")


class TestRestore:
    def test_restore_brings_an_archived_product_back_with_its_stock_and_history(self, product, manager):
        bus.dispatch(ArchiveProduct(product_id=product.product_id), actor=manager)
        bus.dispatch(RestoreProduct(product_id=product.product_id), actor=manager)
        summary = GetProduct(product_id=product.product_id).execute()
        assert not summary.archived and summary.on_hand == 20 and summary.status == "in_stock"
        assert not Product.objects.get(pk=product.product_id).archived
        stats = GetInventoryStats().execute()
        assert (stats.active_products, stats.archived, stats.in_stock, stats.total_units) == (1, 0, 1, 20)
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))  # it takes changes again
        assert GetProduct(product_id=product.product_id).execute().on_hand == 21
        assert verify().total == 0

    def test_restoring_an_active_product_is_refused_and_writes_nothing(self, product, snapshot):
        error = refused(snapshot, RestoreProduct(product_id=product.product_id), errors.ProductNotArchived)
        assert error.message == errors.ProductNotArchived.MESSAGE.format(sku="ACC-001")
        assert (error.status, error.code) == (409, "not_archived")

    def test_the_same_restore_sent_twice_restores_once(self, product):
        bus.dispatch(ArchiveProduct(product_id=product.product_id))
        command = RestoreProduct(product_id=product.product_id)
        assert not bus.dispatch(command).duplicate
        assert bus.dispatch(command).duplicate
        assert Event.objects.filter(type="ProductRestored").count() == 1

    def test_a_clerk_may_not_restore(self, product, clerk, snapshot):
        bus.dispatch(ArchiveProduct(product_id=product.product_id))
        before = snapshot()
        with pytest.raises(errors.PermissionDenied):
            bus.dispatch(RestoreProduct(product_id=product.product_id), actor=clerk)
        assert snapshot() == before


MISSING = uuid.uuid4()


@pytest.mark.parametrize(
    "command",
    [
        UpdateProductDetails(product_id=MISSING, expected_version=1, sku="X-1", name="X", price="1", reorder_level=0),
        ReceiveStock(product_id=MISSING, quantity=1),
        IssueStock(product_id=MISSING, quantity=1),
        CountStock(product_id=MISSING, quantity=1),
        ArchiveProduct(product_id=MISSING),
        RestoreProduct(product_id=MISSING),
    ],
    ids=lambda c: type(c).__name__,
)
def test_unknown_product(product, snapshot, command):
    error = refused(snapshot, command, errors.ProductNotFound)
    assert error.message == f"No product with id {MISSING}."
    assert (error.status, error.code) == (404, "not_found")


def test_refusal_inside_a_surrounding_transaction_leaves_it_usable(product):
    from django.db import transaction

    with transaction.atomic():
        with pytest.raises(errors.InsufficientStock):
            bus.dispatch(IssueStock(product_id=product.product_id, quantity=999))
        bus.dispatch(IssueStock(product_id=product.product_id, quantity=1))
    assert GetProduct(product_id=product.product_id).execute().on_hand == 19
