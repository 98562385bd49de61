"""Reservations on the write side: reserve, release, fulfil, expire, and what they refuse."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from products.read.queries import GetInventoryStats, GetProduct, ListStockMovements
from products.read.verify import verify
from products.write import bus, errors
from products.write.aggregates import Product, Reservation
from products.write.commands import (
    MOMENT_PAST,
    QUANTITY_RANGE,
    REQUIRED,
    ArchiveProduct,
    CountStock,
    CreateLocation,
    ExpireReservation,
    FulfilReservation,
    IssueStock,
    ReceiveStock,
    ReleaseReservation,
    ReserveStock,
)

from .conftest import last_event, refused

pytestmark = pytest.mark.django_db


def reserve(product, quantity, reference="SO-1001", actor=None, **fields) -> uuid.UUID:
    command = ReserveStock(product_id=product.product_id, quantity=quantity, reference=reference, **fields)
    bus.dispatch(command, actor=actor)
    return command.reservation_id


def figures(product) -> tuple[int, int, int]:
    """(on hand, reserved, available) as the product summary shows them, after checking the write model agrees."""
    row = Product.objects.get(pk=product.product_id)
    summary = GetProduct(product_id=product.product_id).execute()
    assert (row.on_hand, row.reserved) == (summary.on_hand, summary.reserved)
    return summary.on_hand, summary.reserved, summary.available


class TestReserveStock:
    def test_holds_stock_back_from_available(self, product, clerk):
        reservation_id = reserve(product, 3, actor=clerk)

        assert figures(product) == (20, 3, 17)
        reservation = Reservation.objects.get(pk=reservation_id)
        assert (reservation.quantity, reservation.fulfilled, reservation.reference, reservation.status) == (
            3,
            0,
            "SO-1001",
            "active",
        )
        event = last_event()
        assert (event.type, event.stream_id, event.actor) == ("StockReserved", product.product_id, "clerk")
        assert event.data == {
            "reservation_id": str(reservation_id),
            "quantity": 3,
            "reference": "SO-1001",
            "expires_at": None,
        }
        stats = GetInventoryStats().execute()
        assert (stats.reserved_units, stats.reserved_value) == (3, 3 * product.price)
        assert verify().total == 0

    def test_refused_beyond_available_saying_how_much_is_free(self, product, snapshot):
        reserve(product, 15)
        error = refused(
            snapshot,
            ReserveStock(product_id=product.product_id, quantity=6, reference="SO-2"),
            errors.InsufficientAvailable,
        )
        assert error.message == "Cannot reserve 6 of ACC-001: only 5 free (20 on hand, 15 promised)."
        assert error.details == {"free": 5, "on_hand": 20, "reserved": 15}
        assert error.field == "quantity"

    def test_all_of_available_may_be_reserved(self, product):
        reserve(product, 20)
        assert figures(product) == (20, 20, 0)
        assert GetProduct(product_id=product.product_id).execute().status == "out"

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"quantity": 0}, "quantity", QUANTITY_RANGE),
            ({"quantity": -2}, "quantity", QUANTITY_RANGE),
            ({"reference": "  "}, "reference", REQUIRED),
            ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expires_at", MOMENT_PAST),
        ],
    )
    def test_bad_input_is_refused_by_the_command(self, product, fields, field, message):
        with pytest.raises(errors.InvalidCommand) as caught:
            ReserveStock(**{"product_id": product.product_id, "quantity": 1, "reference": "SO-1"} | fields)
        assert caught.value.field_errors[field] == [message]

    def test_a_retry_applies_once(self, product):
        command = ReserveStock(product_id=product.product_id, quantity=4, reference="SO-9")
        bus.dispatch(command)
        assert bus.dispatch(command).duplicate
        assert figures(product) == (20, 4, 16)

    def test_viewers_may_not_reserve(self, product, viewer, snapshot):
        refused(
            snapshot,
            ReserveStock(product_id=product.product_id, quantity=1, reference="SO-1"),
            errors.PermissionDenied,
            actor=viewer,
        )


class TestIssueAndCountRespectReservations:
    def test_an_issue_into_promised_stock_is_refused_naming_whom_it_is_promised_to(self, product, snapshot):
        reserve(product, 10, reference="SO-1001")
        reserve(product, 6, reference="SO-1002")
        error = refused(snapshot, IssueStock(product_id=product.product_id, quantity=5), errors.StockPromised)
        assert error.message == (
            "Cannot issue 5 of ACC-001: only 4 free (20 on hand, 16 promised to SO-1001 (10), SO-1002 (6))."
        )
        assert error.details == {"free": 4, "on_hand": 20, "reserved": 16}
        assert isinstance(error, errors.InsufficientStock)  # every caller that handles a short issue handles this

    def test_an_issue_of_what_is_free_is_accepted(self, product):
        reserve(product, 16)
        bus.dispatch(IssueStock(product_id=product.product_id, quantity=4))
        assert figures(product) == (16, 16, 0)

    def test_a_count_below_what_is_promised_is_refused(self, product, snapshot):
        reserve(product, 8, reference="SO-7")
        error = refused(snapshot, CountStock(product_id=product.product_id, quantity=5), errors.StockPromised)
        assert error.message == (
            "Cannot count ACC-001 at 5: 8 are promised to SO-7 (8). "
            "Release or fulfil those reservations first, then count again."
        )

    def test_a_count_at_or_above_what_is_promised_is_accepted(self, product):
        reserve(product, 8)
        bus.dispatch(CountStock(product_id=product.product_id, quantity=8))
        assert figures(product) == (8, 8, 0)

    def test_archiving_with_open_reservations_is_refused(self, product, snapshot):
        reserve(product, 2, reference="SO-5")
        error = refused(snapshot, ArchiveProduct(product_id=product.product_id), errors.ArchiveWithReservations)
        assert "SO-5 (2)" in error.message

    def test_many_references_are_counted_not_all_named(self, product):
        for number in range(7):
            reserve(product, 1, reference=f"SO-{number}")
        with pytest.raises(errors.StockPromised) as caught:
            bus.dispatch(IssueStock(product_id=product.product_id, quantity=14))
        assert "SO-0 (1), SO-1 (1), SO-2 (1), SO-3 (1), SO-4 (1) and 2 more" in caught.value.message


class TestReleaseReservation:
    def test_frees_what_it_held(self, product, clerk):
        reservation_id = reserve(product, 5)
        bus.dispatch(ReleaseReservation(reservation_id=reservation_id), actor=clerk)
        assert figures(product) == (20, 0, 20)
        assert Reservation.objects.get(pk=reservation_id).status == "released"
        assert last_event().data["quantity"] == 5
        assert verify().total == 0

    def test_twice_is_refused(self, product, snapshot):
        reservation_id = reserve(product, 5)
        bus.dispatch(ReleaseReservation(reservation_id=reservation_id))
        error = refused(snapshot, ReleaseReservation(reservation_id=reservation_id), errors.ReservationClosed)
        assert error.message == "Reservation SO-1001 is already released; nothing is held for it any more."

    def test_the_same_command_twice_is_one_release(self, product):
        reservation_id = reserve(product, 5)
        command = ReleaseReservation(reservation_id=reservation_id)
        bus.dispatch(command)
        assert bus.dispatch(command).duplicate

    def test_the_same_key_for_another_reservation_is_refused(self, product):
        first, second = reserve(product, 1, reference="A"), reserve(product, 1, reference="B")
        command = ReleaseReservation(reservation_id=first)
        bus.dispatch(command)
        with pytest.raises(errors.IdempotencyKeyReused):
            bus.dispatch(ReleaseReservation(command_id=command.command_id, reservation_id=second))

    def test_an_unknown_reservation_is_not_found(self, db):
        with pytest.raises(errors.ReservationNotFound):
            bus.dispatch(ReleaseReservation(reservation_id=uuid.uuid4()))


class TestFulfilReservation:
    def test_partial_fulfilment_issues_stock_and_leaves_the_rest_reserved(self, product, clerk):
        reservation_id = reserve(product, 3)
        bus.dispatch(FulfilReservation(reservation_id=reservation_id, quantity=2), actor=clerk)

        assert figures(product) == (18, 1, 17)
        reservation = Reservation.objects.get(pk=reservation_id)
        assert (reservation.fulfilled, reservation.status) == (2, "active")
        movement = ListStockMovements(product_id=product.product_id).execute().rows[0]
        assert (movement.kind, movement.quantity, movement.on_hand_after, movement.note, movement.actor) == (
            "issued",
            -2,
            18,
            "Reservation SO-1001",
            "clerk",
        )
        assert verify().total == 0

    def test_a_fulfilment_from_a_bin_is_in_the_ledger_at_that_bin(self, product):
        bus.dispatch(CreateLocation(code="C-03", name="Bin C-03"))
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=10, location="C-03"))
        reservation_id = reserve(product, 5)
        bus.dispatch(FulfilReservation(reservation_id=reservation_id, location="c-03"))
        movement = ListStockMovements(product_id=product.product_id).execute().rows[0]
        assert (movement.kind, movement.quantity, movement.location) == ("issued", -5, "C-03")

    def test_without_a_quantity_fulfils_the_rest_and_closes(self, product):
        reservation_id = reserve(product, 3)
        bus.dispatch(FulfilReservation(reservation_id=reservation_id, quantity=1))
        bus.dispatch(FulfilReservation(reservation_id=reservation_id))
        assert figures(product) == (17, 0, 17)
        assert Reservation.objects.get(pk=reservation_id).status == "fulfilled"
        with pytest.raises(errors.ReservationClosed):
            bus.dispatch(FulfilReservation(reservation_id=reservation_id))

    def test_more_than_is_reserved_is_refused(self, product, snapshot):
        reservation_id = reserve(product, 3)
        error = refused(
            snapshot, FulfilReservation(reservation_id=reservation_id, quantity=4), errors.FulfilBeyondReserved
        )
        assert error.message == "Cannot fulfil 4 for SO-1001: only 3 still reserved."
        assert error.field == "quantity"

    def test_an_unknown_location_is_refused(self, product, snapshot):
        reservation_id = reserve(product, 3)
        error = refused(
            snapshot, FulfilReservation(reservation_id=reservation_id, location="NOWHERE"), errors.LocationNotFound
        )
        assert "location" in error.field_errors


class TestExpireReservation:
    def test_a_lapsed_reservation_expires_as_the_system(self, product, monkeypatch):
        reservation_id = reserve(product, 4, expires_at=timezone.now() + timedelta(hours=1))
        command = ExpireReservation(reservation_id=reservation_id)
        later = timezone.now() + timedelta(hours=2)
        monkeypatch.setattr(timezone, "now", lambda: later)

        bus.dispatch(command)

        assert figures(product) == (20, 0, 20)
        assert Reservation.objects.get(pk=reservation_id).status == "expired"
        event = last_event()
        assert (event.type, event.actor) == ("ReservationExpired", "system")
        assert verify().total == 0

    def test_one_that_has_not_lapsed_is_refused(self, product, snapshot):
        reservation_id = reserve(product, 4, expires_at=timezone.now() + timedelta(days=1))
        refused(snapshot, ExpireReservation(reservation_id=reservation_id), errors.NotYetExpired)

    def test_no_role_may_expire_by_hand(self, product, manager, snapshot):
        reservation_id = reserve(product, 4)
        refused(snapshot, ExpireReservation(reservation_id=reservation_id), errors.PermissionDenied, actor=manager)
