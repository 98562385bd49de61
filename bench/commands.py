"""Commands in-process, 8 clients at once, beside raw-SQL references measured in the same run.

References: the issue's own (one same-row UPDATE; a ledger INSERT plus UPDATE, on scratch
tables) and "raw SQL, same writes as a command": ReceiveStock written by hand with psycopg2
into the app's own tables (lock, product, stock row, event, summary, stats shard, NOTIFY, commit: the
ledger row and the level are the projectors', running beside, as for a command), so
the gap to it is what Python, Django and the bus cost, and the gap from it to the issue's
references is what writing five rows instead of one or two costs.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
import uuid
from datetime import UTC, datetime

import psycopg2
from django.db import connections

from products.read.tables import MAIN, STATS_SHARDS, stock_status
from products.write import bus
from products.write.commands import ReceiveStock
from products.write.events import StockReceived, location_stream_id

from .projectors import ProjectorsBeside
from .timing import Timing

THREADS = 8
RAW_NOTE = "bench raw SQL"


def _run_threads(worker, threads: int, seconds: float) -> tuple[int, float, list[float]]:
    """Run worker(stop_at, samples, errors) in N threads; returns (done, elapsed, samples)."""
    samples: list[float] = []
    errors: list[BaseException] = []
    stop_at = time.perf_counter() + seconds
    pool = [threading.Thread(target=worker, args=(stop_at, samples, errors)) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return len(samples), elapsed, samples


def _orm_rate(operation, *, threads: int, seconds: float) -> Timing:
    """Operations/s for `operation(rng)` in N threads, each on its own Django connection."""

    def worker(stop_at, samples, errors):
        rng = random.Random()  # noqa: S311
        try:
            while time.perf_counter() < stop_at:
                begin = time.perf_counter()
                operation(rng)
                samples.append(time.perf_counter() - begin)
        except BaseException as exc:  # noqa: BLE001 (reported by the caller)
            errors.append(exc)
        finally:
            connections.close_all()

    done, elapsed, samples = _run_threads(worker, threads, seconds)
    return Timing.from_samples(samples, elapsed)


def commands_in_process(product_ids: list, *, threads: int, seconds: float, actor=None) -> Timing:
    """ReceiveStock through bus.dispatch from N threads."""

    def receive(rng):
        bus.dispatch(ReceiveStock(product_id=rng.choice(product_ids), quantity=1, note="bench"), actor=actor)

    return _orm_rate(receive, threads=threads, seconds=seconds)


def raw_sql_rate(dsn: str, statements, *, threads: int, seconds: float) -> Timing:
    """Transactions/s for `statements(cursor, rng)` in N threads over plain psycopg2 connections."""

    def worker(stop_at, samples, errors):
        rng = random.Random()  # noqa: S311
        try:
            with psycopg2.connect(dsn) as conn:
                with conn.cursor() as cursor:
                    while time.perf_counter() < stop_at:
                        begin = time.perf_counter()
                        statements(cursor, rng)
                        conn.commit()
                        samples.append(time.perf_counter() - begin)
            conn.close()
        except BaseException as exc:  # noqa: BLE001 (reported by the caller)
            errors.append(exc)

    done, elapsed, samples = _run_threads(worker, threads, seconds)
    return Timing.from_samples(samples, elapsed)


def prepare_raw_tables(dsn: str) -> None:
    """Scratch copies for the issue's raw-SQL references, so they never touch the app's tables."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_product, bench_raw_ledger")
        cursor.execute("CREATE TABLE bench_raw_product AS SELECT id, on_hand, version FROM products_product")
        cursor.execute("ALTER TABLE bench_raw_product ADD PRIMARY KEY (id)")
        cursor.execute(
            "CREATE TABLE bench_raw_ledger (position bigserial PRIMARY KEY, product_id uuid NOT NULL, "
            "quantity bigint NOT NULL, on_hand_after bigint NOT NULL, occurred_at timestamptz NOT NULL)"
        )
    conn.close()


def drop_raw_tables(dsn: str) -> None:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_product, bench_raw_ledger")
    conn.close()


def same_row_update(hot_id):
    def statements(cursor, rng):
        cursor.execute("UPDATE bench_raw_product SET on_hand = on_hand + 1 WHERE id = %s", [str(hot_id)])

    return statements


def ledger_insert_update(ids):
    def statements(cursor, rng):
        product_id = str(rng.choice(ids))
        cursor.execute(
            "UPDATE bench_raw_product SET on_hand = on_hand + 1, version = version + 1 WHERE id = %s RETURNING on_hand",
            [product_id],
        )
        on_hand = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO bench_raw_ledger (product_id, quantity, on_hand_after, occurred_at) VALUES (%s, 1, %s, now())",
            [product_id, on_hand],
        )

    return statements


