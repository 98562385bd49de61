"""The list's chip counts: exact running totals without a search, capped counts for one (never a full count)."""

import pytest

from products.read.queries import GetChipCounts
from products.write import bus
from products.write.commands import ReceiveStock

pytestmark = pytest.mark.django_db


def test_without_a_search_the_counts_are_the_running_totals(shelf):
    counts = GetChipCounts().execute()
    assert counts.counts == {"all": 3, "in_stock": 1, "low": 1, "out": 1, "archived": 1}
    assert counts.capped == frozenset()
    assert counts.last_position == max(product.last_position for product in shelf.values()) + 1  # the archive


def test_a_search_counts_each_chip_for_the_matching_rows_only(shelf):
    counts = GetChipCounts(search="blue").execute()
    assert counts.counts == {"all": 1, "in_stock": 1, "low": 0, "out": 0, "archived": 1}
    assert [counts.label(key) for key in ("all", "archived", "low")] == ["1", "1", "0"]
    assert counts.last_position == GetChipCounts().execute().last_position


def test_counting_stops_at_the_cap_and_every_chip_says_at_least(make_product):
    for n in range(4):
        make_product(sku=f"CAP-{n}", name="Capped bolt", reorder_level=1, on_hand=5)
    make_product(sku="CAP-9", name="Capped bolt", reorder_level=5, on_hand=2)
    counts = GetChipCounts(search="capped", cap=3).execute()
    assert counts.capped == {"all", "in_stock", "low", "out", "archived"}
    assert counts.label("all") == "3+"  # 4 rows read (the cap and one more), shown as the cap
    assert counts.counts["in_stock"] + counts.counts["low"] >= 3
    assert counts.label("out") == "0+"  # a lower bound too: only the first rows were read


def test_up_to_the_cap_the_counts_are_exact(make_product):
    for n in range(3):
        make_product(sku=f"CAP-{n}", name="Capped bolt", reorder_level=1, on_hand=5)
    counts = GetChipCounts(search="capped", cap=3).execute()
    assert counts.capped == frozenset()
    assert counts.counts == {"all": 3, "in_stock": 3, "low": 0, "out": 0, "archived": 0}


def test_the_position_moves_with_any_change_so_the_pages_etag_does(product):
    before = GetChipCounts(search="blue").execute().last_position
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
    assert GetChipCounts(search="blue").execute().last_position == before + 1
