"""The life of an import up to the user's choice: check an upload, then queue it or discard it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from products.write import errors

from .access import ensure_may_import
from .apply import enqueue
from .models import ApplyMode, ImportIssue, ImportJob, ImportState
from .parsing import FileProblem, parse, sha256
from .rows import COLUMNS, build_rows

ISSUE_BATCH = 2000
NO_ROWS = "The file has a header but no data rows."
NOT_READY = "This import is {state}; it can only be applied once."
NOTHING_VALID = "No row is valid, so there is nothing to apply. Fix the file and upload it again."
HAS_INVALID = "{count:,} rows have problems: fix the file and upload it again, or apply only the valid rows."


class ImportRefused(errors.DomainError):
    code = "import_refused"
    status = 409


def check_upload(*, kind: str, filename: str, content: bytes, user) -> ImportJob:
    """Parse and check every row; store the job and its problems. Nothing is applied here.

    Raises FileProblem when the file as a whole cannot be read (encoding, header, size).
    """
    ensure_may_import(kind, user)
    parsed = parse(content, COLUMNS[kind])
    job = ImportJob(
        id=uuid.uuid4(),
        kind=kind,
        filename=filename[:255],
        sha256=sha256(content),
        content=content,
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        notices=parsed.notices,
        uploaded_by=user,
        uploaded_by_name=user.get_username(),
    )
    with transaction.atomic():
        job.save(force_insert=True)
        pending: list[ImportIssue] = []
        rows = build_rows(kind, job.id, parsed.rows(), check_catalogue=True, decimal_comma=parsed.delimiter == ";")
        for row in rows:
            job.total_rows += 1
            if row.problems:
                job.invalid_rows += 1
                pending += [
                    ImportIssue(job=job, row_number=row.number, column=column, message=message)
                    for column, message in row.problems
                ]
                if len(pending) >= ISSUE_BATCH:
                    ImportIssue.objects.bulk_create(pending)
                    pending.clear()
        if not job.total_rows:
            raise FileProblem(NO_ROWS)
        ImportIssue.objects.bulk_create(pending)
        job.save(update_fields=["total_rows", "invalid_rows"])
    return job


def earlier_upload(job: ImportJob) -> ImportJob | None:
    """The last other upload of the very same bytes for the same kind of import, if any."""
    return (
        ImportJob.objects.filter(kind=job.kind, sha256=job.sha256, created_at__lt=job.created_at)
        .exclude(pk=job.pk)
        .exclude(state=ImportState.DISCARDED)
        .order_by("-created_at")
        .first()
    )


def queue_apply(job_id, *, mode: str, user) -> ImportJob:
    """Record the user's choice and hand the job to the worker (after this transaction commits)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        ensure_may_import(job.kind, user)
        if job.state != ImportState.READY:
            raise ImportRefused(NOT_READY.format(state=job.get_state_display().lower()))
        if job.valid_rows == 0:
            raise ImportRefused(NOTHING_VALID)
        if mode == ApplyMode.ALL and job.invalid_rows:
            raise ImportRefused(HAS_INVALID.format(count=job.invalid_rows))
        job.mode = mode
        job.state = ImportState.QUEUED
        job.applied_by = user
        job.applied_by_name = user.get_username()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["mode", "state", "applied_by", "applied_by_name", "heartbeat_at"])
        enqueue(job.pk)
    return job


def discard(job_id, *, user) -> ImportJob:
    """The user will fix the file and upload it again: this one is never applied."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        ensure_may_import(job.kind, user)
        if job.state != ImportState.READY:
            raise ImportRefused(NOT_READY.format(state=job.get_state_display().lower()))
        job.state = ImportState.DISCARDED
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "finished_at"])
    return job


@dataclass(frozen=True)
class SampleRow:
    number: int
    values: list[str]


def sample_rows(job: ImportJob, limit: int = 5) -> tuple[list[str], list[SampleRow]]:
    """The first rows as read, so the user can see the columns were understood."""
    parsed = parse(bytes(job.content), COLUMNS[job.kind])
    found = []
    for number, values in parsed.rows():
        found.append(SampleRow(number, [values.get(name, "") for name in parsed.header]))
        if len(found) >= limit:
            break
    return parsed.header, found


def issues(job: ImportJob, *, limit: int | None = None):
    rows = ImportIssue.objects.filter(job=job).order_by("row_number", "id")
    return rows[:limit] if limit else rows
