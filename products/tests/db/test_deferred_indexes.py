"""deferred_indexes: a load into empty tables without their indexes, which come back at the end of the block."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from products.db.bulk import deferred_indexes
from products.write.aggregates import Location, LocationStock

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pg_only]


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def test_a_table_with_foreign_keys_gets_its_indexes_back_after_a_load(make_product, make_location):
    """The 1M seed with bins stopped here: rows with foreign keys leave pending trigger events,
    and PostgreSQL refuses CREATE INDEX on a table that has them."""
    table = LocationStock._meta.db_table
    LocationStock.objects.all().delete()
    before = _indexes(table)
    products = [make_product(sku=f"FK-{n}", name=f"Keyed {n}", on_hand=0) for n in range(3)]
    bin_ = Location.objects.get(code=make_location("FK-BIN"))
    with transaction.atomic():
        with deferred_indexes(LocationStock) as deferred:
            assert deferred == [table]
            assert _indexes(table) < before
            LocationStock.objects.bulk_create(
                LocationStock(product_id=p.product_id, location=bin_, on_hand=1) for p in products
            )
    assert _indexes(table) == before
    assert LocationStock.objects.filter(location=bin_).count() == 3
