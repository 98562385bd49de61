"""Reversing from the ledger: "Reverse…" for managers, a confirm page with a required reason, PRG."""

from __future__ import annotations

import pytest
from django.urls import reverse

from products.web.history_forms import REASON_REQUIRED
from products.write import bus
from products.write.commands import IssueStock, ReceiveStock, TransferStock

from .conftest import messages_of, on_hand

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrong(product):
    return bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=12, note="PO-9")).position


def test_managers_see_reverse_on_ledger_rows_and_clerks_do_not(manager_client, clerk_client, product, wrong):
    url = reverse("product_detail", args=[product.product_id])
    link = reverse("movement_reverse", args=[wrong])
    assert link in manager_client.get(url).content.decode()
    assert link in manager_client.get(reverse("movement_list")).content.decode()
    assert link not in clerk_client.get(url).content.decode()
    assert clerk_client.get(link).status_code == 403


def test_the_confirm_page_says_what_will_be_undone_and_asks_why(manager_client, wrong):
    page = manager_client.get(reverse("movement_reverse", args=[wrong])).content.decode()
    assert f"Reverse #{wrong}: received +12" in page and 'name="reason"' in page and "PO-9" in page
    assert "A new movement of \u221212 will be added" in page


def test_a_missing_reason_is_an_error_beside_the_field_and_nothing_changes(manager_client, product, wrong):
    response = manager_client.get(reverse("movement_reverse", args=[wrong]))
    form = response.context["form"]
    bound = manager_client.post(
        reverse("movement_reverse", args=[wrong]), {"reason": "  ", "command_id": form.initial["command_id"]}
    )
    assert bound.status_code == 400 and REASON_REQUIRED in bound.content.decode()
    assert on_hand(product) == 32


def test_reversing_redirects_to_the_product_with_what_happened(manager_client, product, wrong):
    form = manager_client.get(reverse("movement_reverse", args=[wrong])).context["form"]
    response = manager_client.post(
        reverse("movement_reverse", args=[wrong]),
        {"reason": "Wrong product", "command_id": form.initial["command_id"]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("product_detail", args=[product.product_id])
    assert messages_of(response) == [f"Reversed #{wrong} (received +12 × ACC-001) — on hand now 20."]
    page = response.content.decode()
    assert f"reversed by #{wrong + 1}" in page and f"of #{wrong}" in page
    assert on_hand(product) == 20


def test_reversing_again_is_refused_on_the_form(manager_client, product, wrong):
    for _ in range(2):
        form = manager_client.get(reverse("movement_reverse", args=[wrong])).context["form"]
        response = manager_client.post(
            reverse("movement_reverse", args=[wrong]), {"reason": "Typo", "command_id": form.initial["command_id"]}
        )
    assert response.status_code == 409 and "already reversed" in response.content.decode()
    assert on_hand(product) == 20


def test_a_count_sent_after_a_receipt_keeps_the_receipt_and_says_so(clerk_client, make_product):
    """The count form remembers what it showed; a receipt recorded before the count is sent stays on top."""
    product = make_product(sku="CNT-001", on_hand=20)
    page = clerk_client.get(reverse("product_detail", args=[product.product_id]))
    count_form = page.context["forms"]["count"]
    shown = {name: count_form[name].value() for name in ("command_id", "seen_version", "counted_at")}
    assert shown["seen_version"] == 2 and 'name="seen_version"' in page.content.decode()
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    response = clerk_client.post(
        reverse("product_stock", args=[product.product_id, "count"]), {"quantity": 40, **shown}, follow=True
    )
    [message] = messages_of(response)
    assert message.startswith("Counted 40 × CNT-001 at ") and message.endswith("; 5 received since; on hand now 45.")
    assert on_hand(product) == 45


@pytest.fixture
def transfer(product, make_location):
    make_location("A-01")
    moved = TransferStock(product_id=product.product_id, quantity=8, from_location="MAIN", to_location="A-01")
    return bus.dispatch(moved).position


def test_a_transfer_is_offered_for_reversal_and_moves_back(manager_client, product, transfer):
    assert reverse("movement_reverse", args=[transfer]) in manager_client.get(reverse("movement_list")).content.decode()
    page = manager_client.get(reverse("movement_reverse", args=[transfer]))
    text = page.content.decode()
    assert f"Reverse #{transfer}: transferred 8 × " in text
    assert "8 will move back from A-01 to MAIN" in text
    response = manager_client.post(
        reverse("movement_reverse", args=[transfer]),
        {"reason": "Wrong bin", "command_id": page.context["form"].initial["command_id"]},
        follow=True,
    )
    assert messages_of(response) == [f"Reversed #{transfer} (moved 8 × ACC-001 back from A-01 to MAIN)."]
    assert on_hand(product) == 20


def test_a_transfer_the_destination_cannot_give_back_is_refused_on_the_form(manager_client, product, transfer):
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=5, location="A-01"))
    page = manager_client.get(reverse("movement_reverse", args=[transfer]))
    response = manager_client.post(
        reverse("movement_reverse", args=[transfer]),
        {"reason": "Wrong bin", "command_id": page.context["form"].initial["command_id"]},
    )
    assert response.status_code == 409
    assert "only 3 are at A-01 now" in response.content.decode()
