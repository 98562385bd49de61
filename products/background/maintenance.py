"""Maintenance on the worker: rebuild the read models from the event log, reporting progress."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.tasks import task
from django.utils import timezone

from products.background.locks import exclusive
from products.background.rebuilds import RebuildRun, RebuildState
from products.read import replay
from products.write.log import Event

logger = logging.getLogger(__name__)

LOCK_NAMESPACE = "rebuild"
REBUILD_PERMISSION = "products.rebuild_read_models"
REBUILD_REFUSED = "You do not have permission to rebuild the lists and totals."


def may_rebuild(user) -> bool:
    """The one rule for who may rebuild: the maintenance page asks it, request_rebuild enforces it."""
    return user.is_authenticated and user.is_active and user.has_perm(REBUILD_PERMISSION)


def request_rebuild(*, user) -> RebuildRun:
    """Queue a rebuild, or return the one already queued or running (two at once would only queue up)."""
    if not may_rebuild(user):
        raise PermissionDenied(REBUILD_REFUSED)
    with transaction.atomic():
        current = RebuildRun.objects.select_for_update().filter(state__in=[RebuildState.QUEUED, RebuildState.RUNNING])
        run = current.first()
        if run is not None:
            return run
        run = RebuildRun.objects.create(requested_by=user.get_username())
        transaction.on_commit(lambda: rebuild_read_models.enqueue(str(run.pk)))
    return run


def _progress_writer(run_id):
    """The rebuild is one transaction, so progress goes out over a second connection that commits at once.

    SQLite allows one writer per file and the rebuild holds it, so there progress appears at the end.
    """
    if connection.vendor != "postgresql":
        return None
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = connection.ops.quote_name(RebuildRun._meta.db_table)

    def report(done: int) -> None:  # replay calls it every EVENT_CHUNK events
        with side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET events_done = %s WHERE id = %s", [done, run_id])  # noqa: S608

    report.close = side.close
    return report


@task
def rebuild_read_models(run_id: str) -> str:
    with exclusive(run_id, namespace=LOCK_NAMESPACE) as owner:
        if not owner:
            return "busy"
        updated = RebuildRun.objects.filter(pk=run_id, state__in=[RebuildState.QUEUED, RebuildState.RUNNING]).update(
            state=RebuildState.RUNNING, started_at=timezone.now(), events_total=Event.objects.count()
        )
        if not updated:
            return "finished"
        report = _progress_writer(run_id)
        try:
            result = replay.rebuild(progress=report)
        except Exception as exc:
            RebuildRun.objects.filter(pk=run_id).update(
                state=RebuildState.FAILED, error_message=str(exc)[:2000], finished_at=timezone.now()
            )
            raise
        finally:
            if report is not None:
                report.close()
        RebuildRun.objects.filter(pk=run_id).update(
            state=RebuildState.SUCCEEDED,
            events_done=result.events,
            events_total=result.events,
            finished_at=timezone.now(),
        )
        logger.info("read models rebuilt from %s events", result.events)
        return RebuildState.SUCCEEDED


def requeue_stalled() -> int:
    """A rebuild left running by a dead worker rolled back; queue it again."""
    count = 0
    for run_id in RebuildRun.objects.filter(state__in=[RebuildState.QUEUED, RebuildState.RUNNING]).values_list(
        "pk", flat=True
    ):
        with exclusive(run_id, namespace=LOCK_NAMESPACE) as free:
            if free:
                with transaction.atomic():
                    transaction.on_commit(lambda run_id=run_id: rebuild_read_models.enqueue(str(run_id)))
                count += 1
    return count
