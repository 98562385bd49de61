"""The shell around every page: the top bar at desktop, tablet and phone widths, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from products.tests.factories import UserFactory
from products.write import roles

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAV_BAR_MAX_HEIGHT = 72  # one line: the brand, the links, the user and Log out (Bootstrap's bar is ~56 px)


@pytest.fixture
def people(db):
    UserFactory(username="admin", password="admin-pw", is_superuser=True, is_staff=True)
    UserFactory(username="manager", password="manager-pw", role=roles.INVENTORY_MANAGER)


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("username", ["admin", "manager"])
def test_the_top_bar_stays_one_line_and_no_page_is_wider_than_the_screen(ui, new_page, people, make_product, username):
    product = make_product(sku="ACC-001", name="Blue widget", on_hand=3, reorder_level=5)
    page = new_page(ui.viewport)
    log_in(page, username, then="")
    for url in ("/", "/products/", f"/products/{product.product_id}/", "/movements/", "/imports/"):
        page.goto(url)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav).to_be_visible()
        assert page_width(page) <= ui.width, f"{url} is {page_width(page)} px wide at {ui.width}"
        assert nav.bounding_box()["height"] <= NAV_BAR_MAX_HEIGHT, f"{url}: the top bar wraps"
        log_out = page.get_by_role("button", name="Log out")
        if log_out.is_visible():  # a collapsed menu holds it; then the toggle must be on screen
            box = log_out.bounding_box()
            assert box["x"] + box["width"] <= ui.width, f"{url}: Log out is cut off"
        else:
            box = page.get_by_role("button", name="Show navigation").bounding_box()
            assert box["x"] + box["width"] <= ui.width


def test_on_a_phone_without_javascript_the_menu_still_reaches_every_page(new_page, people):
    """The menu button needs Bootstrap's script: without JavaScript the links and Log out are shown instead."""
    page = new_page({"width": 375, "height": 812}, java_script_enabled=False)
    log_in(page, "manager")
    assert page_width(page) <= 375
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("button", name="Show navigation")).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    menu.get_by_role("link", name="Movements").click()
    expect(page).to_have_url(re.compile("/movements/$"))


def test_on_a_phone_with_javascript_the_menu_button_opens_and_closes_the_menu(new_page, people):
    page = new_page({"width": 375, "height": 812})
    log_in(page, "manager")
    menu = page.get_by_role("navigation", name="Main")
    link = menu.get_by_role("link", name="Movements")
    expect(link).to_be_hidden()
    menu.get_by_role("button", name="Show navigation").click()
    expect(link).to_be_visible()
    expect(menu.locator("#topbar.collapse.show")).to_be_visible()  # opened, not still sliding
    menu.get_by_role("button", name="Show navigation").click()
    expect(link).to_be_hidden()


DEVELOPER_WORDS = re.compile(r"read model|event log|events replayed|verify_read_models|commands wait", re.I)


def test_rebuild_now_asks_first_in_a_managers_words(ui, new_page, people):
    from products.background.rebuilds import RebuildRun
    from products.web.views.maintenance import REBUILD_STARTED

    page = new_page(ui.viewport)
    log_in(page, "manager", then="/maintenance/")
    assert not DEVELOPER_WORDS.search(page.locator("main").inner_text())
    page.get_by_role("link", name="Rebuild now…").click()
    confirm = page.get_by_role("alert").filter(has_text="Rebuild the lists and totals now?")
    expect(confirm).to_be_visible()
    assert not RebuildRun.objects.exists()  # one click only asks
    confirm.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name="Rebuild now…")).to_be_visible()
    assert not RebuildRun.objects.exists()

    page.get_by_role("link", name="Rebuild now…").click()
    page.get_by_role("button", name="Yes, rebuild now").click()
    expect(page.get_by_role("status").filter(has_text=REBUILD_STARTED)).to_be_visible()
    assert RebuildRun.objects.count() == 1
    assert not DEVELOPER_WORDS.search(page.locator("main").inner_text())


def test_the_api_docs_lead_back_to_the_app(new_page, people):
    page = new_page()
    log_in(page, "manager", then="/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Inventory API")
    page.get_by_role("link", name="Back to Inventory").click()
    expect(page).to_have_url(re.compile("/$"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
