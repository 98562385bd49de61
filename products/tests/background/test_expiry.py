"""The expiry sweep: lapsed reservations become ExpireReservation commands by the system, each applied once."""

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from products.background import expiry
from products.read.queries import GetProduct
from products.read.verify import verify
from products.write import bus
from products.write.aggregates import Reservation
from products.write.commands import ReleaseReservation, ReserveStock
from products.write.log import Event

pytestmark = pytest.mark.django_db


def reserve(product, quantity, *, expires_in):
    command = ReserveStock(
        product_id=product.product_id,
        quantity=quantity,
        reference=f"SO-{quantity}",
        expires_at=timezone.now() + expires_in if expires_in else None,
    )
    bus.dispatch(command)
    return command.reservation_id


def test_a_sweep_expires_only_what_has_lapsed(product):
    lapsing = reserve(product, 3, expires_in=timedelta(minutes=5))
    lasting = reserve(product, 4, expires_in=timedelta(days=2))
    open_ended = reserve(product, 2, expires_in=None)

    assert expiry.sweep(timezone.now()) == 0
    assert expiry.sweep(timezone.now() + timedelta(hours=1)) == 0  # the handler judges by its own clock

    later = timezone.now() + timedelta(hours=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert expiry.sweep() == 1
        assert expiry.sweep() == 0

    statuses = dict(Reservation.objects.values_list("id", "status"))
    assert statuses == {lapsing: "expired", lasting: "active", open_ended: "active"}
    event = Event.objects.get(type="ReservationExpired")
    assert event.actor == "system"
    summary = GetProduct(product_id=product.product_id).execute()
    assert (summary.reserved, summary.available) == (6, 14)
    assert verify().total == 0


def test_two_sweeps_of_one_reservation_expire_it_once(product):
    reservation_id = reserve(product, 3, expires_in=timedelta(minutes=5))
    later = timezone.now() + timedelta(hours=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        first = bus.dispatch(expiry.expiry_command(reservation_id))
        again = bus.dispatch(expiry.expiry_command(reservation_id))
    assert (first.duplicate, again.duplicate) == (False, True)
    assert Event.objects.filter(type="ReservationExpired").count() == 1


def test_a_reservation_released_meanwhile_is_skipped(product):
    reservation_id = reserve(product, 3, expires_in=timedelta(minutes=5))
    later = timezone.now() + timedelta(hours=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        stale = expiry.lapsed(later)  # what a sweep read just before a clerk released it
        bus.dispatch(ReleaseReservation(reservation_id=reservation_id))
        patch.setattr(expiry, "lapsed", lambda now: stale)
        assert expiry.sweep() == 0
    assert Reservation.objects.get(pk=reservation_id).status == "released"


def test_the_sweep_queues_its_next_run_and_never_two(db):
    assert expiry.schedule_sweep() is True
    assert expiry.schedule_sweep() is False
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=expiry.expire_reservations.module_path
    )
    assert waiting.count() == 1


def test_the_task_sweeps_then_schedules_the_next_sweep_a_minute_on(product):
    reserve(product, 3, expires_in=timedelta(minutes=5))
    assert expiry.expire_reservations.call() == 0
    task = DBTaskResult.objects.get(task_path=expiry.expire_reservations.module_path)
    assert task.run_after > timezone.now() + expiry.SWEEP_EVERY - timedelta(seconds=5)
