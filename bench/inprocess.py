"""Measurements inside this process: SQL per page, query plans, raw-SQL search references (commands: commands.py)."""

from __future__ import annotations

import psycopg2
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from products.read.queries import ListProducts

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
