"""A clerk's and a manager's day in a real browser: htmx, polling, errors, search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from products.read.queries import ListProducts
from products.seeding import seed_catalogue
from products.tests.factories import UserFactory

from .conftest import ensure_roles, log_in, log_in_with_the_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(db):
    from products.write import roles

    ensure_roles()
    UserFactory(username="manager", password="manager-pw", role=roles.INVENTORY_MANAGER)
    UserFactory(username="clerk", password="clerk-pw", role=roles.STOCK_CLERK)


def test_manager_creates_a_product_then_receives_and_issues_stock(new_page, staff, screenshot):
    page = new_page()
    log_in_with_the_form(page, "manager", "manager-pw")  # the one login through the form; others set a cookie
    expect(page.get_by_text("manager · Inventory manager")).to_be_visible()
    screenshot(page, "dashboard-empty")

    page.get_by_role("link", name="New product").first.click()
    page.get_by_label("SKU").fill("E2E-001")
    page.get_by_label("Name").fill("Browser-tested widget")
    page.get_by_label("Price").fill("3.50")
    page.get_by_label("Reorder level").fill("5")
    page.get_by_role("button", name="Create product").click()
    expect(page.get_by_role("status").filter(has_text="Created E2E-001")).to_be_visible()
    badge = page.locator(".stock-badge").first
    expect(badge).to_have_text("Out · 0")
    url_before = page.url

    # Receive over htmx: no reload, the message, badge, big number and history all update.
    expect(page.locator("#id_receive_quantity")).to_be_focused()
    page.locator("#id_receive_quantity").fill("12")
    page.locator("#id_receive_note").fill("PO-7")
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("status").filter(has_text="Received 12 × E2E-001 — on hand now 12.")).to_be_visible()
    expect(badge).to_have_text("In stock · 12")
    expect(page.locator(".on-hand-number")).to_have_text("12")
    expect(page.locator("#history")).to_contain_text("PO-7")
    assert page.url == url_before

    page.locator("#id_issue_quantity").fill("8")
    page.get_by_role("button", name="Issue").click()
    expect(page.get_by_role("status").filter(has_text="Issued 8 × E2E-001 — on hand now 4.")).to_be_visible()
    expect(badge).to_have_text("Low · 4")
    expect(badge).to_have_class(re.compile("text-bg-warning"))

    # More than on hand: the error sits by the field, the typed value stays, nothing changes.
    page.locator("#id_issue_quantity").fill("50")
    page.locator("#id_issue_note").fill("too many")
    page.get_by_role("button", name="Issue").click()
    error = page.locator("#id_issue_quantity_error")
    expect(error).to_have_text("Cannot issue 50 of E2E-001: only 4 on hand.")
    expect(page.locator("#id_issue_quantity")).to_have_value("50")
    expect(page.locator("#id_issue_note")).to_have_value("too many")
    expect(page.locator("#id_issue_quantity")).to_be_focused()
    expect(badge).to_have_text("Low · 4")

    # Can I ship?
    page.get_by_label("Can I ship…").fill("5")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#availability")).to_contain_text("short by 1")
    screenshot(page, "product-detail")


def test_another_users_change_appears_by_polling(new_page, staff, make_product):
    product = make_product(sku="POLL-1", name="Polled thing", reorder_level=2, on_hand=10)
    watcher = new_page()
    log_in(watcher, "manager", "manager-pw")
    watcher.goto("/products/")
    row_badge = watcher.locator(f"#stock-badge-{product.product_id}")
    expect(row_badge).to_have_text("In stock · 10")

    clerk = new_page()
    log_in(clerk, "clerk", "clerk-pw")
    clerk.goto(f"/products/{product.product_id}/")
    expect(clerk.get_by_role("link", name="Edit")).to_have_count(0)  # clerks do not edit
    clerk.locator("#id_issue_quantity").fill("9")
    clerk.get_by_role("button", name="Issue").click()
    expect(clerk.locator(".stock-badge").first).to_have_text("Low · 1")

    expect(row_badge).to_have_text("Low · 1", timeout=4000)
    expect(watcher.locator(f"#stock-badge-{product.product_id}")).to_have_count(1)


def test_search_as_you_type_filters_and_keyboard(new_page, staff, screenshot):
    seed_catalogue(60, movements_per_product=2, seed=3)
    sku = ListProducts(sort="sku", page_size=1).execute().rows[0]
    page = new_page()
    log_in(page, "manager", "manager-pw")
    page.goto("/products/")
    search = page.get_by_label(re.compile("Search by SKU or name"))
    expect(search).to_be_focused()
    expect(page.locator("table tbody tr")).to_have_count(50)
    screenshot(page, "products-list", full_page=False)

    search.fill(sku.sku.lower())
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"q={sku.sku.lower()}"))
    expect(page.locator("table tbody")).to_contain_text(sku.name)

    page.get_by_role("link", name=re.compile("^Low")).click()
    expect(page).to_have_url(re.compile("status=low"))
    page.go_back()
    expect(page).to_have_url(re.compile(rf"q={sku.sku.lower()}&status=all"))

    page.goto("/products/?status=out")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text("Out ·")
    assert all("Out ·" in text for text in rows.all_inner_texts())

    page.goto("/movements/")
    screenshot(page, "movements", full_page=False)
    page.locator("body").press("/")
    expect(page).to_have_url(re.compile("/products/$"))
    page.get_by_role("link", name="SKU").click()
    expect(page).to_have_url(re.compile("sort=sku$"))
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("SKU")
    page.get_by_role("link", name="SKU").click()
    expect(page).to_have_url(re.compile("sort=-sku$"))
    expect(page.locator("th[aria-sort=descending]")).to_have_text("SKU")
    page.get_by_role("link", name="Dashboard").click()
    screenshot(page, "dashboard")


def test_tablet_and_narrow_layouts(new_page, staff, screenshot):
    page = new_page(viewport={"width": 1024, "height": 768})
    log_in(page, "clerk", "clerk-pw")
    expect(page.get_by_role("link", name="Movements")).to_be_visible()
    page.goto("/products/")
    screenshot(page, "products-tablet", full_page=False)
    narrow = new_page(viewport={"width": 600, "height": 900})
    log_in(narrow, "clerk", "clerk-pw")
    narrow.get_by_role("button", name="Show navigation").click()
    expect(narrow.get_by_role("link", name="Movements")).to_be_visible()
