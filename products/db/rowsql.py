"""Single-row SQL for the command path, each statement's text built once.

A command locks one row and writes five; building every statement through the ORM's
query compiler cost more than sending it. These helpers build the SQL once per table
and column list, adapt values with each field's own get_db_prep_save and read rows
back through the same converters as the ORM, so rows written here are the rows
Model.save would write, on PostgreSQL and on SQLite. Writes go to the default
database, where transaction.atomic() runs the command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def _db():
    """The connection itself, not the `connection` proxy: every attribute read through that costs a lookup."""
    return connections[DEFAULT_DB_ALIAS]


def _execute(db, sql: str, params: list):
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else cursor.rowcount


def _table(db, model: type[Model]) -> tuple[str, str]:
    return db.ops.quote_name(model._meta.db_table), db.ops.quote_name(model._meta.pk.column)


@cache
def _lock_plan(model: type[Model], vendor: str) -> tuple[str, list]:
    """SELECT … FOR UPDATE of every column (SQLite has no row locks: its writers queue), and the converters."""
    db, meta = _db(), model._meta
    table, pk = _table(db, model)
    columns = ", ".join(db.ops.quote_name(field.column) for field in meta.concrete_fields)
    lock = f" {db.ops.for_update_sql()}" if db.features.has_select_for_update else ""
    converters = []
    for index, field in enumerate(meta.concrete_fields):
        column = field.get_col(meta.db_table)
        found = db.ops.get_db_converters(column) + column.get_db_converters(db)
        if found:
            converters.append((index, found, column))
    return f"SELECT {columns} FROM {table} WHERE {pk} = %s{lock}", converters  # noqa: S608


def lock(model: type[Model], pk) -> Model | None:
    """The row with this primary key, locked until the transaction ends; None if there is none."""
    db = _db()
    sql, converters = _lock_plan(model, db.vendor)
    row = _execute(db, sql, [model._meta.pk.get_db_prep_value(pk, db)])
    if row is None:
        return None
    values = list(row)
    for index, found, column in converters:
        for convert in found:
            values[index] = convert(values[index], column, db)
    return model.from_db(db.alias, None, values)


@cache
def _insert_plan(model: type[Model], returning: str | None, vendor: str) -> tuple[str, list]:
    db, meta = _db(), model._meta
    table, _ = _table(db, model)
    fields = [field for field in meta.concrete_fields if field.attname != returning]
    columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if returning is not None:
        sql += f" RETURNING {db.ops.quote_name(meta.get_field(returning).column)}"
    return sql, fields


def insert(obj: Model, *, returning: str | None = None):
    """INSERT obj's row; `returning` names a column the database fills in (its value is returned)."""
    db = _db()
    sql, fields = _insert_plan(type(obj), returning, db.vendor)
    row = _execute(db, sql, [field.get_db_prep_save(getattr(obj, field.attname), db) for field in fields])
    return row[0] if returning is not None else None


@cache
def _update_plan(model: type[Model], names: tuple[str, ...], vendor: str) -> tuple[str, list]:
    db, meta = _db(), model._meta
    table, pk = _table(db, model)
    fields = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{db.ops.quote_name(field.column)} = %s" for field in fields)
    return f"UPDATE {table} SET {assignments} WHERE {pk} = %s", fields  # noqa: S608


def update(obj: Model, names: Sequence[str]) -> int:
    """UPDATE these columns of obj's row (found by primary key); returns the rows matched."""
    db = _db()
    sql, fields = _update_plan(type(obj), tuple(names), db.vendor)
    params = [field.get_db_prep_save(getattr(obj, field.attname), db) for field in fields]
    return _execute(db, sql, [*params, obj._meta.pk.get_db_prep_value(obj.pk, db)])


@cache
def _add_plan(model: type[Model], names: tuple[str, ...], floors: tuple[str, ...], vendor: str) -> tuple[str, list]:
    db, meta = _db(), model._meta
    table, pk = _table(db, model)
    columns = {name: db.ops.quote_name(meta.get_field(name).column) for name in (*names, *floors)}
    sums = [f"{columns[name]} = {columns[name]} + %s" for name in names]
    # CASE rather than GREATEST, which SQLite spells MAX.
    raised = [f"{columns[name]} = CASE WHEN {columns[name]} < %s THEN %s ELSE {columns[name]} END" for name in floors]
    sql = f"UPDATE {table} SET {', '.join(sums + raised)} WHERE {pk} = %s"  # noqa: S608
    return sql, [meta.get_field(name) for name in (*names, *floors)]


def add(model: type[Model], pk, amounts: Mapping[str, object], *, at_least: Mapping[str, object]) -> int:
    """Add to counters and raise floors in place (no read, so concurrent adds lose nothing); rows matched."""
    db = _db()
    sql, fields = _add_plan(model, tuple(amounts), tuple(at_least), db.vendor)
    prepared = [
        field.get_db_prep_save(value, db)
        for field, value in zip(fields, [*amounts.values(), *at_least.values()], strict=True)
    ]
    params = prepared[: len(amounts)] + [value for floor in prepared[len(amounts) :] for value in (floor, floor)]
    return _execute(db, sql, [*params, model._meta.pk.get_db_prep_value(pk, db)])
