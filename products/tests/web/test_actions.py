"""POST command views: PRG, errors on the right field, permissions, htmx answers, idempotency."""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from products.read.queries import GetProduct, ListStockMovements
from products.tests.factories import UserFactory
from products.tests.stock_input import BAD_QUANTITY, refusal
from products.web import stale_edit
from products.web.fields import TEXT_TOO_LONG
from products.web.views import actions
from products.write import bus, commands, errors, roles
from products.write.commands import UpdateProductDetails

from .conftest import HTMX, messages_of, on_hand, stock_url

pytestmark = pytest.mark.django_db


def test_receive_redirects_with_a_message_in_the_clerks_words(clerk_client, product):
    data = {"command_id": str(uuid.uuid4()), "quantity": "12", "note": "PO-1"}
    response = clerk_client.post(stock_url(product, "receive"), data, follow=True)
    detail = reverse("product_detail", args=[product.product_id])
    assert response.redirect_chain == [(f"{detail}?form=receive", 302)]
    assert messages_of(response) == ["Received 12 × ACC-001 — on hand now 32."]
    assert on_hand(product) == 32
    assert ListStockMovements(product_id=product.product_id).execute().rows[0].actor == "clerk"


def test_issue_and_count_messages(clerk_client, product):
    response = clerk_client.post(stock_url(product, "issue"), {"command_id": uuid.uuid4(), "quantity": 5}, follow=True)
    assert messages_of(response) == ["Issued 5 × ACC-001 — on hand now 15."]
    response = clerk_client.post(stock_url(product, "count"), {"command_id": uuid.uuid4(), "quantity": 0}, follow=True)
    assert messages_of(response) == ["Counted ACC-001: on hand now 0 (was 15)."]


def test_issue_more_than_on_hand_puts_the_error_on_quantity_and_keeps_input(clerk_client, product, snapshot):
    before = snapshot()
    data = {"command_id": str(uuid.uuid4()), "quantity": "25", "note": "big order"}
    response = clerk_client.post(stock_url(product, "issue"), data)
    assert response.status_code == 409
    form = response.context["forms"]["issue"]
    assert form.errors["quantity"] == ["Cannot issue 25 of ACC-001: only 20 on hand."]
    html = response.content.decode()
    assert 'value="25"' in html and 'value="big order"' in html and "is-invalid" in html
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["receive", "issue", "count"])
@pytest.mark.parametrize("typed", BAD_QUANTITY)
def test_invalid_quantity_is_a_400_with_one_message_by_the_field_keeping_it(clerk_client, product, kind, typed):
    if kind == "count" and typed == "0":
        return  # counted none: a real answer
    data = {"command_id": uuid.uuid4(), "quantity": typed, "note": "kept"}
    response = clerk_client.post(stock_url(product, kind), data)
    assert response.status_code == 400
    errors = response.context["forms"][kind].errors
    assert errors["quantity"] == [refusal(kind, typed)]
    html = response.content.decode()
    assert f'value="{typed}"' in html and 'value="kept"' in html
    assert re.search(rf'id="id_{kind}_quantity"[^>]*autofocus', html)
    assert on_hand(product) == 20


def test_overlong_note_gets_one_message_and_the_focus(clerk_client, product):
    data = {"command_id": uuid.uuid4(), "quantity": 1, "note": "x" * 501}
    response = clerk_client.post(stock_url(product, "receive"), data)
    assert response.status_code == 400
    assert response.context["forms"]["receive"].errors["note"] == [TEXT_TOO_LONG.format(limit=500, length=501)]
    html = response.content.decode()
    assert re.search(r'id="id_receive_note"[^>]*autofocus', html) and html.count("autofocus") == 1


def test_htmx_stock_post_answers_with_fragments_and_a_trigger(clerk_client, product):
    data = {"command_id": str(uuid.uuid4()), "quantity": "3"}
    response = clerk_client.post(stock_url(product, "receive"), data, headers=HTMX)
    assert response.status_code == 200
    trigger = json.loads(response["HX-Trigger"])
    assert trigger == {"stock-changed": {"product_id": str(product.product_id)}}
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="stock-actions"')
    assert '<div id="messages"' in html and 'hx-swap-oob="true"' in html
    assert "Received 3 × ACC-001 — on hand now 23." in html
    assert data["command_id"] not in html  # fresh forms, fresh ids
    assert "<html" not in html


