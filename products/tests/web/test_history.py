"""History in the staff UI: "on hand on …" on the product page, the inventory as of a moment and its CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from products.read.queries import FUTURE_MOMENT
from products.write import bus
from products.write.commands import IssueStock, TransferStock

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def picker(moment) -> str:
    """What a datetime-local input sends: local time of the site's zone, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def moved(clock, make_product):
    """ACC-001 with 20 on hand ten days ago; 15 issued a day later. Returns (product, a moment between)."""
    product = make_product(sku="ACC-001", name="Blue widget", price="2.50", on_hand=20)
    between = clock.tick(hours=12)
    clock.tick(hours=12)
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=15))
    return product, between


def test_the_product_page_shows_what_was_on_hand_at_the_moment_picked(viewer_client, moved):
    product, between = moved
    url = reverse("product_detail", args=[product.product_id])
    page = viewer_client.get(url, {"as_of": picker(between)}).content.decode()
    assert '<strong class="fs-5">20</strong> on hand on' in page
    assert "worth 50.00 at 2.50 each" in page
    assert 'type="datetime-local"' in viewer_client.get(url).content.decode()


def test_the_moment_picked_shows_where_the_stock_was_then(viewer_client, clock, moved, make_location):
    product, between = moved
    make_location("A-01")
    clock.tick(minutes=1)
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=3, from_location="MAIN", to_location="A-01"))
    url = reverse("product_stock_as_of", args=[product.product_id])
    then = viewer_client.get(url, {"as_of": picker(between)}, headers=HTMX).content.decode()
    table = then[then.index('class="table table-sm mb-0 as-of-locations"') :]
    assert '<td class="font-monospace">MAIN</td><td class="text-end font-tabular">20</td>' in table
    assert "A-01" not in table
    now = viewer_client.get(url, {"as_of": picker(clock.tick(minutes=1))}, headers=HTMX).content.decode()
    table = now[now.index("as-of-locations") :]
    assert table.index(">MAIN<") < table.index(">A-01<")
    assert '<td class="font-monospace">A-01</td><td class="text-end font-tabular">3</td>' in table


def test_the_picker_answers_in_place_with_htmx(viewer_client, moved):
    product, between = moved
    url = reverse("product_stock_as_of", args=[product.product_id])
    response = viewer_client.get(url, {"as_of": picker(between)}, headers=HTMX)
    body = response.content.decode()
    assert 'id="stock-as-of"' in body
    assert '<strong class="fs-5">20</strong>' in body and "<html" not in body
    plain = viewer_client.get(url, {"as_of": picker(between)})
    assert plain.status_code == 302 and plain.url.startswith(reverse("product_detail", args=[product.product_id]))


def test_a_future_or_too_early_moment_is_an_error_beside_the_picker(viewer_client, moved):
    product, between = moved
    url = reverse("product_stock_as_of", args=[product.product_id])
    future = viewer_client.get(url, {"as_of": picker(timezone.now() + timedelta(days=2))}, headers=HTMX)
    assert "is in the future" in future.content.decode() and 'aria-invalid="true"' in future.content.decode()
    early = viewer_client.get(url, {"as_of": picker(between - timedelta(days=3))}, headers=HTMX).content.decode()
    assert "ACC-001 did not exist yet" in early
    typed = viewer_client.get(url, {"as_of": "soon"}, headers=HTMX).content.decode()
    assert "Enter a date and time" in typed and 'value="soon"' in typed


def test_the_inventory_page_lists_on_hand_and_value_then(viewer_client, moved, make_product):
    product, between = moved
    make_product(sku="ACC-900", on_hand=3)
    then = viewer_client.get(reverse("inventory_as_of"), {"as_of": picker(between)}).content.decode()
    assert "ACC-001" in then and "ACC-900" not in then and "50.00" in then
    now = viewer_client.get(reverse("inventory_as_of")).content.decode()
    assert "ACC-001" in now and "ACC-900" in now and "12.50" in now


def test_the_inventory_page_refuses_a_future_moment_beside_the_field(viewer_client, moved):
    page = viewer_client.get(reverse("inventory_as_of"), {"as_of": picker(timezone.now() + timedelta(days=1))})
    assert page.status_code == 200
    assert FUTURE_MOMENT.split(":")[0] in page.content.decode()


def test_the_inventory_csv_has_every_product_as_of_the_moment(viewer_client, moved, make_product):
    product, between = moved
    response = viewer_client.get(reverse("inventory_export"), {"as_of": picker(between)})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines == ["sku,name,on_hand,price,value", "ACC-001,Blue widget,20,2.50,50.00"]
    bad = viewer_client.get(reverse("inventory_export"), {"as_of": "never"})
    assert bad.status_code == 400 and "Enter a date and time" in bad.content.decode()


@pytest.fixture
def in_bins(clock, moved, make_location):
    """ACC-001 as in `moved`, then 3 of its 5 moved to A-01."""
    product, between = moved
    make_location("A-01")
    clock.tick(minutes=1)
    bus.dispatch(TransferStock(product_id=product.product_id, quantity=3, from_location="MAIN", to_location="A-01"))
    return product, between


def test_the_inventory_page_lists_a_row_per_location_and_one_location(viewer_client, in_bins):
    product, between = in_bins
    page = viewer_client.get(reverse("inventory_as_of"), {"by": "location"}).content.decode()
    assert '<th scope="col">Location</th>' in page
    assert page.index('<td class="font-monospace">MAIN</td>') < page.index('<td class="font-monospace">A-01</td>')
    assert "by=location" in page  # the export link carries it
    at_bin = viewer_client.get(reverse("inventory_as_of"), {"location": "a-01", "as_of": picker(between)})
    assert "Nothing was there then." in at_bin.content.decode()


def test_an_unknown_location_is_an_error_beside_its_field(viewer_client, in_bins):
    page = viewer_client.get(reverse("inventory_as_of"), {"location": "Z-99"}).content.decode()
    assert "There is no location Z-99." in page and 'id="id_location_error"' in page
    assert 'aria-invalid="true"' in page and 'value="Z-99"' in page


def test_the_inventory_csv_per_location(viewer_client, in_bins):
    response = viewer_client.get(reverse("inventory_export"), {"by": "location"})
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines == [
        "sku,name,location,on_hand,price,value",
        "ACC-001,Blue widget,MAIN,2,2.50,5.00",
        "ACC-001,Blue widget,A-01,3,2.50,7.50",
    ]
    at_bin = viewer_client.get(reverse("inventory_export"), {"location": "A-01"})
    assert b"".join(at_bin.streaming_content).decode().lstrip("\ufeff").splitlines()[1:] == [
        "ACC-001,Blue widget,A-01,3,2.50,7.50"
    ]
    bad = viewer_client.get(reverse("inventory_export"), {"location": "Z-99"})
    assert bad.status_code == 400 and "There is no location Z-99." in bad.content.decode()
