"""Every app page passes axe-core with no serious or critical violation (contrast, names, landmarks...)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from products.imports import jobs
from products.tests.factories import UserFactory

from .conftest import axe_violations, describe_violations, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(make_product):
    """An admin, a product that is low, one that is out, and an import uploaded twice (so the second one shows
    the yellow "uploaded before" notice with its link), waiting for a choice, with problems."""
    admin = UserFactory(username="admin", password="admin-pw", is_superuser=True, is_staff=True)
    low = make_product(sku="ACC-001", name="Blue widget", price="2.50", reorder_level=5, on_hand=3)
    make_product(sku="BAT-002", name="Battery pack", price="19.90", reorder_level=2)
    content = b"sku,name,price\nN-1,Nut,1\nN-2,,abc\n"
    jobs.check_upload(kind="products", filename="nuts.csv", content=content, user=admin)
    job = jobs.check_upload(kind="products", filename="nuts.csv", content=content, user=admin)
    return {"product": low, "job": job}


def pages(shop) -> list[str]:
    product_id = shop["product"].product_id
    return [
        "/",
        "/products/",
        "/products/?status=low",
        f"/products/{product_id}/",
        "/products/new/",
        f"/products/{product_id}/edit/",
        f"/products/{product_id}/archive/",
        "/movements/",
        "/imports/",
        f"/imports/{shop['job'].pk}/",
        "/maintenance/",
        "/api/docs/",
    ]


def test_every_app_page_has_no_serious_accessibility_violation(ui_sweep, new_page, shop):
    page = new_page(ui_sweep.viewport)
    page.goto("/accounts/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    found = {"/accounts/login/": axe_violations(page)}
    log_in(page, "admin", then="")
    for url in pages(shop):
        page.goto(url)
        expect(page.locator("h1, h2").first).to_be_visible()
        found[url] = axe_violations(page)
    failing = {url: violations for url, violations in found.items() if violations}
    assert failing == {}, "\n".join(f"{url}:\n{describe_violations(v)}" for url, v in failing.items())
