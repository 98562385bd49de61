"""Apply a checked import on the worker: one command per row, chunks per transaction, progress per chunk.

Every row's commands carry ids derived from (import id, row number), and each chunk commits
together with the job's counters and `last_row`. A worker that dies loses at most its open
chunk; the next run starts after `last_row`, and any row applied twice is a no-op in the bus.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from products.background.locks import exclusive
from products.write import bus
from products.write.errors import DomainError

from .access import ensure_may_import
from .models import ApplyMode, ImportIssue, ImportJob, ImportState, IssuePhase
from .parsing import parse
from .rows import COLUMNS, Row, build_rows

logger = logging.getLogger(__name__)

STALLED_AFTER = timedelta(minutes=2)
DEADLOCK_RETRIES = 8
RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure
LOCK_NAMESPACE = "import"


def chunk_rows() -> int:
    """Rows per transaction (and per progress update); small, because a chunk holds stats-shard locks
    that the clerks' own commands wait for until it commits."""
    return max(1, int(getattr(settings, "IMPORT_CHUNK_ROWS", 50)))


def enqueue(job_id) -> None:
    transaction.on_commit(lambda: apply_import.enqueue(str(job_id)))


@task
def apply_import(job_id: str) -> str:
    """Apply one import unless another worker already holds it."""
    with exclusive(job_id, namespace=LOCK_NAMESPACE) as owner:
        if not owner:
            logger.info("import %s is being applied by another worker", job_id)
            return "busy"
        return run(job_id)


def run(job_id) -> str:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in (ImportState.QUEUED, ImportState.APPLYING):
            return job.state if job else "unknown"
        job.state = ImportState.APPLYING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["state", "attempts", "started_at", "heartbeat_at"])
    try:
        actor = get_user_model().objects.filter(pk=job.applied_by_id).first()
        if actor is None:
            raise DomainError("The user who started this import no longer exists.")
        ensure_may_import(job.kind, actor)
        _apply_rows(job, actor)
    except Exception as exc:
        message = exc.message if isinstance(exc, DomainError) else f"Unexpected error: {exc.__class__.__name__}."
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportState.FAILED, error_message=message, finished_at=timezone.now()
        )
        if not isinstance(exc, DomainError):
            raise
        return ImportState.FAILED
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.DONE, finished_at=timezone.now())
    logger.info("import %s done", job.pk)
    return ImportState.DONE


def _apply_rows(job: ImportJob, actor) -> None:
    skip = set(
        ImportIssue.objects.filter(job=job, phase=IssuePhase.CHECK).values_list("row_number", flat=True).distinct()
    )
    if skip and job.mode != ApplyMode.VALID:
        raise DomainError("This import has invalid rows and was not told to skip them.")
    parsed = parse(bytes(job.content), COLUMNS[job.kind])
    records = (record for record in parsed.rows() if record[0] > job.last_row)
    size = chunk_rows()
    chunk: list[Row] = []
    for row in build_rows(job.kind, job.id, records, check_catalogue=False, decimal_comma=parsed.delimiter == ";"):
        chunk.append(row)
        if len(chunk) >= size:
            _apply_chunk_retrying(job, chunk, skip, actor)
            chunk = []
    if chunk:
        _apply_chunk_retrying(job, chunk, skip, actor)


def _apply_chunk_retrying(job: ImportJob, chunk: list[Row], skip: set[int], actor) -> None:
    """A chunk holds several stats-shard locks, so another writer can deadlock with it: PostgreSQL
    then rolls the whole chunk back, and running it again is safe (the same command ids)."""
    for attempt in range(1, DEADLOCK_RETRIES + 1):
        try:
            _apply_chunk(job, chunk, skip, actor)
            return
        except OperationalError as exc:
            if getattr(exc.__cause__, "pgcode", None) not in RETRYABLE or attempt == DEADLOCK_RETRIES:
                raise
            logger.warning("import %s rows %s-%s: %s; retrying", job.pk, chunk[0].number, chunk[-1].number, exc)
            time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311 (jitter, not security)


def _apply_chunk(job: ImportJob, chunk: list[Row], skip: set[int], actor) -> None:
    """Dispatch each row's commands (a savepoint per row) and advance the counters, all in one commit."""
    applied = skipped = 0
    refused: list[ImportIssue] = []
    with transaction.atomic():
        for row in chunk:
            if row.number in skip:
                skipped += 1
                continue
            problems = row.problems
            if not problems:
                try:
                    with transaction.atomic():
                        for command in row.commands:
                            bus.dispatch(command, actor=actor)
                except DomainError as exc:
                    problems = [(_column(name), message) for name, messages in _errors(exc) for message in messages]
            if problems:
                refused += [
                    ImportIssue(job=job, row_number=row.number, column=column, message=message, phase=IssuePhase.APPLY)
                    for column, message in problems
                ]
            else:
                applied += 1
        ImportIssue.objects.bulk_create(refused)
        failed = len({issue.row_number for issue in refused})
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=F("processed_rows") + len(chunk),
            applied_rows=F("applied_rows") + applied,
            skipped_rows=F("skipped_rows") + skipped,
            failed_rows=F("failed_rows") + failed,
            last_row=chunk[-1].number,
            heartbeat_at=timezone.now(),
        )
    job.last_row = chunk[-1].number


def _errors(exc: DomainError):
    return exc.field_errors.items() if exc.field_errors else [("", [exc.message])]


def _column(field_name: str) -> str:
    return "" if field_name in ("product_id", "command_id") else field_name


def requeue_stalled(older_than: timedelta = STALLED_AFTER) -> int:
    """Queue again the imports no worker is applying: the worker died, or the queue lost the task.

    On PostgreSQL a job whose advisory lock is free has no live worker, so it is requeued at once;
    on SQLite (no advisory locks) after `older_than` without a heartbeat. A duplicate task is
    harmless: it finds the job done or locked.
    """
    candidates = ImportJob.objects.filter(state__in=[ImportState.QUEUED, ImportState.APPLYING])
    if connection.vendor != "postgresql":
        candidates = candidates.filter(heartbeat_at__lt=timezone.now() - older_than)
    count = 0
    for job_id in candidates.values_list("pk", flat=True):
        with exclusive(job_id, namespace=LOCK_NAMESPACE) as free:
            if not free:
                continue
            with transaction.atomic():
                ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
                enqueue(job_id)
            count += 1
    return count