def test_htmx_stock_error_is_a_fragment_with_the_status(clerk_client, product):
    data = {"command_id": uuid.uuid4(), "quantity": 99}
    response = clerk_client.post(stock_url(product, "issue"), data, headers=HTMX)
    assert response.status_code == 409
    assert "HX-Trigger" not in response
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="stock-actions"') and "only 20 on hand" in html
    assert 'value="99"' in html


def test_double_submit_with_the_same_command_id_applies_once(clerk_client, product):
    data = {"command_id": str(uuid.uuid4()), "quantity": "7"}
    assert clerk_client.post(stock_url(product, "receive"), data).status_code == 302
    assert clerk_client.post(stock_url(product, "receive"), data).status_code == 302
    assert on_hand(product) == 27


@pytest.mark.parametrize("kind", ["receive", "issue", "count"])
def test_viewer_forged_stock_post_is_403_and_writes_nothing(viewer_client, product, snapshot, kind):
    before = snapshot()
    response = viewer_client.post(stock_url(product, kind), {"command_id": uuid.uuid4(), "quantity": 1})
    assert response.status_code == 403
    assert "Your role cannot do that" in response.content.decode()
    assert snapshot() == before


def test_the_bus_refuses_even_if_the_view_check_were_skipped(viewer, product, snapshot, rf):
    """The view's early check is a courtesy: the command layer is the rule."""
    from django.core.exceptions import PermissionDenied

    from products.web.forms import StockForm
    from products.web.views.dispatch import run_form

    before = snapshot()
    request = rf.post("/", {"command_id": uuid.uuid4(), "quantity": 1})
    request.user = viewer
    form = StockForm(request.POST, kind="receive")
    with pytest.raises(PermissionDenied):
        run_form(request, form, lambda: form.to_command(product.product_id))
    assert snapshot() == before


def test_unknown_stock_kind_or_product_is_404(clerk_client, product):
    assert clerk_client.post(stock_url(product, "steal"), {"quantity": 1}).status_code == 404
    missing = reverse("product_stock", args=[uuid.uuid4(), "receive"])
    assert clerk_client.post(missing, {"command_id": uuid.uuid4(), "quantity": 1}).status_code == 404


def test_stock_views_refuse_get(clerk_client, product):
    assert clerk_client.get(stock_url(product, "receive")).status_code == 405


def test_archived_product_refuses_stock_with_a_message(manager_client, product):
    bus.dispatch(commands.ArchiveProduct(product_id=product.product_id))
    response = manager_client.post(stock_url(product, "receive"), {"command_id": uuid.uuid4(), "quantity": 1})
    assert response.status_code == 409
    assert "archived" in response.content.decode()


def product_data(**overrides) -> dict:
    data = {
        "command_id": str(uuid.uuid4()),
        "product_id": str(uuid.uuid4()),
        "sku": "NEW-001",
        "name": "New thing",
        "description": "",
        "price": "4.20",
        "reorder_level": "3",
    }
    return {**data, **overrides}


def test_create_product_redirects_to_it(manager_client):
    data = product_data()
    response = manager_client.post(reverse("product_new"), data, follow=True)
    assert response.redirect_chain == [(reverse("product_detail", args=[data["product_id"]]), 302)]
    assert "Created NEW-001 — New thing." in messages_of(response)[0]
    assert GetProduct(product_id=uuid.UUID(data["product_id"])).execute().price == Decimal("4.20")


