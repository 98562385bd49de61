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


def test_a_live_update_changes_the_whole_row_not_only_the_badge(ui, new_page, clerk_user, make_product):
    from products.write import bus
    from products.write.commands import IssueStock

    product = make_product(sku="LIVE-1", name="Live widget", reorder_level=6, on_hand=20)
    page = new_page(ui.viewport)
    log_in(page, "clerk", "clerk-pw")
    page.goto("/products/")
    row = page.locator("#results tbody tr").filter(has_text="LIVE-1")
    expect(row.locator("td").nth(3)).to_have_text("20")
    updated_before = row.locator("td time").get_attribute("datetime")

    bus.dispatch(IssueStock(product_id=product.product_id, quantity=14))  # someone else, elsewhere

    expect(row.locator(".stock-badge")).to_have_text("Low · 6")
    expect(row.locator("td").nth(3)).to_have_text("6")  # on hand beside the badge, never the old 20
    expect(row.locator("td time")).not_to_have_attribute("datetime", updated_before)


def _widths(page, selector: str = "") -> dict:
    return page.evaluate(
        """(selector) => ({
            page: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
            box: selector ? document.querySelector(selector).scrollWidth : 0,
            boxClient: selector ? document.querySelector(selector).clientWidth : 0,
        })""",
        selector,
    )


def test_a_long_unbroken_name_keeps_the_list_and_the_product_page_at_the_viewport_width(
    ui, new_page, clerk_user, make_product
):
    name = "N" * 200
    product = make_product(sku="LONG-1", name=name, reorder_level=1, on_hand=5)
    page = new_page(ui.viewport)
    log_in(page, "clerk", "clerk-pw")
    page.goto("/products/")
    cell = page.locator("#results tbody tr").filter(has_text="LONG-1").locator("td").nth(1)
    expect(cell.get_by_title(name)).to_have_text(name)  # the full name on hover
    widths = _widths(page, ".table-responsive")
    assert widths["page"] <= widths["viewport"], widths
    assert widths["box"] <= widths["boxClient"], widths  # the table itself does not scroll sideways

    page.goto(f"/products/{product.product_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    widths = _widths(page)
    assert widths["page"] <= widths["viewport"], widths


def test_next_at_the_bottom_opens_the_new_page_at_its_top_with_counts_that_follow_the_search(ui, new_page, clerk_user):
    from products.seeding import seed_catalogue

    seed_catalogue(60, movements_per_product=0, seed=5)
    page = new_page(ui.viewport)
    log_in(page, "clerk", "clerk-pw")
    page.goto("/products/")
    expect(page.locator("#result-count")).to_have_text("60 products")
    following = page.get_by_role("link", name="Next")
    following.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0
    following.click()
    expect(page.locator("#results tbody tr")).to_have_count(10)
    expect(page.locator("#result-count")).to_be_focused()
    assert page.evaluate("window.scrollY") == 0
    expect(page.get_by_role("link", name="Previous")).to_be_visible()

    term = page.locator("#results .list-name").first.inner_text().split()[0].lower()  # a word several names share
    page.get_by_role("searchbox").fill(term)
    expect(page).to_have_url(re.compile(rf"q={term}"))
    shown = page.locator("#results td.sku").count()
    assert 0 < shown < 60
    expect(page.locator("#result-count")).to_have_text(f"{shown} products" if shown > 1 else "1 product")
    all_chip = page.get_by_role("link", name=re.compile("^All"))
    expect(all_chip.locator(".chip-count")).to_have_text(str(shown))  # not the whole catalogue's 60


def test_a_long_search_is_run_or_refused_with_a_message_never_silently_dropped(ui, new_page, clerk_user, make_product):
    from products.read.filters.catalogue import SEARCH_MAX_LENGTH, SEARCH_TOO_LONG

    name = "Cable " + "x" * 120  # a search of 101+ characters, the whole name
    make_product(sku="LONGQ-1", name=name, reorder_level=1, on_hand=5)
    make_product(sku="OTHER-1", name="Other thing", reorder_level=1, on_hand=5)
    page = new_page(ui.viewport)
    log_in(page, "clerk", "clerk-pw")
    page.goto("/products/")
    search = page.get_by_role("searchbox")
    search.fill(name[:101])
    expect(page.locator("#results td.sku")).to_have_text(["LONGQ-1"])

    too_long = "y" * (SEARCH_MAX_LENGTH + 1)
    search.fill(too_long)
    expect(page.get_by_role("alert")).to_have_text(
        SEARCH_TOO_LONG.format(limit=SEARCH_MAX_LENGTH, length=len(too_long))
    )
    expect(page.locator("#results td.sku")).to_have_count(0)
    expect(search).to_have_value(too_long)  # what was typed stays


def test_a_scanned_sku_and_enter_opens_the_product_and_a_quantity_and_enter_receives(
    ui, new_page, clerk_user, make_product
):
    make_product(sku="SCAN-10", name="Scanned widget, ten", reorder_level=1, on_hand=4)
    make_product(sku="SCAN-1", name="Scanned widget", reorder_level=1, on_hand=2)
    page = new_page(ui.viewport)
    log_in(page, "clerk", "clerk-pw")
    page.goto("/products/")
    search = page.get_by_role("searchbox")
    expect(search).to_be_focused()
    page.keyboard.type("scan-1")  # a keyboard-wedge scanner types the code, then Enter
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Scanned widget")

    expect(page.locator("#id_receive_quantity")).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Received 3 × SCAN-1 — on hand now 5.")).to_be_visible()

    page.goto("/products/")
    page.get_by_role("searchbox").press_sequentially("scan")
    page.keyboard.press("Enter")  # not one SKU: the list, searched
    expect(page.locator("#results td.sku")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/products/\?"))
