"""History reads in process: a busy product's stock chart (query + SVG render), as-of for one product and all.

The as-of reads, per product and per location, each beside the same statements hand-written (history_sql).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from products.read.queries import (
    DEFAULT_PAGE_SIZE,
    GetInventoryAsOf,
    GetInventoryByLocationAsOf,
    GetProduct,
    GetStockAsOf,
    StockSeries,
)
from products.web.chart import draw
from products.web.views.history import chart_context

from . import history_sql
from .results import Results
from .timing import timed

SYNTHETIC_STEPS = 10_000


def busiest_product():
    """The product with the most ledger rows (one scan of the ledger, once per run) and that count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id, count(*) FROM products_stockmovemententry GROUP BY product_id ORDER BY 2 DESC LIMIT 1"
        )
        return cursor.fetchone()


def history_reads(results: Results, db_url: str) -> None:
    product_id, movements = busiest_product()
    product = GetProduct(product_id=product_id).execute()
    for key in ("90d", "all"):

        def chart(key=key):
            context = {"product": product, **chart_context(product, {"chart": key})}
            return render_to_string("products/includes/history_chart.html", context)

        timing = timed(chart, seconds=2.0)
        results.add("history", f"chart {key} ({movements} movements)", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)
    now = timezone.now()
    steps = [(now - timedelta(minutes=SYNTHETIC_STEPS - n), n % 500, 1, "received") for n in range(SYNTHETIC_STEPS)]
    synthetic = StockSeries(product_id, now - timedelta(days=8), now, 0, 10, steps, [], False)
    timing = timed(lambda: draw(synthetic), seconds=1.0)
    results.add("history", f"chart draw {SYNTHETIC_STEPS:,} steps", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)

    middle = product.created_at + (now - product.created_at) / 2
    as_of_reads(results, db_url, product_id, middle)


def _raw(results: Results, name: str, db_url: str, statements: list[str], params, seconds: float = 2.0) -> None:
    timing = history_sql.time_statements(db_url, statements, params, seconds=seconds, warmup=1)
    results.add("history", f"{name} raw SQL", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)


def _page_ids(rows: list, size: int) -> list[str]:
    """The ids of the page the two halves make (by SKU), as GetInventoryAsOf merges them."""
    return [str(row[0]) for row in sorted(rows, key=lambda row: (row[1], str(row[0])))[:size] if row[3]]


def busiest_bin() -> str:
    """The bin (not MAIN) with the most ledger rows, or MAIN when there are none."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT location, count(*) FROM products_stockmovemententry WHERE location <> 'MAIN' "
            "GROUP BY location ORDER BY 2 DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else "MAIN"


def as_of_reads(results: Results, db_url: str, product_id, at) -> None:
    """One product (with where it was), the inventory per product and per location, one location: page and all."""
    timing = timed(lambda: GetStockAsOf(product_id=product_id, at=at).execute(), seconds=1.0)
    results.add("history", "as of, one product", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)
    one = {"p": str(product_id), "ids": [str(product_id)], "t": at}
    _raw(results, "as of, one product", db_url, history_sql.STOCK_AS_OF, lambda rows: one, seconds=1.0)

    size = DEFAULT_PAGE_SIZE
    timing = timed(lambda: GetInventoryAsOf(at=at).execute(), seconds=2.0)
    results.add("history", "inventory as of, one page", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)
    page = {"t": at, "n": size + 1}
    _raw(results, "inventory as of, one page", db_url, history_sql.INVENTORY_PAGE, lambda rows: page)
    timing = timed(lambda: GetInventoryByLocationAsOf(at=at).execute(), seconds=2.0)
    results.add("history", "inventory by location, one page", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)
    by_location = [*history_sql.INVENTORY_PAGE, history_sql.INVENTORY_LEVELS]
    _raw(
        results,
        "inventory by location, one page",
        db_url,
        by_location,
        lambda rows: page | {"ids": _page_ids(rows, size)},
    )

    bin_code = busiest_bin()
    for code in dict.fromkeys([bin_code, "MAIN"]):
        timing = timed(lambda code=code: GetInventoryByLocationAsOf(at=at, location=code).execute(), seconds=2.0)
        results.add("history", f"inventory at {code}, one page", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)
        at_code = {"t": at, "n": size + 1, "code": code}
        _raw(results, f"inventory at {code}, one page", db_url, history_sql.INVENTORY_AT, lambda rows, p=at_code: p)

    for name, query in (
        ("inventory as of, every product", GetInventoryAsOf(at=at)),
        ("inventory by location, every row", GetInventoryByLocationAsOf(at=at)),
        (f"inventory at {bin_code}, every row", GetInventoryByLocationAsOf(at=at, location=bin_code)),
    ):
        started = time.perf_counter()
        rows = sum(1 for _ in query.iterate())
        results.add("history", name, rows=rows, seconds=round(time.perf_counter() - started, 2))
