"""A form's command_id: sent twice it is recorded once and says so; reused for another change it is refused."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from products.web.views.actions import ON_HAND_NOW, STOCK_ALREADY
from products.web.views.dispatch import ALREADY_RECORDED

from .conftest import HTMX, messages_of, on_hand, stock_url
from .test_actions import product_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(make_product):
    return make_product(sku="KEY-B", name="Other")


def test_a_form_sent_twice_is_recorded_once_and_the_second_answer_says_already_recorded(clerk_client, product):
    form = {"command_id": str(uuid.uuid4()), "quantity": "4", "note": ""}
    first = clerk_client.post(stock_url(product, "receive"), form, follow=True)
    again = clerk_client.post(stock_url(product, "receive"), form, follow=True)
    assert messages_of(first) == ["Received 4 × ACC-001 — on hand now 24."]
    already = STOCK_ALREADY["receive"].format(quantity=4, sku="ACC-001") + ON_HAND_NOW.format(on_hand=24)
    assert messages_of(again) == [already]
    assert "Received" not in already
    assert on_hand(product) == 24


@pytest.mark.parametrize("kind", ["issue", "count"])
def test_an_issue_or_count_sent_twice_says_already_recorded_with_the_figure_now(clerk_client, product, kind):
    form = {"command_id": str(uuid.uuid4()), "quantity": "3", "note": ""}
    clerk_client.post(stock_url(product, kind), form)
    again = clerk_client.post(stock_url(product, kind), form, headers=HTMX)
    html = again.content.decode()
    now = 17 if kind == "issue" else 3
    expected = STOCK_ALREADY[kind].format(quantity=3, sku="ACC-001") + ON_HAND_NOW.format(on_hand=now)
    assert expected.split(";")[0] in html and f"On hand now {now}." in html
    assert on_hand(product) == now


def test_a_created_product_sent_twice_lands_once(manager_client):
    form = product_data(sku="NEW-7", name="New")
    manager_client.post(reverse("product_new"), form, follow=True)
    again = manager_client.post(reverse("product_new"), form, follow=True)
    assert messages_of(again) == [ALREADY_RECORDED.format(done="Created NEW-7 — New. Receive its first stock below.")]


@pytest.mark.parametrize(
    "target, kind, quantity",
    [("other", "receive", "9"), ("other", "issue", "500"), ("product", "issue", "4"), ("product", "receive", "9")],
    ids=["other-product", "unsatisfiable-issue-elsewhere", "other-command", "other-quantity"],
)
def test_a_form_id_reused_for_another_change_is_a_clear_form_error_and_changes_nothing(
    clerk_client, product, other, snapshot, target, kind, quantity
):
    """The issue's probe: a reused command_id answered "Received 9 × KEY-B — on hand now 0"."""
    command_id = str(uuid.uuid4())
    clerk_client.post(stock_url(product, "receive"), {"command_id": command_id, "quantity": "4"})
    before = snapshot()
    aimed = other if target == "other" else product
    response = clerk_client.post(stock_url(aimed, kind), {"command_id": command_id, "quantity": quantity})
    assert response.status_code == 422
    errors = response.context["forms"][kind].non_field_errors()
    assert errors == [
        "This form was already used for a receipt (ACC-001), so nothing was changed. Reload the page for a fresh form."
    ]
    assert snapshot() == before


def test_over_htmx_the_reused_form_error_is_swapped_in_place(clerk_client, product, other):
    command_id = str(uuid.uuid4())
    clerk_client.post(stock_url(product, "receive"), {"command_id": command_id, "quantity": "4"})
    response = clerk_client.post(stock_url(other, "receive"), {"command_id": command_id, "quantity": "9"}, headers=HTMX)
    assert response.status_code == 422
    assert "This form was already used for a receipt (ACC-001)" in response.text
    assert "ReceiveStock" not in response.text  # the clerk's words, not the API's command name
    assert on_hand(other) == 0
