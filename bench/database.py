"""The bench database: created, migrated and seeded once per scale, then reused.

A small `bench_seed` table records how the catalogue was made and how long the seed
took, so a later run can report the seed time without seeding again.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import psycopg2
from django.core.management import call_command
from django.db import connection

SEED_TABLE = "bench_seed"


@dataclass(frozen=True)
class SeedInfo:
    products: int
    events: int
    movements: int
    seconds: float
    reused: bool

    def as_dict(self) -> dict:
        return asdict(self)


def ensure_database(url_parts: dict) -> bool:
    """Create the database if missing; True if it was created."""
    admin = psycopg2.connect(
        host=url_parts["HOST"], port=url_parts["PORT"] or 5432, user=url_parts["USER"], dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url_parts["NAME"]])
        if cursor.fetchone():
            admin.close()
            return False
        cursor.execute(f'CREATE DATABASE "{url_parts["NAME"]}"')
    admin.close()
    return True


def drop_database(url_parts: dict) -> None:
    admin = psycopg2.connect(
        host=url_parts["HOST"], port=url_parts["PORT"] or 5432, user=url_parts["USER"], dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{url_parts["NAME"]}" WITH (FORCE)')
    admin.close()


def recorded_seed(products: int, movements_per_product: float) -> SeedInfo | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SEED_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(
            f"SELECT products, events, movements, seconds FROM {SEED_TABLE} "  # noqa: S608
            "WHERE products = %s AND movements_per_product = %s",
            [products, movements_per_product],
        )
        row = cursor.fetchone()
    return SeedInfo(*row, reused=True) if row else None


# Stock spread over MAIN and this many bins inside it, a few places per product (issue 13).
BINS = 50


def seed(products: int, movements_per_product: float, log=print) -> SeedInfo:
    """Migrate, then seed through products.seeding's bulk path (the fast path for empty tables)."""
    from products.read.tables import StockMovementEntry
    from products.seeding import create_demo_users, seed_catalogue
    from products.write.aggregates import Product

    call_command("migrate", verbosity=0)
    create_demo_users()
    if Product.objects.exists():
        raise RuntimeError("the bench database holds a different catalogue; rerun with --reseed")
    started = time.perf_counter()
    last = [started]

    def progress(done, events):
        now = time.perf_counter()
        if now - last[0] > 10 or done == products:
            last[0] = now
            log(
                f"  seeded {done:,}/{products:,} products, {events:,} events ({done / (now - started):,.0f} products/s)"
            )

    made, events = seed_catalogue(products, movements_per_product, seed=42, progress=progress, bins=BINS)
    seconds = time.perf_counter() - started
    movements = StockMovementEntry.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {SEED_TABLE} (products bigint, movements_per_product float, "
            "events bigint, movements bigint, seconds float, seeded_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            f"INSERT INTO {SEED_TABLE} (products, movements_per_product, events, movements, seconds) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [made, movements_per_product, events, movements, seconds],
        )
    return SeedInfo(made, events, movements, seconds, reused=False)


def load_baseline() -> int:
    """Fill the naive table from the same catalogue (same rows, one table, no extra indexes)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE baseline_naiveproduct RESTART IDENTITY")
        cursor.execute(
            "INSERT INTO baseline_naiveproduct (sku, name, description, price, reorder_level, on_hand) "
            "SELECT sku, name, description, price, reorder_level, on_hand FROM products_product ORDER BY created_at"
        )
        count = cursor.rowcount
        cursor.execute("ANALYZE baseline_naiveproduct")
    return count
