"""Session-level advisory locks: one worker at a time per job, released if that worker dies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _key(job_id, namespace: str) -> int:
    """64 bits of a hash of (namespace, id): a collision would only delay a job until it is requeued."""
    return int.from_bytes(uuid.uuid5(uuid.NAMESPACE_OID, f"{namespace}:{job_id}").bytes[:8], "big", signed=True)


@contextmanager
def exclusive(job_id, *, namespace: str) -> Iterator[bool]:
    """Yields True if this process now owns the job; PostgreSQL frees the lock when the connection drops.

    SQLite has one writer per file and no advisory locks; the state checks in each task suffice there.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = _key(job_id, namespace)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
