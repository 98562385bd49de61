"""The issue's walk-through in a real browser: reserve 3 for SO-1001, another clerk is refused, fulfil 2, release 1."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from products.read.queries import GetProductStock
from products.tests.factories import UserFactory

from .conftest import ensure_roles, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clerks(db):
    from products.write import roles

    ensure_roles()
    UserFactory(username="ann", password="ann-pw", role=roles.STOCK_CLERK)
    UserFactory(username="bob", password="bob-pw", role=roles.STOCK_CLERK)


def test_a_clerk_reserves_another_is_refused_then_fulfil_two_and_release_one(
    ui, new_page, clerks, make_product, screenshot
):
    product = make_product(sku="RES-1", name="Reserved widget", price="4.00", reorder_level=2, on_hand=20)
    detail = f"/products/{product.product_id}/"

    ann = new_page(ui.viewport)
    log_in(ann, "ann", "ann-pw")
    ann.goto(detail)
    panel = ann.locator("#reservations")
    panel.get_by_label("Quantity").fill("3")
    panel.get_by_label("For (order or name)").fill("SO-1001")
    panel.get_by_role("button", name="Reserve").click()
    expect(ann.get_by_role("status").filter(has_text="Reserved 3 × RES-1 for SO-1001")).to_be_visible()
    row = ann.locator(".reservation-row").filter(has_text="SO-1001")
    expect(row).to_contain_text("ann")
    expect(row.locator(".reservation-rest")).to_contain_text("3")
    expect(ann.locator(".stock-badge").first).to_have_text("In stock · 17 free of 20")

    # One page at a time: on SQLite the live server serves one connection at a time.
    ann.goto("about:blank")
    bob = new_page(ui.viewport)
    log_in(bob, "bob", "bob-pw")
    bob.goto(detail)
    bob.locator("#id_issue_quantity").fill("18")
    bob.get_by_role("button", name="Issue", exact=True).click()
    expect(bob.locator("#id_issue_quantity_error")).to_have_text(
        "Cannot issue 18 of RES-1: only 17 free (20 on hand, 3 promised to SO-1001 (3))."
    )
    expect(bob.locator("#id_issue_quantity")).to_have_value("18")
    bob.goto("about:blank")

    ann.goto(detail)
    row = ann.locator(".reservation-row").filter(has_text="SO-1001")

    row.get_by_label("Quantity to fulfil for SO-1001").fill("2")
    row.get_by_role("button", name="Fulfil").click()
    expect(ann.get_by_role("status").filter(has_text="Fulfilled 2 × RES-1 for SO-1001")).to_be_visible()
    expect(row.locator(".reservation-rest")).to_contain_text("1")
    screenshot(ann, f"reservations-product-{ui.width}{'-debug' if ui.debug else ''}")

    row.get_by_role("button", name="Release").click()
    expect(ann.get_by_role("status").filter(has_text="Released SO-1001")).to_be_visible()
    expect(ann.locator(".reservation-row")).to_have_count(0)
    expect(ann.locator(".stock-badge").first).to_have_text("In stock · 18")

    stock = GetProductStock(product_id=product.product_id).execute()
    assert (stock.on_hand, stock.reserved, stock.available) == (18, 0, 18)


def test_the_reservations_page_in_the_top_bar_filters_by_reference(new_page, clerks, make_product, screenshot):
    from products.write import bus
    from products.write.commands import ReserveStock

    product = make_product(sku="RES-2", name="Listed widget", on_hand=10)
    for reference in ("SO-2001", "Counter sale", "SO-2002"):
        bus.dispatch(ReserveStock(product_id=product.product_id, quantity=2, reference=reference))
    page = new_page()
    log_in(page, "ann", "ann-pw")
    page.get_by_role("link", name="Reservations").click()
    expect(page.locator(".reservation-reference")).to_have_text(["SO-2001", "Counter sale", "SO-2002"])
    page.get_by_label("Reference").fill("so-")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".reservation-reference")).to_have_text(["SO-2001", "SO-2002"])
    screenshot(page, "reservations-page")


def test_the_reservations_figures_follow_a_stock_command_sent_over_htmx(ui, new_page, clerks, make_product):
    product = make_product(sku="RES-3", name="Counted widget", price="1.00", on_hand=12)
    page = new_page(ui.viewport)
    log_in(page, "ann", "ann-pw", then=f"/products/{product.product_id}/")
    figures = page.locator("#reservations-heading")
    expect(figures).to_contain_text("12 free for new orders")

    page.locator("#id_count_quantity").fill("11")
    page.get_by_role("button", name="Record count").click()

    expect(page.locator(".stock-by-location")).to_contain_text("11")
    expect(figures).to_contain_text("0 reserved, 11 free for new orders")
