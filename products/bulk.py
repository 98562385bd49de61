"""Bulk inserts for seeding and rebuilds: COPY on PostgreSQL, bulk_create elsewhere."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models import Model

COPY_BATCH = 50_000


def _copy_value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def insert_rows(model: type[Model], objects: Iterable[Model]) -> int:
    """Insert unsaved model instances as fast as the database allows; returns the count."""
    if connection.vendor != "postgresql":
        objs = list(objects)
        model.objects.bulk_create(objs, batch_size=1000)
        return len(objs)
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv)"
    total = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NOTNULL)
    with connection.cursor() as cursor:
        for obj in objects:
            writer.writerow([_copy_value(getattr(obj, f.attname)) for f in fields])
            total += 1
            if total % COPY_BATCH == 0:
                _flush(cursor, sql, buffer)
        _flush(cursor, sql, buffer)
    return total


def _flush(cursor, sql: str, buffer: io.StringIO) -> None:
    if buffer.tell():
        buffer.seek(0)
        cursor.copy_expert(sql, buffer)
        buffer.seek(0)
        buffer.truncate()