def test_create_twice_with_the_same_ids_makes_one_product(manager_client):
    data = product_data()
    manager_client.post(reverse("product_new"), data)
    response = manager_client.post(reverse("product_new"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("product_detail", args=[data["product_id"]])


def test_create_duplicate_sku_is_a_409_on_the_sku_field(manager_client, product, snapshot):
    before = snapshot()
    response = manager_client.post(reverse("product_new"), product_data(sku="acc-001", name="Typed name"))
    assert response.status_code == 409
    assert response.context["form"].errors["sku"] == ["SKU acc-001 is already used by another product."]
    assert 'value="Typed name"' in response.content.decode()
    assert snapshot() == before


def test_create_invalid_sku_from_the_command(manager_client):
    response = manager_client.post(reverse("product_new"), product_data(sku="bad sku!"))
    assert response.status_code == 400
    assert response.context["form"].errors["sku"] == [commands.SKU_INVALID]


def test_clerk_cannot_create(clerk_client, snapshot):
    before = snapshot()
    assert clerk_client.post(reverse("product_new"), product_data()).status_code == 403
    assert snapshot() == before


def edit_data(product, **overrides) -> dict:
    data = {
        "command_id": str(uuid.uuid4()),
        "version": str(product.version),
        "sku": product.sku,
        "name": "Renamed widget",
        "description": "now blue",
        "price": "3.00",
        "reorder_level": "6",
    }
    return {**data, **overrides}


def test_edit_saves_and_redirects(manager_client, product):
    response = manager_client.post(reverse("product_edit", args=[product.product_id]), edit_data(product))
    assert response.status_code == 302
    assert GetProduct(product_id=product.product_id).execute().name == "Renamed widget"


def bob():
    return UserFactory(username="bob", role=roles.INVENTORY_MANAGER)


def shown_form(response) -> dict:
    """The values of the edit form as the page drew it (what the browser would send back)."""
    form = response.context["form"]
    return {name: "" if form[name].value() is None else str(form[name].value()) for name in form.fields}


def someone_edits(product, user=None, **changes):
    current = GetProduct(product_id=product.product_id).execute()
    fields = {name: getattr(current, name) for name in commands.DETAIL_FIELDS}
    command = UpdateProductDetails(
        product_id=product.product_id, expected_version=current.version, **{**fields, **changes}
    )
    bus.dispatch(command, actor=user)


def test_a_stale_edit_keeps_only_your_changes_and_never_reverts_theirs(manager_client, product):
    edit = reverse("product_edit", args=[product.product_id])
    opened = shown_form(manager_client.get(edit))
    someone_edits(product, bob(), price="9.99", reorder_level=7, name="Their name")

    mine = {**opened, "name": "My name", "description": "mine"}
    refused = manager_client.post(edit, mine)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "bob changed ACC-001 at " in html and "Nothing was saved" in html
    said = " ".join(refused.context["form"].non_field_errors())
    assert "someone else" not in html and "version" not in said.lower()
    rows = {d.name: d for d in refused.context["conflict"]}
    assert rows["price"].they_changed and not rows["price"].you_changed
    assert rows["name"].they_changed and rows["name"].you_changed  # both: yours stays in the form, marked
    assert stale_edit.NOTE_BOTH.format(current="Their name") in html
    retry = shown_form(refused)
    assert (retry["name"], retry["price"], retry["reorder_level"], retry["description"]) == (
        "My name",
        "9.99",
        "7",
        "mine",
    )

    assert manager_client.post(edit, retry).status_code == 302
    saved = GetProduct(product_id=product.product_id).execute()
    assert (saved.name, saved.description, saved.price, saved.reorder_level) == ("My name", "mine", Decimal("9.99"), 7)


def test_a_stale_edit_saved_as_is_sends_only_the_fields_you_changed(manager_client, product):
    edit = reverse("product_edit", args=[product.product_id])
    opened = shown_form(manager_client.get(edit))
    someone_edits(product, bob(), price="9.99")
    refused = manager_client.post(edit, {**opened, "description": "mine"})
    saved = manager_client.post(edit, shown_form(refused), follow=True)
    assert messages_of(saved) == ["Saved ACC-001 — Blue widget."]
    saved = GetProduct(product_id=product.product_id).execute()
    assert (saved.price, saved.description) == (Decimal("9.99"), "mine")  # bob's price was not reverted


def test_a_stale_edit_by_yourself_in_another_tab_says_so(manager_client, manager, product):
    edit = reverse("product_edit", args=[product.product_id])
    opened = shown_form(manager_client.get(edit))
    someone_edits(product, manager, name="Other tab")
    html = manager_client.post(edit, {**opened, "price": "4.00"}).content.decode()
    assert "you changed ACC-001 in another tab or window at " in html and "someone else" not in html


def test_a_stale_edit_after_only_a_stock_move_says_the_details_are_unchanged(manager_client, product, clerk):
    edit = reverse("product_edit", args=[product.product_id])
    opened = shown_form(manager_client.get(edit))
    bus.dispatch(commands.ReceiveStock(product_id=product.product_id, quantity=1), actor=clerk)
    refused = manager_client.post(edit, {**opened, "price": "4.00"})
    assert "clerk moved stock of ACC-001 at " in refused.content.decode()
    assert manager_client.post(edit, shown_form(refused)).status_code == 302
    assert GetProduct(product_id=product.product_id).execute().price == Decimal("4.00")


def test_a_tampered_base_sends_every_field_and_is_still_version_checked(manager_client, product):
    edit = reverse("product_edit", args=[product.product_id])
    opened = shown_form(manager_client.get(edit))
    someone_edits(product, price="9.99")
    response = manager_client.post(edit, {**opened, "base": "forged", "name": "Mine"})
    assert response.status_code == 409
    assert GetProduct(product_id=product.product_id).execute().price == Decimal("9.99")


def test_clerk_cannot_edit(clerk_client, product, snapshot):
    before = snapshot()
    response = clerk_client.post(reverse("product_edit", args=[product.product_id]), edit_data(product))
    assert response.status_code == 403
    assert snapshot() == before


def test_archive_needs_confirmation_then_archives(manager_client, product):
    page = manager_client.get(reverse("product_archive", args=[product.product_id]))
    assert "Yes, archive it" in page.content.decode()
    data = {"command_id": page.context["form"]["command_id"].value()}
    response = manager_client.post(reverse("product_archive", args=[product.product_id]), data, follow=True)
    assert "Archived ACC-001." in messages_of(response)[0]
    assert GetProduct(product_id=product.product_id).execute().archived
    assert "/stock/receive/" not in response.content.decode()
    assert manager_client.post(reverse("product_archive", args=[product.product_id]), data).status_code == 302
    again = manager_client.post(reverse("product_archive", args=[product.product_id]), {"command_id": uuid.uuid4()})
    assert again.status_code == 409 and "archived" in again.content.decode()


def test_clerk_cannot_archive(clerk_client, product, snapshot):
    before = snapshot()
    response = clerk_client.post(reverse("product_archive", args=[product.product_id]), {"command_id": uuid.uuid4()})
    assert response.status_code == 403
    assert snapshot() == before


def test_post_without_csrf_token_is_refused(clerk, product):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post(stock_url(product, "receive"), {"command_id": uuid.uuid4(), "quantity": 1})
    assert response.status_code == 403
    assert on_hand(product) == 20


def test_an_archived_product_page_explains_itself_and_offers_restore_to_managers(manager_client, clerk_client, product):
    bus.dispatch(commands.ArchiveProduct(product_id=product.product_id))
    detail = reverse("product_detail", args=[product.product_id])
    html = manager_client.get(detail).content.decode()
    assert "archived-notice" in html and reverse("product_restore", args=[product.product_id]) in html
    clerk_html = clerk_client.get(detail).content.decode()
    assert "archived-notice" in clerk_html and reverse("product_restore", args=[product.product_id]) not in clerk_html


def test_the_archive_page_of_an_archived_product_offers_restore_not_archive(manager_client, product):
    bus.dispatch(commands.ArchiveProduct(product_id=product.product_id))
    html = manager_client.get(reverse("product_archive", args=[product.product_id])).content.decode()
    assert "Yes, archive it" not in html and "Archive <span" not in html
    assert "is archived" in html and "Restore it" in html


def test_restore_brings_the_product_back_with_a_message(manager_client, product):
    bus.dispatch(commands.ArchiveProduct(product_id=product.product_id))
    url = reverse("product_restore", args=[product.product_id])
    response = manager_client.post(url, {"command_id": uuid.uuid4()}, follow=True)
    assert messages_of(response) == [actions.RESTORED.format(sku="ACC-001")]
    assert not GetProduct(product_id=product.product_id).execute().archived
    assert "/stock/receive/" in response.content.decode()
    again = manager_client.post(url, {"command_id": uuid.uuid4()}, follow=True)
    assert messages_of(again) == [errors.ProductNotArchived.MESSAGE.format(sku="ACC-001")]


def test_clerk_cannot_restore(clerk_client, product, snapshot):
    bus.dispatch(commands.ArchiveProduct(product_id=product.product_id))
    before = snapshot()
    url = reverse("product_restore", args=[product.product_id])
    assert clerk_client.post(url, {"command_id": uuid.uuid4()}).status_code == 403
    assert snapshot() == before
