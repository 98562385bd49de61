"""Run a projector over the log: a batch per transaction, its rows and its checkpoint committed together.

A batch reads the events after the checkpoint up to the gap-safe horizon (feed.gap_safe: a position
a running transaction may still commit is never stepped over), hands the projector those of its
types, and moves the checkpoint to the last event read, all in one transaction: a crash anywhere
loses the whole batch, rows and checkpoint alike, and the next run does it again from the same place.
A projection that raises stops this projector only: the events before the bad one are kept, and the
bad one is recorded on the checkpoint (failed_position, last_error) until a manager retries or skips it.
"""

from __future__ import annotations

import logging
import time
import traceback

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, transaction
from django.utils import timezone

from products.read import checkpoints
from products.read.checkpoints import ProjectorCheckpoint
from products.read.feed import gap_safe
from products.read.log_reader import event_rows, recorded_events
from products.read.projectors.base import Projector

logger = logging.getLogger(__name__)

BATCH = 2000
# Lost connections and the like are not the event's fault: they propagate, and the batch is tried again.
TRANSIENT = (OperationalError, InterfaceError)


def run_batch(projector: Projector, *, limit: int = BATCH, pause: float = 0.0) -> int | None:
    """Project one batch; returns how many log rows it moved past (0: caught up), None if the projector is stopped.

    `pause` seconds before the commit hold the batch open, to slow the projector on purpose (tests).
    """
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        checkpoint = checkpoints.locked(projector.name)
        if checkpoint.failed_position is not None:
            return None
        after = checkpoint.position
        rows = event_rows(after, limit)
        found = gap_safe(after, ((row[0], row[7]) for row in rows))
        if found.passed_gap:
            rows = event_rows(after, limit, until=found.horizon)  # whoever filled a hole meanwhile is read now
        else:
            rows = [row for row in rows if row[0] <= found.horizon]
        if not rows:
            return 0
        events = [recorded for recorded in recorded_events(rows, {}) if recorded.type in projector.types]
        try:
            with transaction.atomic(using=DEFAULT_DB_ALIAS):
                projector.apply(events)
        except TRANSIENT:
            raise
        except Exception:  # noqa: BLE001 (a projection error of any kind stops this projector, recorded)
            return _one_by_one(projector, checkpoint, events, last=rows[-1][0])
        if pause:
            time.sleep(pause)
        _advance(checkpoint, rows[-1][0], len(events))
        return len(rows)


def _one_by_one(projector: Projector, checkpoint: ProjectorCheckpoint, events, *, last: int) -> int:
    """The batch failed: keep the events before the bad one, and record the bad one."""
    applied = 0
    for recorded in events:
        try:
            with transaction.atomic(using=DEFAULT_DB_ALIAS):
                projector.apply([recorded])
        except TRANSIENT:
            raise
        except Exception as exc:  # noqa: BLE001
            logger.exception("projector %s stopped at event #%s", projector.name, recorded.position)
            _advance(checkpoint, recorded.position - 1, applied)
            _stop(checkpoint, recorded.position, exc)
            return applied
        applied += 1
    _advance(checkpoint, last, applied)  # it failed as a batch only (e.g. two events that clash together)
    return applied


def _advance(checkpoint: ProjectorCheckpoint, position: int, applied: int) -> None:
    checkpoint.position = max(checkpoint.position, position)
    checkpoint.events_applied += applied
    checkpoint.updated_at = timezone.now()
    ProjectorCheckpoint.objects.using(DEFAULT_DB_ALIAS).filter(pk=checkpoint.pk).update(
        position=checkpoint.position, events_applied=checkpoint.events_applied, updated_at=checkpoint.updated_at
    )


def _stop(checkpoint: ProjectorCheckpoint, position: int, exc: Exception) -> None:
    error = "".join(traceback.format_exception_only(exc)).strip()
    ProjectorCheckpoint.objects.using(DEFAULT_DB_ALIAS).filter(pk=checkpoint.pk).update(
        failed_position=position, last_error=error[:2000], failed_at=timezone.now()
    )


def catch_up(projector: Projector, *, limit: int = BATCH) -> int:
    """Batches until the projector reaches the horizon (or stops on a bad event); returns log rows moved past."""
    total = 0
    while True:
        moved = run_batch(projector, limit=limit)
        if not moved:
            return total
        total += moved
        if moved < limit:
            return total
