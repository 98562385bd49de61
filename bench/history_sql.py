"""The as-of reads hand-written in SQL (psycopg2, no ORM): the floor each query in bench/history.py is set beside.

Each is the same work as its query class: the same statements (one per round trip), the same indexes.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg2

from .timing import Timing, timed

TABLES = {
    "ledger": "products_stockmovemententry",
    "details": "products_detailshistoryentry",
    "summary": "products_productsummary",
}
# The details row then, for the product of the outer row `s` (price, archived).
THEN = (
    "(SELECT d.{column} FROM {details} d WHERE d.product_id = s.product_id AND d.occurred_at <= %(t)s"
    " ORDER BY d.occurred_at DESC, d.position DESC LIMIT 1)"
)


def _sql(template: str) -> str:
    """The template with the tables' names, and `{price_then}` / `{archived_then}` as THEN's subqueries."""
    then = {f"{column}_then": THEN.format(column=column, **TABLES) for column in ("price", "archived")}
    return template.format(**TABLES, **then)


_LAST = (
    "SELECT {columns} FROM {table} WHERE product_id = %(p)s AND occurred_at <= %(t)s"
    " ORDER BY occurred_at DESC, position DESC LIMIT 1"
)

# A product's levels then (levels_then.py): its ledger rows up to then, summed per location.
_LEVELS_TEMPLATE = """
SELECT product_id, location, SUM(change) FROM (
    SELECT product_id, location, quantity - moved AS change FROM {ledger}
    WHERE product_id = ANY(%(ids)s::uuid[]) AND occurred_at <= %(t)s
    UNION ALL
    SELECT product_id, to_location, moved FROM {ledger}
    WHERE product_id = ANY(%(ids)s::uuid[]) AND occurred_at <= %(t)s AND to_location <> ''
) changes GROUP BY product_id, location HAVING SUM(change) <> 0
"""
_LEVELS = _sql(_LEVELS_TEMPLATE)

# GetStockAsOf: the summary, the last ledger row and details row then, and where it was.
_SUMMARY_ROW = "SELECT sku, created_at FROM {summary} WHERE product_id = %(p)s"
STOCK_AS_OF = [
    _sql(_SUMMARY_ROW),
    _LAST.format(columns="on_hand_after, position", table=TABLES["ledger"]),
    _LAST.format(columns="price, reorder_level, archived", table=TABLES["details"]),
    _LEVELS,
]


# GetInventoryAsOf's page: a keyset page of products that existed and were active then, with on hand and
# price then, read as the query does in two halves (active now, archived now); by location, then the levels.
_PAGE_TEMPLATE = """
SELECT s.product_id, s.sku, s.name,
    COALESCE((SELECT m.on_hand_after FROM {ledger} m WHERE m.product_id = s.product_id AND m.occurred_at <= %(t)s
              ORDER BY m.occurred_at DESC, m.position DESC LIMIT 1), 0) AS on_hand, {price_then} AS price
FROM {summary} s
WHERE s.archived = %(archived)s AND s.created_at <= %(t)s AND NOT {archived_then}
ORDER BY s.sku, s.product_id LIMIT %(n)s
"""
_PAGE = _sql(_PAGE_TEMPLATE)
INVENTORY_PAGE = [_PAGE, _PAGE]
INVENTORY_LEVELS = _LEVELS

# GetInventoryByLocationAsOf(location=...): the location's rows up to then summed per product, by SKU.
_AT_TEMPLATE = """
WITH here AS (
    SELECT product_id, SUM(change) AS on_hand FROM (
        SELECT product_id, quantity - moved AS change FROM {ledger} WHERE location = %(code)s AND occurred_at <= %(t)s
        UNION ALL
        SELECT product_id, moved FROM {ledger} WHERE to_location = %(code)s AND occurred_at <= %(t)s
    ) changes
    GROUP BY product_id HAVING SUM(change) <> 0
)
SELECT s.product_id, s.sku, s.name, here.on_hand, {price_then} AS price
FROM {summary} s JOIN here ON here.product_id = s.product_id
WHERE NOT {archived_then}
ORDER BY s.sku, s.product_id LIMIT %(n)s
"""
INVENTORY_AT = [_sql(_AT_TEMPLATE)]


def time_statements(dsn: str, statements: list[str], params: Callable[[list], dict], **timing) -> Timing:
    """Run the statements in turn on one connection per call of the loop; `params(rows)` may use the rows so far."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:

        def run():
            rows: list = []
            for number, sql in enumerate(statements):
                cursor.execute(sql, params(rows) | {"archived": number == 1})
                rows.extend(cursor.fetchall())

        return timed(run, **timing)
