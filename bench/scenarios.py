"""What the bench asks for: the searches, the user, the ids and cursors, and the pages' paths."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.db import connection

from . import database
from .results import Results

SEARCHES = {
    "selective": "heavy-duty torque wrench, steel",
    "broad": "cable",
    "sku_fragment": "acc-0012",
}
BENCH_USER = "clerk"


def fixtures(results: Results) -> dict:
    """Ids, cursors and the baseline table the scenarios need."""
    from baseline.models import NaiveProduct
    from products.read.queries.catalogue import _encode_cursor
    from products.read.tables import ProductSummary
    from products.write.log import Event

    total = ProductSummary.objects.filter(archived=False).count()
    if NaiveProduct.objects.count() != ProductSummary.objects.count():
        started = time.perf_counter()
        loaded = database.load_baseline()
        results.add("seed", "baseline table", rows=loaded, seconds=round(time.perf_counter() - started, 1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE products_productsummary")  # plans as a settled database would make them
        cursor.execute(
            "SELECT name, product_id FROM products_productsummary WHERE NOT archived "
            "ORDER BY name, product_id OFFSET %s LIMIT 1",
            [total // 2],
        )
        name, middle_id = cursor.fetchone()
        cursor.execute("SELECT product_id FROM products_productsummary TABLESAMPLE SYSTEM (1) LIMIT 5000")
        sample_ids = [row[0] for row in cursor.fetchall()]
        if len(sample_ids) < 100:
            cursor.execute("SELECT product_id FROM products_productsummary ORDER BY random() LIMIT 5000")
            sample_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT min(id), max(id) FROM baseline_naiveproduct")
        naive_min, naive_max = cursor.fetchone()
    page_one = list(
        ProductSummary.objects.filter(archived=False)
        .order_by("name", "product_id")
        .values_list("product_id", flat=True)[:25]
    )
    hot = next(i for i in sample_ids if i not in page_one)
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    cqrs_paths = folder / "cqrs-paths.txt"
    cqrs_paths.write_text("".join(f"/products/{i}/stock/receive/\n" for i in sample_ids))
    naive_paths = folder / "naive-paths.txt"
    rng_ids = range(naive_min, naive_max + 1, max(1, (naive_max - naive_min) // 5000))
    naive_paths.write_text("".join(f"/baseline/products/{i}/stock/\n" for i in rng_ids))
    return {
        "total": total,
        "deep_cursor": _encode_cursor(["next", name, str(middle_id)]),
        "deep_page": max(1, total // 2 // 50),
        "sample_ids": sample_ids,
        "hot": hot,
        "page_one": page_one,
        "max_position": Event.objects.order_by("-position").values_list("position", flat=True).first() or 0,
        "cqrs_paths": cqrs_paths,
        "naive_paths": naive_paths,
        "naive_ids": list(rng_ids),
        "naive_hot": naive_min,
    }


def list_paths(fx: dict) -> dict[str, str]:
    return {
        "list page 1": "/products/",
        "list deep page": f"/products/?cursor={fx['deep_cursor']}",
        "list status=low": "/products/?status=low",
        "list sort=on_hand": "/products/?sort=on_hand",
        **{f"search {kind}": f"/products/?q={term.replace(' ', '+')}" for kind, term in SEARCHES.items()},
    }


def naive_paths(fx: dict) -> dict[str, str]:
    return {
        "naive list page 1": "/baseline/products/",
        "naive deep page": f"/baseline/products/?page={fx['deep_page']}",
        "naive status=low": "/baseline/products/?status=low",
        "naive sort=on_hand": "/baseline/products/?sort=on_hand",
        **{
            f"naive search {kind}": f"/baseline/products/?q={term.replace(' ', '+')}" for kind, term in SEARCHES.items()
        },
    }


def badge_paths(fx: dict) -> dict[str, str]:
    ids = "&".join(f"ids={i}" for i in fx["page_one"])
    return {
        "badges unchanged": f"/products/badges/?{ids}&since={fx['max_position']}",
        "badges changed": f"/products/badges/?{ids}&since=0",
    }
