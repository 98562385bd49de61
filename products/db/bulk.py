"""Bulk inserts for seeding and rebuilds: COPY on PostgreSQL, bulk_create elsewhere.

Rows are turned into CSV with one converter per column, chosen once per model, and a
big load into an empty table can defer that table's secondary indexes and unique
constraints (`deferred_indexes`): building an index once is far cheaper than keeping
it up to date row by row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from operator import attrgetter

from django.db import connection, models
from django.db.models import Model

COPY_BATCH = 50_000


def _boolean(value):
    return None if value is None else ("t" if value else "f")


def _json(value):
    return None if value is None else json.dumps(value)


def _text(value):
    return None if value is None else str(value)


_iso_cache: dict = {}


def _isoformat(value):
    """A ledger row, its event and its summary share one timestamp: format it once."""
    if value is None:
        return None
    text = _iso_cache.get(value)
    if text is None:
        if len(_iso_cache) > 200_000:
            _iso_cache.clear()
        text = _iso_cache[value] = value.isoformat()
    return text


def _converter(field) -> Callable | None:
    """How one column's Python value becomes CSV text (None: as it is)."""
    if isinstance(field, models.BooleanField):
        return _boolean
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.UUIDField):
        return _text
    if isinstance(field, (models.DateTimeField, models.DateField)):
        return _isoformat
    return None


@cache
def _plan(model: type[Model]) -> tuple[list[str], Callable, list[tuple[int, Callable]]]:
    fields = model._meta.concrete_fields
    getter = attrgetter(*(f.attname for f in fields))
    converters = [(i, conv) for i, f in enumerate(fields) if (conv := _converter(f)) is not None]
    return [f.column for f in fields], getter, converters


def as_rows(model: type[Model], objects: Iterable[Model]) -> Iterator[list]:
    """Model instances → lists of column values in concrete-field order, ready for COPY."""
    _, getter, converters = _plan(model)
    for obj in objects:
        row = list(getter(obj))
        for index, convert in converters:
            row[index] = convert(row[index])
        yield row


def insert_rows(model: type[Model], objects: Iterable[Model]) -> int:
    """Insert unsaved model instances as fast as the database allows; returns the count."""
    if connection.vendor != "postgresql":
        objs = list(objects)
        model.objects.bulk_create(objs, batch_size=1000)
        return len(objs)
    return copy_rows(model, as_rows(model, objects))


def insert_values(model: type[Model], rows: Iterable[tuple]) -> int:
    """Insert tuples of Python values in concrete-field order, without making model instances."""
    if connection.vendor != "postgresql":
        return insert_rows(model, (model(*row) for row in rows))
    _, _, converters = _plan(model)

    def converted():
        for values in rows:
            row = list(values)
            for index, convert in converters:
                row[index] = convert(row[index])
            yield row

    return copy_rows(model, converted())


def field_names(model: type[Model]) -> list[str]:
    """The attribute names insert_values expects, in order."""
    return [f.attname for f in model._meta.concrete_fields]


def copy_rows(model: type[Model], rows: Iterable) -> int:
    """COPY rows already in concrete-field order with CSV-ready values (PostgreSQL only)."""
    columns, _, _ = _plan(model)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN WITH (FORMAT csv)"
    total = 0
    buffer = io.StringIO()
    writerow = csv.writer(buffer, quoting=csv.QUOTE_NOTNULL).writerow
    with connection.cursor() as cursor:
        for row in rows:
            writerow(row)
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


# Secondary indexes and unique constraints of a table; never its primary key or checks.
_INDEXES_SQL = """
SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype = 'u'
WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
ORDER BY i.relname
"""


@contextmanager
def deferred_indexes(*model_classes: type[Model], build_memory: str = "256MB"):
    """Inside the caller's transaction: drop these tables' secondary indexes, load, rebuild them (foreign keys
    are checked at that point, so the rest of the transaction checks them as it goes).

    Only for tables that are empty when the block starts (a seed into a fresh database,
    a rebuild after TRUNCATE); anything else keeps its indexes. Yields the tables deferred.
    `build_memory` (maintenance_work_mem) keeps each index build's sort in memory.
    """
    if connection.vendor != "postgresql":
        yield []
        return
    if not connection.in_atomic_block:
        raise RuntimeError("deferred_indexes needs a transaction: a failed load must not leave tables unindexed")
    saved, deferred = [], []
    with connection.cursor() as cursor:
        for model in model_classes:
            table = model._meta.db_table
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                continue
            cursor.execute(_INDEXES_SQL, [table])
            for index_name, index_def, constraint_name, constraint_def in cursor.fetchall():
                if constraint_name:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint_name}")
                    saved.append(f"ALTER TABLE {table} ADD CONSTRAINT {constraint_name} {constraint_def}")
                else:
                    cursor.execute(f"DROP INDEX {index_name}")
                    saved.append(index_def)
            deferred.append(table)
    yield deferred
    with connection.cursor() as cursor:
        # Rows with foreign keys queue deferred checks, and PostgreSQL builds no index on a table with
        # checks pending: run them now (they would run at commit anyway).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [build_memory])
        for statement in saved:
            cursor.execute(statement)
        for table in deferred:
            cursor.execute(f"ANALYZE {table}")
