"""The product page's forms in a real browser (issue 17): errors in place, focus, prices, stale edits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from products.tests.factories import UserFactory
from products.tests.stock_input import BAD_QUANTITY, LONG_NOTE, refusal
from products.web.fields import (
    LENGTH_HINT,
    PRICE_AT_MOST,
    PRICE_SEPARATORS,
    TEXT_TOO_LONG,
    WHOLE_AT_MOST,
    WHOLE_DIGITS_ONLY,
)
from products.web.stale_edit import NOTE_BOTH
from products.web.views.actions import STOCK_ALREADY
from products.write import bus, roles
from products.write.commands import MAX_PRICE, NAME_MAX_LENGTH, ArchiveProduct, UpdateProductDetails

from .conftest import ensure_roles, htmx_settled, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(db):
    ensure_roles()
    UserFactory(username="manager", password="manager-pw", role=roles.INVENTORY_MANAGER)
    UserFactory(username="clerk", password="clerk-pw", role=roles.STOCK_CLERK)


def open_product(page, product, user="clerk"):
    log_in(page, user, f"{user}-pw")
    page.goto(f"/products/{product.product_id}/")


def expect_whole_page(page, product):
    """The nav, the header and the history are all still there (the page was not replaced)."""
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(product.name)
    expect(page.locator("#history")).to_be_attached()


def test_invalid_stock_input_shows_errors_in_place_keeping_what_was_typed(new_page, staff, make_product, ui):
    """Every refused input, each in turn on the three forms (the unit tests try every pair)."""
    product = make_product(sku="ERR-1", name="Error widget", on_hand=10)
    page = new_page(ui.viewport)
    open_product(page, product)
    kinds = ["receive", "issue", "count"]
    for number, typed in enumerate(BAD_QUANTITY + [LONG_NOTE]):
        kind = kinds[number % 3]
        if kind == "count" and typed == "0":
            kind = "issue"
        long_note = typed == LONG_NOTE
        quantity, note = page.locator(f"#id_{kind}_quantity"), page.locator(f"#id_{kind}_note")
        quantity.fill("3" if long_note else typed)
        note.fill(typed if long_note else f"typed {typed}")
        page.locator(f".stock-form-{kind} button[type=submit]").click()
        if long_note:
            expect(page.locator(f"#id_{kind}_note_error")).to_have_text(TEXT_TOO_LONG.format(limit=500, length=501))
            expect(note).to_be_focused()
        else:
            expect(page.locator(f"#id_{kind}_quantity_error")).to_have_text(refusal(kind, typed))
            expect(quantity).to_be_focused()
        expect_whole_page(page, product)
        expect(quantity).to_have_value("3" if long_note else typed)
        expect(note).to_have_value(typed if long_note else f"typed {typed}")
    expect(page.locator(".on-hand-number")).to_have_text("10")


def test_focus_stays_in_the_form_used_so_enter_repeats_it(new_page, staff, make_product, ui):
    product = make_product(sku="KEY-1", name="Keyboard widget", on_hand=8)
    page = new_page(ui.viewport)
    open_product(page, product)
    on_hand = page.locator(".on-hand-number")
    issue = page.locator("#id_issue_quantity")
    issue.focus()
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(on_hand).to_have_text("7")
    expect(issue).to_be_focused()
    htmx_settled(page)
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(on_hand).to_have_text("6")
    expect(issue).to_be_focused()
    htmx_settled(page)
    count = page.locator("#id_count_quantity")
    count.focus()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(on_hand).to_have_text("4")
    expect(count).to_be_focused()


def test_price_takes_a_decimal_comma_and_refuses_ambiguous_separators(new_page, staff, ui):
    page = new_page(ui.viewport)
    log_in(page, "manager", "manager-pw")
    page.goto("/products/new/")
    page.get_by_label("SKU").fill("COMMA-1")
    page.get_by_label("Name").fill("Comma widget")
    price = page.get_by_label("Price")
    price.fill("1,250.00")
    page.get_by_role("button", name="Create product").click()
    expect(page.locator("#id_price_error")).to_have_text(PRICE_SEPARATORS)
    expect(price).to_have_value("1,250.00")
    expect(price).to_be_focused()
    price.fill("12,50")
    page.get_by_role("button", name="Create product").click()
    expect(page.get_by_role("status").filter(has_text="Created COMMA-1")).to_be_visible()
    expect(page.locator("#details dl")).to_contain_text("12.50")


def test_product_form_messages_in_the_clerks_words_focus_the_first_problem(new_page, staff, ui):
    page = new_page(ui.viewport)
    log_in(page, "manager", "manager-pw")
    page.goto("/products/new/")
    long_name = "N" * 10_000
    page.get_by_label("SKU").fill("LONG-1")
    name = page.get_by_label("Name")
    name.fill(long_name)  # a paste: nothing in the page may cut it silently
    expect(page.get_by_text(LENGTH_HINT.format(limit=NAME_MAX_LENGTH))).to_be_visible()
    page.get_by_label("Price").fill("99999999999999")
    reorder = page.get_by_label("Reorder level")
    reorder.fill("lots")
    page.get_by_role("button", name="Create product").click()
    expect(page.locator("#id_name_error")).to_have_text(TEXT_TOO_LONG.format(limit=NAME_MAX_LENGTH, length=10_000))
    expect(name).to_be_focused()
    expect(name).to_have_value(long_name)
    expect(page.locator("#id_price_error")).to_have_text(PRICE_AT_MOST.format(high=MAX_PRICE))
    expect(page.locator("#id_reorder_level_error")).to_have_text(WHOLE_DIGITS_ONLY)
    expect(reorder).to_have_value("lots")
    reorder.fill("99999999999")
    page.get_by_role("button", name="Create product").click()
    expect(page.locator("#id_reorder_level_error")).to_have_text(
        WHOLE_AT_MOST.format(what="reorder level", high=1_000_000_000)
    )
    expect(page.locator("#id_reorder_level_error")).to_contain_text("1,000,000,000")


def test_back_shows_current_stock_and_a_resent_form_says_already_recorded(new_page, staff, make_product, ui):
    product = make_product(sku="BACK-1", name="Back widget", on_hand=10)
    page = new_page(ui.viewport)
    open_product(page, product)
    command_id = page.locator(".stock-form-receive input[name=command_id]")
    used = command_id.input_value()
    page.locator("#id_receive_quantity").fill("5")
    page.locator("#id_receive_quantity").press("Enter")
    expect(page.locator(".on-hand-number")).to_have_text("15")
    page.goto("/products/")  # a real navigation away (the nav may be folded at this width)
    page.go_back()
    expect(page.locator(".on-hand-number")).to_have_text("15")
    expect(command_id).not_to_have_value(used)  # not the page as first served: its form had been sent

    # A form sent again with the id it was first sent with (a resend) is recorded once, and says so.
    command_id.evaluate("(input, used) => { input.value = used; }", used)
    page.locator("#id_receive_quantity").fill("5")
    page.locator("#id_receive_quantity").press("Enter")
    message = page.locator("#messages")
    expect(message).to_contain_text(STOCK_ALREADY["receive"].format(quantity=5, sku="BACK-1"))
    expect(message).not_to_contain_text("Received")
    expect(page.locator(".on-hand-number")).to_have_text("15")


def test_a_stale_edit_saved_again_never_reverts_the_other_users_change(new_page, staff, make_product, ui):
    product = make_product(sku="STALE-1", name="Old name", price="2.00", reorder_level=3)
    page = new_page(ui.viewport)
    log_in(page, "manager", "manager-pw")
    page.goto(f"/products/{product.product_id}/edit/")
    bob = UserFactory(username="bob", password="bob-pw", role=roles.INVENTORY_MANAGER)
    bus.dispatch(
        UpdateProductDetails(
            product_id=product.product_id,
            expected_version=product.version,
            sku="STALE-1",
            name="Bob's name",
            price="9.99",
            reorder_level=3,
        ),
        actor=bob,
    )
    page.get_by_label("Name").fill("My name")
    page.get_by_role("button", name="Save changes").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved: bob changed STALE-1 at ")
    expect(alert).not_to_contain_text("version")
    expect(page.locator(".stale-differences tr[data-field=price]")).to_contain_text("9.99")
    expect(page.get_by_label("Price")).to_have_value("9.99")  # theirs, not the stale 2.00
    expect(page.get_by_label("Name")).to_have_value("My name")  # yours, marked as changed by both
    expect(page.get_by_text(NOTE_BOTH.format(current="Bob's name"))).to_be_visible()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Saved STALE-1 — My name.")).to_be_visible()
    expect(page.locator("#details dl")).to_contain_text("9.99")
    expect(page.get_by_role("heading", level=1)).to_have_text("My name")


def test_an_archived_product_says_so_and_a_manager_restores_it(new_page, staff, make_product, ui):
    product = make_product(sku="ARCH-1", name="Archived widget", on_hand=4)
    bus.dispatch(ArchiveProduct(product_id=product.product_id))
    page = new_page(ui.viewport)
    log_in(page, "manager", "manager-pw")
    page.goto(f"/products/{product.product_id}/archive/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("is archived")
    expect(page.get_by_role("button", name="Yes, archive it")).to_have_count(0)
    page.get_by_role("link", name="Back to the product").click()
    notice = page.locator("#stock-actions .archived-notice")
    expect(notice).to_be_visible()
    box = notice.bounding_box()
    assert box and box["height"] > 40, "the archived page's left column is not blank"
    page.get_by_role("button", name="Restore ARCH-1").click()
    expect(page.get_by_role("status").filter(has_text="Restored ARCH-1")).to_be_visible()
    expect(page.locator(".stock-badge").first).to_have_text("Low · 4")
    page.locator("#id_receive_quantity").fill("2")
    page.locator("#id_receive_quantity").press("Enter")
    expect(page.locator(".on-hand-number")).to_have_text("6")
