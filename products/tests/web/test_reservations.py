"""Reservations in the staff UI: the panel on the product page, its forms, the Reservations page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from products.read.queries import GetProductStock, ListReservations
from products.web.views.reservations import RESERVED
from products.write import bus
from products.write.commands import MOMENT_PAST, ReserveStock

from .conftest import messages_of, stock_url

pytestmark = pytest.mark.django_db


def detail(product) -> str:
    return reverse("product_detail", args=[product.product_id])


def reserve_url(product) -> str:
    return reverse("product_reserve", args=[product.product_id])


def fresh_form(client, product) -> dict:
    """The Reserve form's hidden ids as the page drew them."""
    form = client.get(detail(product)).context["reserve_form"]
    return {"command_id": form.initial["command_id"], "reservation_id": form.initial["reservation_id"]}


def open_reservations(product):
    return ListReservations(product_id=product.product_id).execute().rows


def test_reserve_then_an_issue_beyond_free_is_refused_then_fulfil_and_release(clerk_client, product):
    data = fresh_form(clerk_client, product) | {"quantity": 3, "reference": "SO-1001", "expires_at": ""}
    response = clerk_client.post(reserve_url(product), data, follow=True)
    assert response.redirect_chain[-1][0] == f"{detail(product)}#reservations"
    assert messages_of(response) == [RESERVED.format(quantity=3, sku="ACC-001", reference="SO-1001", free=17)]
    page = response.content.decode()
    assert "SO-1001" in page and "free of 20" in page
    [entry] = open_reservations(product)
    assert (entry.quantity, entry.reserved_by) == (3, "clerk")

    refused = clerk_client.post(
        stock_url(product, "issue"), {"quantity": 18, "command_id": fresh_form(clerk_client, product)["command_id"]}
    )
    assert refused.status_code == 409
    assert "only 17 free (20 on hand, 3 promised to SO-1001 (3))" in refused.content.decode()

    fulfil = reverse("reservation_fulfil", args=[entry.reservation_id])
    command_id = clerk_client.get(detail(product)).context["reservations"][0]["fulfil_form"].initial["command_id"]
    done = clerk_client.post(fulfil, {"quantity": 2, "command_id": command_id}, follow=True)
    assert messages_of(done) == ["Fulfilled 2 × ACC-001 for SO-1001 — on hand now 18, 1 still reserved for it."]

    release = reverse("reservation_release", args=[entry.reservation_id])
    command_id = clerk_client.get(detail(product)).context["reservations"][0]["release_form"].initial["command_id"]
    released = clerk_client.post(release, {"command_id": command_id}, follow=True)
    assert messages_of(released) == ["Released SO-1001: ACC-001 has 18 free for new orders now."]
    assert open_reservations(product) == []
    stock = GetProductStock(product_id=product.product_id).execute()
    assert (stock.on_hand, stock.reserved, stock.available) == (18, 0, 18)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "Ensure this value is greater than or equal to 1."),
        ({"quantity": "25"}, "quantity", "Cannot reserve 25 of ACC-001: only 20 free (20 on hand, 0 promised)."),
        ({"reference": ""}, "reference", "This field is required."),
        ({"expires_at": (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}, "expires_at", MOMENT_PAST),
    ],
)
def test_a_refused_reservation_stays_on_the_form_with_what_was_typed(clerk_client, product, fields, field, message):
    data = fresh_form(clerk_client, product) | {"quantity": "3", "reference": "SO-7", "expires_at": ""} | fields
    response = clerk_client.post(reserve_url(product), data)
    assert response.status_code in (400, 409)
    form = response.context["reserve_form"]
    assert form.errors[field] == [message]
    page = response.content.decode()
    assert f'value="{data["quantity"]}"' in page  # what was typed stays
    assert open_reservations(product) == []


def test_fulfil_more_than_reserved_shows_the_error_at_its_row(clerk_client, product):
    command = ReserveStock(product_id=product.product_id, quantity=3, reference="SO-9")
    bus.dispatch(command)
    fulfil = reverse("reservation_fulfil", args=[command.reservation_id])
    response = clerk_client.post(fulfil, {"quantity": 5, "command_id": "6b0e8f7a-0000-4000-8000-000000000001"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Cannot fulfil 5 for SO-9: only 3 still reserved." in page
    assert 'value="5"' in page


def test_releasing_twice_says_so(clerk_client, product):
    command = ReserveStock(product_id=product.product_id, quantity=3, reference="SO-9")
    bus.dispatch(command)
    release = reverse("reservation_release", args=[command.reservation_id])
    clerk_client.post(release, {"command_id": "6b0e8f7a-0000-4000-8000-000000000002"}, follow=True)
    again = clerk_client.post(release, {"command_id": "6b0e8f7a-0000-4000-8000-000000000003"}, follow=True)
    assert messages_of(again) == ["Reservation SO-9 is already released; nothing is held for it any more."]


def test_viewers_see_reservations_but_no_forms_and_may_not_post(viewer_client, product):
    bus.dispatch(ReserveStock(product_id=product.product_id, quantity=2, reference="SO-3"))
    page = viewer_client.get(detail(product))
    assert page.context["reserve_form"] is None
    html = page.content.decode()
    assert "SO-3" in html and "Release" not in html
    assert viewer_client.post(reserve_url(product), {"quantity": 1, "reference": "x"}).status_code == 403


def test_the_badge_says_out_for_new_orders_when_everything_is_promised(clerk_client, product):
    bus.dispatch(ReserveStock(product_id=product.product_id, quantity=20, reference="SO-1"))
    html = clerk_client.get(detail(product)).content.decode()
    assert "Out for new orders · 0 free of 20" in html
    listed = clerk_client.get(reverse("product_list")).content.decode()
    assert "Out for new orders · 0 free of 20" in listed


def test_the_reservations_page_lists_open_ones_oldest_first_and_filters(clerk_client, product, make_product):
    other = make_product(sku="OTHER-1", on_hand=5)
    for reference, target in (("SO-1001", product), ("web #7", other), ("SO-1002", product)):
        bus.dispatch(ReserveStock(product_id=target.product_id, quantity=1, reference=reference))
    page = clerk_client.get(reverse("reservation_list"))
    assert [row["entry"].reference for row in page.context["rows"]] == ["SO-1001", "web #7", "SO-1002"]
    assert "OTHER-1" in page.content.decode()
    filtered = clerk_client.get(reverse("reservation_list"), {"reference": "so-"})
    assert [row["entry"].reference for row in filtered.context["rows"]] == ["SO-1001", "SO-1002"]
    broken = clerk_client.get(reverse("reservation_list"), {"after": "nonsense"})
    assert broken.status_code == 200 and broken.context["problem"]


def test_the_dashboard_shows_reserved_units_and_value(clerk_client, product):
    bus.dispatch(ReserveStock(product_id=product.product_id, quantity=4, reference="SO-1"))
    page = clerk_client.get(reverse("dashboard"))
    assert page.context["stats"].reserved_units == 4
    html = page.content.decode()
    assert "Reserved" in html and "4 units" in html and "10.00" in html


def test_availability_on_the_product_page_counts_only_what_is_free(clerk_client, product):
    bus.dispatch(ReserveStock(product_id=product.product_id, quantity=18, reference="SO-1"))
    html = clerk_client.get(detail(product), {"quantity": 3}).content.decode()
    assert "Only 2 free (20 on hand, 18 reserved)" in html