MAIN_ID = location_stream_id(MAIN)
_LOCK = (
    "SELECT on_hand, reserved, version, price, reorder_level, sku, name FROM products_product WHERE id = %s FOR UPDATE"
)
_PRODUCT = "UPDATE products_product SET on_hand = %s, version = %s, updated_at = %s WHERE id = %s"
_EVENT = (
    "INSERT INTO products_event (stream_id, stream_version, type, data, actor, command_id, occurred_at, "
    "command_type, request_digest) VALUES (%s, %s, 'StockReceived', %s, %s, %s, %s, 'ReceiveStock', %s) "
    "RETURNING position"
)
_SUMMARY = (
    "UPDATE products_productsummary SET on_hand = %s, available = %s, status = %s, stock_value = %s, version = %s, "
    "updated_at = %s, last_movement_at = %s, last_position = %s WHERE product_id = %s"
)
# The receipt lands at MAIN: its stock row on the write side (the levels projector moves its level).
_AT_MAIN = (
    "INSERT INTO products_locationstock (product_id, location_id, on_hand) VALUES (%s, %s, 1) "
    "ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = products_locationstock.on_hand + 1"
)
_STATS = (
    "UPDATE products_inventorystats SET {moved}total_units = total_units + 1, total_value = total_value + %s, "
    "last_position = GREATEST(last_position, %s) WHERE shard = %s"
)


def command_writes(ids: list, *, actor: str):
    """ReceiveStock(quantity=1) by hand: the rows a command writes, with as little Python as writes them.

    Real rows in the app's tables (a valid event and its projections), so verify_read_models still passes.
    """
    data = json.dumps(StockReceived(product_id=uuid.UUID(int=0), quantity=1, note=RAW_NOTE).payload())

    def statements(cursor, rng):
        product_id = rng.choice(ids)
        now = datetime.now(UTC)
        cursor.execute(_LOCK, [str(product_id)])
        on_hand, reserved, version, price, reorder_level, sku, name = cursor.fetchone()
        on_hand, version = on_hand + 1, version + 1
        cursor.execute(_PRODUCT, [on_hand, version, now, str(product_id)])
        cursor.execute(_AT_MAIN, [str(product_id), str(MAIN_ID)])
        request = {"note": RAW_NOTE, "product_id": str(product_id), "quantity": 1}  # what ReceiveStock digests
        digest = hashlib.sha256(json.dumps(request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        cursor.execute(_EVENT, [str(product_id), version, data, actor, str(uuid.uuid4()), now, digest])
        position = cursor.fetchone()[0]
        available = on_hand - reserved
        status, was = stock_status(available, reorder_level), stock_status(available - 1, reorder_level)
        cursor.execute(
            _SUMMARY, [on_hand, available, status, price * on_hand, version, now, now, position, str(product_id)]
        )
        cursor.execute("NOTIFY cqrs_events")  # the projectors write its ledger row and level, as for a command
        moved = f'"{was}" = "{was}" - 1, "{status}" = "{status}" + 1, ' if status != was else ""
        cursor.execute(_STATS.format(moved=moved), [price, position, uuid.UUID(str(product_id)).int % STATS_SHARDS])

    return statements


def naive_stock_in_process(ids: list[int], *, threads: int, seconds: float) -> Timing:
    """The baseline's read-modify-write through the ORM, from N threads."""
    from baseline.models import NaiveProduct

    def add_one(rng):
        product = NaiveProduct.objects.get(pk=rng.choice(ids))
        product.on_hand += 1
        product.save()

    return _orm_rate(add_one, threads=threads, seconds=seconds)


def measure(results, fx: dict, dsn: str, seconds: float, *, username: str) -> None:
    """The command rows of the table, with run_projectors beside them (their lag is reported too)."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.get(username=username)

    def add(section, name, timing: Timing):
        results.add(section, name, p50_ms=timing.p50_ms, p99_ms=timing.p99_ms, per_s=timing.per_second)

    def raw(statements) -> Timing:
        return raw_sql_rate(dsn, statements, threads=THREADS, seconds=seconds)

    prepare_raw_tables(dsn)
    try:
        with ProjectorsBeside(dsn) as beside:
            _commands_and_references(add, raw, fx, seconds=seconds, actor=actor, username=username)
        beside.report(results, "commands running")
    finally:
        drop_raw_tables(dsn)
    add(
        "commands", "naive in-process random", naive_stock_in_process(fx["naive_ids"], threads=THREADS, seconds=seconds)
    )


def _commands_and_references(add, raw, fx: dict, *, seconds: float, actor, username: str) -> None:
    """Each command run sits next to its references (a shared box drifts)."""
    hot, sample = [fx["hot"]], fx["sample_ids"]
    add(
        "commands",
        "in-process hot (8 threads)",
        commands_in_process(hot, threads=THREADS, seconds=seconds, actor=actor),
    )
    add("reference", "raw SQL command writes, hot", raw(command_writes(hot, actor=username)))
    add("reference", "raw SQL same-row UPDATE", raw(same_row_update(fx["hot"])))
    add(
        "commands",
        "in-process random (8 thr)",
        commands_in_process(sample, threads=THREADS, seconds=seconds, actor=actor),
    )
    add("reference", "raw SQL command writes, rand", raw(command_writes(sample, actor=username)))
    add("reference", "raw SQL ledger ins+upd", raw(ledger_insert_update(sample)))
