"""The expiry sweep: lapsed reservations released by the worker, as ExpireReservation commands by the system.

django.tasks has no schedule, so the sweep queues its own next run (run_after) when it finishes; the
worker starts the chain (requeue_stalled_commands at worker start), and at most one run waits at a time.
Each reservation's expiry has one command_id (uuid5 of its id), so two sweeps racing expire it once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from products.write.bus import dispatch
from products.write.commands import ExpireReservation
from products.write.errors import DomainError
from products.write.reservations import lapsed

logger = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=1)
EXPIRY_NAMESPACE = uuid.UUID("0b6f2f0e-3c4a-4f61-9f7e-5d2b8c1e7a90")


def expiry_command(reservation_id) -> ExpireReservation:
    """The one command that expires this reservation: a second sweep's is the same command, applied once."""
    return ExpireReservation(
        command_id=uuid.uuid5(EXPIRY_NAMESPACE, str(reservation_id)), reservation_id=reservation_id
    )


def sweep(now=None) -> int:
    """Expire every reservation lapsed by `now` (default: now); returns how many this sweep expired."""
    expired = 0
    for reservation_id in lapsed(now or timezone.now()):
        try:
            result = dispatch(expiry_command(reservation_id), actor=None)
        except DomainError as exc:  # released or fulfilled meanwhile: nothing left to expire
            logger.info("reservation %s not expired: %s", reservation_id, exc.message)
            continue
        expired += not result.duplicate
    return expired


@task
def expire_reservations() -> int:
    """One sweep, then the next one queued SWEEP_EVERY from now."""
    try:
        return sweep()
    finally:
        schedule_sweep(after=SWEEP_EVERY)


def schedule_sweep(*, after: timedelta = timedelta(0)) -> bool:
    """Queue a sweep unless one already waits (known with the database backend); True if one was queued."""
    if isinstance(expire_reservations.get_backend(), DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=expire_reservations.module_path
        ).exists()
        if waiting:
            return False
    expire_reservations.using(run_after=timezone.now() + after).enqueue()
    return True
