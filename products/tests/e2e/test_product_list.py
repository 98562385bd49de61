"""The product list as a clerk uses it (issue 17): filters that stay together, live rows, paging, long names, scans."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from products.tests.factories import UserFactory

from .conftest import ensure_roles, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clerk_user(db):
    from products.write import roles

    ensure_roles()
    UserFactory(username="clerk", password="clerk-pw", role=roles.STOCK_CLERK)


def _skus(page) -> list[str]:
    return page.locator("#results table tbody td.sku").all_inner_texts()


def test_search_chip_sort_and_export_carry_the_same_filters(ui, new_page, clerk_user, make_product):
    make_product(sku="BAT-AA", name="Battery pack AA", reorder_level=5, on_hand=3)
    make_product(sku="BAT-AAA", name="Battery pack AAA", reorder_level=5, on_hand=50)
    make_product(sku="BAT-CH", name="Battery charger", reorder_level=5, on_hand=1)
    make_product(sku="CAB-1", name="Cable", reorder_level=5, on_hand=2)
    page = new_page(ui.viewport)
    log_in(page, "clerk", "clerk-pw")
    page.goto("/products/")
    search = page.get_by_role("searchbox")

    search.fill("battery")
    expect(page.locator("#results td.sku")).to_have_count(3)
    page.get_by_role("link", name=re.compile("^Low")).click()
    expect(page.locator("#results td.sku")).to_have_count(2)
    search.fill("battery pack")  # typing more keeps the chip
    expect(page.locator("#results td.sku")).to_have_text(["BAT-AA"])
    expect(page).to_have_url(re.compile(r"status=low"))

    search.fill("battery")
    expect(page.locator("#results td.sku")).to_have_count(2)
    page.get_by_role("link", name="On hand").click()
    expect(page.locator("#results td.sku")).to_have_text(["BAT-CH", "BAT-AA"])
    search.fill("batter")  # typing again keeps the sort and the chip
    expect(page).to_have_url(re.compile(r"sort=on_hand"))
    expect(page).to_have_url(re.compile(r"status=low"))
    expect(page.locator("#results td.sku")).to_have_text(["BAT-CH", "BAT-AA"])

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [row["sku"] for row in rows] == _skus(page) == ["BAT-CH", "BAT-AA"]
