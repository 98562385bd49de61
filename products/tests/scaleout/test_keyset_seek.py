"""A deep page seeks the sorted index to its cursor instead of reading every row before it."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from products.read.queries import ListProducts

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db]


def _plan(sql: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of test rows would otherwise be scanned, or bitmap-scanned and sorted, as the table's
        # statistics (what autovacuum last saw) happen to say: ask only whether the sorted index can be seeked.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        return json.dumps(cursor.fetchone()[0])


@pytest.mark.parametrize("sort", ["name", "-name", "on_hand", "-updated"])
def test_the_next_page_seeks_to_the_cursor(make_product, sort):
    for n in range(6):
        make_product(sku=f"SEEK-{n}", name=f"Seek product {n}", on_hand=n)
    first = ListProducts(sort=sort, page_size=2).execute()
    with CaptureQueriesContext(connection) as captured:
        second = ListProducts(sort=sort, page_size=2, cursor=first.next_cursor).execute()
    assert [r.sku for r in second.rows] != [r.sku for r in first.rows]
    [query] = captured.captured_queries
    plan = _plan(query["sql"])
    column = {"name": "name", "on_hand": "on_hand", "updated": "updated_at"}[sort.lstrip("-")]
    index_conditions = [part for part in plan.split('"Index Cond": ')[1:]]
    assert any(column in condition.split('"')[1] for condition in index_conditions), plan
