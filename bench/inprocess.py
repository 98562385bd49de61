"""Measurements inside this process: SQL per page, query plans, commands, raw-SQL references, rebuild."""

from __future__ import annotations

import random
import threading
import time
import uuid

import psycopg2
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from products import bus
from products.commands import ReceiveStock
from products.queries import ListProducts

from .timing import Timing, timed


def client_for(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def queries_per_request(client: Client, path: str) -> tuple[int, int]:
    """(status, SQL statements) for one GET, session and auth lookups included."""
    client.get(path)  # warm caches a real worker would have warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, len(captured)


def search_plan(term: str, *, seqscan: bool = True) -> str:
    """EXPLAIN of the list page's search query (the same queryset ListProducts runs)."""
    query = ListProducts(search=term)
    rows = query.base_queryset().order_by("name", "product_id")[:26]
    if seqscan:
        return rows.explain()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return rows.explain()


def raw_search_sql(term: str) -> tuple[str, list]:
    """The hand-written SQL a DBA would use for the same page: one LIKE per word, like the app."""
    words = term.lower().split()[:8]
    where = " AND ".join(["search_text LIKE %s"] * len(words))
    columns = "product_id, sku, name, price, on_hand, reorder_level, status, updated_at"
    table = "products_productsummary"
    sql = f"SELECT {columns} FROM {table} WHERE NOT archived AND {where} ORDER BY name, product_id LIMIT 26"  # noqa: S608
    return sql, [f"%{word}%" for word in words]


def time_raw_sql(dsn: str, sql: str, params: list, seconds: float = 2.0) -> Timing:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:

        def run():
            cursor.execute(sql, params)
            cursor.fetchall()

        return timed(run, seconds=seconds)


def time_query(term: str, seconds: float = 2.0) -> Timing:
    return timed(lambda: ListProducts(search=term, page_size=25).execute(), seconds=seconds)


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


def commands_in_process(product_ids: list, *, threads: int, seconds: float, actor=None) -> Timing:
    """ReceiveStock through bus.dispatch from N threads, each with its own connection."""

    def worker(stop_at, samples, errors):
        rng = random.Random()  # noqa: S311
        try:
            while time.perf_counter() < stop_at:
                command = ReceiveStock(product_id=rng.choice(product_ids), quantity=1, note="bench")
                begin = time.perf_counter()
                bus.dispatch(command, actor=actor)
                samples.append(time.perf_counter() - begin)
        except BaseException as exc:  # noqa: BLE001 (reported by the caller)
            errors.append(exc)
        finally:
            connections.close_all()

    done, elapsed, samples = _run_threads(worker, threads, seconds)
    return Timing.from_samples(samples, elapsed)


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
    """Scratch copies for the raw-SQL references, so they never touch the app's tables."""
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


def naive_stock_in_process(ids: list[int], *, threads: int, seconds: float) -> Timing:
    """The baseline's read-modify-write through the ORM, from N threads."""
    from baseline.models import NaiveProduct

    def worker(stop_at, samples, errors):
        rng = random.Random()  # noqa: S311
        try:
            while time.perf_counter() < stop_at:
                begin = time.perf_counter()
                product = NaiveProduct.objects.get(pk=rng.choice(ids))
                product.on_hand += 1
                product.save()
                samples.append(time.perf_counter() - begin)
        except BaseException as exc:  # noqa: BLE001 (reported by the caller)
            errors.append(exc)
        finally:
            connections.close_all()

    done, elapsed, samples = _run_threads(worker, threads, seconds)
    return Timing.from_samples(samples, elapsed)


def random_command_id() -> str:
    return str(uuid.uuid4())
