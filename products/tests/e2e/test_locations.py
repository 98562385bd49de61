"""A clerk moves stock between bins in a real browser: receive into A-01, transfer to B-02, count B-02."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from products.tests.factories import CreateProductFactory, UserFactory
from products.write import bus
from products.write.commands import CreateLocation

from .conftest import ensure_roles, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def warehouse(db):
    from products.write import roles

    ensure_roles()
    UserFactory(username="clerk", password="clerk-pw", role=roles.STOCK_CLERK)
    for code in ("A-01", "B-02"):
        bus.dispatch(CreateLocation(code=code, name=f"Bin {code}", parent="MAIN"))
    command = CreateProductFactory(sku="LOC-001", name="Binned widget", price="2.00")
    bus.dispatch(command)
    return command.product_id


def where(page) -> dict[str, str]:
    rows = page.locator(".stock-by-location tbody tr")
    return {row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text() for row in rows.all()}


@pytest.mark.parametrize("ui", [pytest.param((1280, False), id="1280")], indirect=True)
def test_a_clerk_receives_transfers_and_counts_by_location(new_page, warehouse, ui, screenshot):
    page = new_page(ui.viewport)
    log_in(page, "clerk", "clerk-pw")
    page.goto(f"/products/{warehouse}/")

    page.locator("#id_receive_quantity").fill("12")
    page.locator("#id_receive_location").fill("a-01")
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("status").filter(has_text="Received 12 × LOC-001 — on hand now 12.")).to_be_visible()
    expect(page.locator(".stock-by-location")).to_contain_text("A-01")
    assert where(page) == {"A-01": "12"}

    page.locator("#id_transfer_quantity").fill("5")
    page.locator("#id_transfer_from_location").fill("A-01")
    page.locator("#id_transfer_to_location").fill("B-02")
    page.get_by_role("button", name="Transfer").click()
    expect(page.get_by_role("status").filter(has_text="Moved 5 × LOC-001 from A-01 to B-02")).to_be_visible()
    assert where(page) == {"A-01": "7", "B-02": "5"}
    expect(page.locator(".on-hand-number")).to_have_text("12")

    page.locator("#id_transfer_quantity").fill("50")
    page.locator("#id_transfer_from_location").fill("B-02")
    page.locator("#id_transfer_to_location").fill("A-01")
    page.get_by_role("button", name="Transfer").click()
    expect(page.locator("#id_transfer_quantity_error")).to_have_text(
        "Cannot move 50 of LOC-001 from B-02: only 5 there."
    )
    expect(page.locator("#id_transfer_quantity")).to_have_value("50")

    page.locator("#id_count_quantity").fill("4")
    page.locator("#id_count_location").fill("B-02")
    page.get_by_role("button", name="Record count").click()
    expect(page.get_by_role("status").filter(has_text="Counted LOC-001: on hand now 11")).to_be_visible()
    expect(page.locator(".stock-by-location")).to_contain_text("4")
    assert where(page) == {"A-01": "7", "B-02": "4"}
    history = page.locator("#history")
    expect(history).to_contain_text("A-01 → B-02 (5 moved)")
    screenshot(page, "locations-product-page")

    page.get_by_role("link", name="Movements").click()
    page.get_by_label("Location").fill("B-02")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Counted")
    expect(rows.nth(1)).to_contain_text("A-01 → B-02")
    screenshot(page, "locations-ledger")

    page.get_by_role("link", name="Locations").click()
    table = page.locator("table.locations")
    expect(table).to_contain_text("Bin B-02")
    screenshot(page, "locations-page")
