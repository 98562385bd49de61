"""The ledger's FilterSet: a product is found by a whole SKU, part of a SKU or of a name, or its id."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.http import QueryDict

from products.read.filters import ledger
from products.read.filters.ledger import NO_MATCH, UNTIL_BEFORE_SINCE, LedgerFilter
from products.read.queries import ListStockMovements, filtered_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(make_product):
    return {
        "bat1": make_product(sku="BAT-001", name="Battery pack", on_hand=4),
        "bat2": make_product(sku="BAT-0011", name="Battery charger", on_hand=2),
        "plug": make_product(sku="PLG-100", name="Smart plug", on_hand=9),
    }


def skus(text: str) -> list[str]:
    filters = LedgerFilter(QueryDict(f"product={text}"))
    assert filters.is_valid(), filters.errors
    return sorted({row.sku for row in ListStockMovements(**filters.query_kwargs()).execute().rows})


def test_part_of_a_sku_or_a_name_finds_every_product_it_matches(shelf):
    assert skus("bat-00") == ["BAT-001", "BAT-0011"]
    assert skus("battery") == ["BAT-001", "BAT-0011"]
    assert skus("smart") == ["PLG-100"]
    assert skus("charger") == ["BAT-0011"]


def test_a_whole_sku_means_that_product_only_and_so_does_an_id(shelf):
    assert skus("bat-001") == ["BAT-001"]  # not BAT-0011 too
    assert skus(str(shelf["plug"].product_id)) == ["PLG-100"]


def test_the_filterset_queryset_is_the_same_rows(shelf):
    filters = LedgerFilter(QueryDict("product=battery&kind=received"))
    assert sorted(filters.qs.values_list("sku", flat=True)) == ["BAT-001", "BAT-0011"]


def test_no_match_and_dates_out_of_order_are_form_errors_in_words(shelf):
    filters = LedgerFilter(QueryDict("product=nothing-like-it"))
    assert not filters.is_valid()
    assert filters.errors["product"] == [NO_MATCH.format(text="nothing-like-it")]
    filters = LedgerFilter(QueryDict("since=2030-01-02&until=2030-01-01"))
    assert not filters.is_valid() and filters.errors["until"] == [UNTIL_BEFORE_SINCE]


def test_a_text_matching_too_many_products_uses_the_first_and_says_so(shelf, monkeypatch):
    monkeypatch.setattr(ledger, "MAX_MATCHES", 2)
    filters = LedgerFilter(QueryDict("product=a"))
    assert filters.is_valid()
    assert filters.match.more and [p.sku for p in filters.match.products] == ["BAT-001", "BAT-0011"]


@pytest.mark.pg_only
def test_several_products_still_page_through_the_product_index(shelf):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
    ids = [shelf["bat1"].product_id, shelf["bat2"].product_id]
    plan = filtered_ledger(product_ids=ids).filter(position__lt=10**9).order_by("-position")[:51].explain()
    assert re.search(r"(Index Scan using|Bitmap Index Scan on) movement_product_", plan), plan  # a product index
    assert "Seq Scan" not in plan
