"""History in a real browser: a manager reverses a wrong receipt, looks back at yesterday noon, reads the chart."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from products.tests.factories import CreateProductFactory, UserFactory
from products.write import bus
from products.write.commands import CreateLocation, IssueStock, ReceiveStock, TransferStock

from .conftest import click_nav, ensure_roles, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def yesterday(clock):
    """HIS-E2E: 30 in at 09:00 yesterday, 10 to A-01 at 10:00, 10 out at 11:00, a wrong receipt of 12 at 14:00,
    2 out at 16:00."""
    from products.write import roles

    ensure_roles()
    UserFactory(username="manager", password="manager-pw", role=roles.INVENTORY_MANAGER)
    day = timezone.localtime() - timedelta(days=1)
    at = lambda hour: day.replace(hour=hour, minute=0, second=0, microsecond=0)  # noqa: E731
    clock.at = at(8)
    command = CreateProductFactory(sku="HIS-E2E", name="Looked-back widget", reorder_level=5)
    bus.dispatch(command)
    bus.dispatch(CreateLocation(code="A-01", name="Bin A-01"))
    product_id = command.product_id
    steps = {
        9: ReceiveStock(product_id=product_id, quantity=30, note="PO-1"),
        10: TransferStock(product_id=product_id, quantity=10, from_location="MAIN", to_location="A-01"),
        11: IssueStock(product_id=product_id, quantity=10),
        14: ReceiveStock(product_id=product_id, quantity=12, note="PO-1 again"),
        16: IssueStock(product_id=product_id, quantity=2),
    }
    positions = {}
    for hour, step in steps.items():
        clock.at = at(hour)
        positions[hour] = bus.dispatch(step).position
    clock.at = timezone.now()
    return command.product_id, positions[14], at(12)


def test_a_manager_reverses_a_wrong_receipt_looks_back_and_reads_the_chart(ui, new_page, yesterday, screenshot):
    product_id, wrong, noon = yesterday
    page = new_page(ui.viewport)
    log_in(page, "manager", "manager-pw")
    page.goto(f"/products/{product_id}/")
    expect(page.locator(".on-hand-number")).to_have_text("30")

    page.get_by_role("link", name=f"Reverse… #{wrong}").click()
    expect(page.get_by_role("heading", name=f"Reverse #{wrong}: received +12")).to_be_visible()
    page.get_by_role("button", name="Reverse it").click()
    expect(page.locator("#id_reason")).to_have_attribute("aria-invalid", "true")
    screenshot(page, f"history-reverse-{ui.width}{'-debug' if ui.debug else ''}")
    page.get_by_label("Reason").fill("Delivery note entered twice")
    page.get_by_role("button", name="Reverse it").click()
    expect(page.get_by_role("status").filter(has_text=f"Reversed #{wrong} (received +12 × HIS-E2E)")).to_be_visible()
    expect(page.locator(".on-hand-number")).to_have_text("18")
    expect(page.locator("#history")).to_contain_text("reversed by #")
    expect(page.locator("#history")).to_contain_text(f"of #{wrong}")

    page.get_by_label("On hand on").fill(timezone.localtime(noon).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator(".as-of-answer")).to_contain_text("20 on hand on")
    where = page.get_by_role("table", name="Where it was on")
    expect(where.get_by_role("row").filter(has_text="MAIN")).to_contain_text("10")
    expect(where.get_by_role("row").filter(has_text="A-01")).to_contain_text("10")

    chart = page.get_by_role("img", name="On hand of HIS-E2E over time, last 90 days")
    expect(chart).to_be_visible()
    expect(page.locator("#stock-chart .chart-receipt")).to_have_count(2)
    screenshot(page, f"history-product-{ui.width}{'-debug' if ui.debug else ''}")
    page.get_by_role("link", name="All time").click()
    expect(page.get_by_role("img", name="On hand of HIS-E2E over time, all time")).to_be_visible()
    expect(page.get_by_role("link", name="All time")).to_have_attribute("aria-current", "true")

    click_nav(page, "Movements")
    page.get_by_role("link", name="Inventory as of…").click()
    page.get_by_label("Stock as it stood on").fill(timezone.localtime(noon).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Show", exact=True).click()
    row = page.get_by_role("row").filter(has_text="HIS-E2E")
    expect(row).to_contain_text("20")
    expect(row).to_contain_text("200.00")
    screenshot(page, f"history-inventory-{ui.width}{'-debug' if ui.debug else ''}")

    page.get_by_label("Rows").select_option("location")
    page.get_by_label("At location").fill("a-01")
    page.get_by_role("button", name="Show", exact=True).click()
    rows = page.get_by_role("row").filter(has_text="HIS-E2E")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("A-01")
    expect(rows).to_contain_text("100.00")
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute("href", re.compile(r"location=a-01"))
