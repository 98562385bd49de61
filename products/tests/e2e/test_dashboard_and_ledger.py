"""The dashboard and the ledger as a manager reads them: live figures, money with its currency, exact times."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from products.read.queries import ListStockMovements
from products.tests.factories import UserFactory
from products.write import bus, roles
from products.write.commands import ReceiveStock

from .conftest import between_requests, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager_user(db):
    return UserFactory(username="manager", password="manager-pw", role=roles.INVENTORY_MANAGER)


def exact(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_the_dashboard_updates_itself_when_stock_moves(ui, new_page, manager_user, make_product):
    product = make_product(sku="ACC-001", name="Blue widget", price="2.50", reorder_level=5, on_hand=3)
    page = new_page(ui.viewport)
    log_in(page, "manager")
    low = page.locator(".stat-card.stat-low .stat-value")
    expect(low).to_have_text("1")
    with between_requests():
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1_000))  # someone else, elsewhere
    expect(low).to_have_text("0")
    expect(page.locator(".stat-card.stat-in_stock .stat-value")).to_have_text("1")
    expect(page.locator("#moves-heading + * tbody tr").first).to_contain_text("+1,000")


def test_stock_value_has_its_currency_and_a_big_one_fits_its_tile(ui, new_page, manager_user, make_product, settings):
    settings.CURRENCY = "EUR"
    make_product(sku="ACC-001", name="Blue widget", price="99.99", on_hand=1_000)
    page = new_page(ui.viewport)
    log_in(page, "manager")
    tile = page.locator(".stat-card", has_text="Stock value")
    expect(tile.locator(".stat-value .currency")).to_have_text("EUR")
    expect(tile.locator(".stat-value .amount")).to_have_text("99,990.00")  # the widest shown in full
    overflow = tile.evaluate("tile => tile.scrollWidth - tile.clientWidth")
    assert overflow <= 0, f"the stock value sticks out of its tile by {overflow} px"
    make_product(sku="ACC-002", name="Gold widget", price="9999999.99", on_hand=999)
    page.reload()
    # Ten figures do not fit a sixth of the page: the tile rounds and says the exact amount on hover.
    expect(tile.locator(".stat-value .amount")).to_have_text("9.99\u00a0bn")
    expect(tile.locator(".stat-value .amount")).to_have_attribute("title", "EUR\u00a09,990,099,980.01")
    overflow = tile.evaluate("tile => tile.scrollWidth - tile.clientWidth")
    assert overflow <= 0, f"the stock value sticks out of its tile by {overflow} px"


def test_ledger_and_dashboard_show_the_exact_time_beside_the_relative_one(ui, new_page, manager_user, make_product):
    make_product(sku="ACC-001", name="Blue widget", on_hand=3)
    moved = ListStockMovements(page_size=1).execute().rows[0].occurred_at
    page = new_page(ui.viewport)
    log_in(page, "manager")
    for url, cell in (("/", "#moves-heading + * tbody tr td"), ("/movements/", "table tbody tr td")):
        page.goto(url)
        time_cell = page.locator(cell).first
        expect(time_cell).to_contain_text(re.compile(r"ago|now"))
        expect(time_cell).to_contain_text(exact(moved))
        expect(time_cell.locator("time")).to_have_attribute("title", re.compile(re.escape(exact(moved))))
