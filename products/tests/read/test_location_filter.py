"""`?location=`: a code typed in any case is looked up once in the locations table, then matched exactly (indexed)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from products.read.filters.catalogue import ProductFilter
from products.read.filters.ledger import LedgerFilter, filtered_ledger
from products.read.queries import ListProducts, ListStockMovements
from products.write import bus
from products.write.commands import ReceiveStock, TransferStock

pytestmark = pytest.mark.django_db


@pytest.fixture
def binned(make_product, make_location):
    """ACC-001: 15 at MAIN, 5 moved to A-01; ELSE-1: 3 at MAIN only."""
    make_location("A-01")
    product = make_product(sku="ACC-001", on_hand=20)
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=5, from_location="MAIN", to_location="A-01"))
    make_product(sku="ELSE-1", on_hand=3)
    return product


def skus(rows) -> list[str]:
    return sorted(row.sku for row in rows)


@pytest.mark.parametrize("typed", ["A-01", "a-01", " a-01 "])
def test_a_code_in_any_case_finds_the_stock_there(binned, typed):
    assert skus(ListProducts(location=typed.strip()).execute().rows) == ["ACC-001"]
    movements = ListStockMovements(location=typed.strip()).execute().rows
    assert [(row.kind, row.location, row.to_location) for row in movements] == [("transferred", "MAIN", "A-01")]


def test_main_needs_no_row_of_its_own(binned):
    assert skus(ListProducts(location="main").execute().rows) == ["ACC-001", "ELSE-1"]
    assert len(ListStockMovements(location="Main").execute().rows) == 3  # two receipts, the transfer from it


def test_an_unknown_code_matches_nothing(binned):
    assert ListProducts(location="ZZ-9").execute().rows == []
    assert ListStockMovements(location="zz-9").execute().rows == []


def test_the_ledger_form_says_an_unknown_code_is_unknown(binned):
    filters = LedgerFilter({"location": "zz-9"})
    assert not filters.is_valid()
    assert filters.errors["location"] == ["There is no location “zz-9”."]
    assert LedgerFilter({"location": "a-01"}).is_valid()


def test_the_filters_compare_the_stored_code_exactly(binned):
    """The stored spelling is looked up once; the stock and ledger tables are then matched on it as it is."""
    with CaptureQueriesContext(connection) as captured:
        assert skus(ProductFilter.rows(location="a-01")) == ["ACC-001"]
    (listed,) = [q["sql"] for q in captured]  # the lookup rides inside the list's query (its count stays)
    assert "products_locationsummary" in listed
    assert '"location" = (SELECT' in listed, listed
    with CaptureQueriesContext(connection) as captured:
        list(filtered_ledger(location="a-01"))
    lookup, ledger = [q["sql"] for q in captured]
    assert "products_locationsummary" in lookup
    assert "\"location\" = 'A-01'" in ledger and "'a-01'" not in ledger, ledger


@pytest.mark.pg_only
def test_postgresql_reads_the_location_indexes(binned):
    """With sequential scans priced out, only an indexable condition can avoid one: the plan names the indexes."""
    bus.dispatch(ReceiveStock(product_id=binned.product_id, quantity=1, location="A-01"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = []
        for queryset in (
            ProductFilter.rows(location="a-01").order_by("name", "product_id")[:50],
            filtered_ledger(location="a-01").order_by("-position")[:50],
        ):
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    exact = "Index Cond: (({column})::text = 'A-01'::text)"
    # The list's code comes from its lookup subquery, run once before the index seek.
    assert "stock_by_location_loc" in plans[0] and "Index Cond: ((location)::text = " in plans[0], plans[0]
    assert "movement_location_pos" in plans[1] and "movement_to_location_pos" in plans[1], plans[1]
    assert exact.format(column="location") in plans[1] and exact.format(column="to_location") in plans[1], plans[1]
