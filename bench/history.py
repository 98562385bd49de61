"""History reads in process: a busy product's stock chart (query + SVG render), as-of for one product and all."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from products.read.queries import GetInventoryAsOf, GetProduct, GetStockAsOf, StockSeries
from products.web.chart import draw
from products.web.views.history import chart_context

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


def history_reads(results: Results) -> None:
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
    timing = timed(lambda: GetStockAsOf(product_id=product_id, at=middle).execute(), seconds=1.0)
    results.add("history", "as of, one product", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)
    timing = timed(lambda: GetInventoryAsOf(at=middle).execute(), seconds=2.0)
    results.add("history", "inventory as of, one page", p50_ms=timing.p50_ms, p99_ms=timing.p99_ms)
    started = time.perf_counter()
    rows = sum(1 for _ in GetInventoryAsOf(at=middle).iterate())
    results.add("history", "inventory as of, every product", rows=rows, seconds=round(time.perf_counter() - started, 2))
