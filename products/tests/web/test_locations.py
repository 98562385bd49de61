"""The staff UI's location parts: the product page, transfers, the Locations page, list filter and exports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from products.read.queries import GetStockByLocation
from products.web.views.locations import TRANSFER_DONE
from products.write import bus
from products.write.commands import ReceiveStock

pytestmark = pytest.mark.django_db


@pytest.fixture
def binned(product, make_location, make_product):
    for code in ("A-01", "B-02"):
        make_location(code, parent="MAIN")
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5, location="A-01"))
    make_product(sku="ELSE-1", name="Elsewhere", on_hand=3)
    return product


def test_the_product_page_shows_stock_by_location_and_a_location_picker(clerk_client, binned):
    html = clerk_client.get(reverse("product_detail", args=[binned.product_id])).content.decode()
    assert 'class="table table-sm mb-0 stock-by-location"' in html
    assert '<option value="B-02">MAIN / B-02 — Bin B-02</option>' in html
    assert html.count('list="location-codes"') == 3 + 2  # receive, issue, count; transfer from and to


def test_a_transfer_redirects_with_the_clerks_words(clerk_client, binned):
    url = reverse("product_transfer", args=[binned.product_id])
    response = clerk_client.post(
        url, {"quantity": "2", "from_location": "a-01", "to_location": "b-02", "note": "", "command_id": _id()}
    )
    assert response.status_code == 302
    page = clerk_client.get(response.headers["Location"]).content.decode()
    assert TRANSFER_DONE.format(quantity=2, sku="ACC-001", source="A-01", target="B-02", there=2) in page
    levels = {level.location: level.on_hand for level in GetStockByLocation(product_id=binned.product_id).execute()}
    assert levels == {"MAIN": 20, "A-01": 3, "B-02": 2}


@pytest.mark.parametrize(
    ("fields", "field", "message", "status"),
    [
        ({"quantity": "9", "from_location": "A-01", "to_location": "B-02"}, "quantity", "only 5 there", 409),
        ({"quantity": "1", "from_location": "A-01", "to_location": "a-01"}, "to_location", "different location", 400),
        ({"quantity": "1", "from_location": "A 01", "to_location": "B-02"}, "from_location", "no spaces", 400),
        ({"quantity": "1", "from_location": "A-01", "to_location": "NOPE"}, "to_location", "no location NOPE", 400),
        ({"quantity": "0", "from_location": "A-01", "to_location": "B-02"}, "quantity", "greater than or equal", 400),
    ],
)
def test_a_refused_transfer_shows_the_error_next_to_the_field_and_keeps_the_input(
    clerk_client, binned, snapshot, fields, field, message, status
):
    before = snapshot()
    url = reverse("product_transfer", args=[binned.product_id])
    response = clerk_client.post(url, {**fields, "note": "kept", "command_id": _id()})
    assert response.status_code == status
    html = response.content.decode()
    assert f'id="id_transfer_{field}_error"' in html and message in html
    assert 'value="kept"' in html
    assert snapshot() == before


def test_viewers_get_no_transfer_form_and_cannot_post_one(viewer_client, binned):
    html = viewer_client.get(reverse("product_detail", args=[binned.product_id])).content.decode()
    assert "Transfer between locations" not in html
    url = reverse("product_transfer", args=[binned.product_id])
    assert viewer_client.post(url, {"quantity": "1", "from_location": "A-01", "to_location": "B-02"}).status_code == 403


def test_the_locations_page_lists_value_and_managers_create_there(manager_client, clerk_client, binned):
    html = clerk_client.get(reverse("location_list")).content.decode()
    assert "Bin A-01" in html and "12.50" in html  # 5 × 2.50 at A-01
    assert "New location" not in html
    response = manager_client.post(
        reverse("location_list"), {"code": "C-03", "name": "Bin C-03", "parent": "MAIN", "command_id": _id()}
    )
    assert response.status_code == 302
    refused = manager_client.post(
        reverse("location_list"), {"code": "c-03", "name": "Twin", "parent": "", "command_id": _id()}
    )
    assert refused.status_code == 409 and "already used" in refused.content.decode()
    assert (
        clerk_client.post(reverse("location_list"), {"code": "D", "name": "D", "command_id": _id()}).status_code == 403
    )


def test_archiving_a_location_with_stock_says_why(manager_client, binned):
    response = manager_client.post(reverse("location_archive", args=["A-01"]), follow=True)
    assert "A-01 still holds 5 units" in response.content.decode()


def test_the_product_list_filters_by_location(clerk_client, binned):
    url = reverse("product_list")
    everything = clerk_client.get(url).content.decode()
    assert "ELSE-1" in everything
    at_a01 = clerk_client.get(url, {"location": "a-01"}).content.decode()
    assert "ACC-001" in at_a01 and "ELSE-1" not in at_a01
    assert 'name="location" value="a-01"' in at_a01


def test_the_export_per_location_has_a_row_per_place(clerk_client, binned):
    response = clerk_client.get(reverse("product_export"), {"by": "location"})
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines[0] == "sku,name,location,on_hand,price"
    assert sorted(lines[1:]) == sorted(
        [
            f"ACC-001,{binned.name},A-01,5,2.50",
            f"ACC-001,{binned.name},MAIN,20,2.50",
            "ELSE-1,Elsewhere,MAIN,3,10.00",
        ]
    )


def test_the_ledger_filters_by_location(clerk_client, binned):
    html = clerk_client.get(reverse("movement_list"), {"location": "A-01"}).content.decode()
    assert html.count("kind-received") == 1


def _id() -> str:
    import uuid

    return str(uuid.uuid4())


def test_a_count_at_a_bin_is_not_told_stock_elsewhere_arrived_since(clerk_client, binned):
    """The count's words compare it with what that location holds, not with the product's total."""
    from django.utils import timezone

    version = binned.version + 1  # the A-01 receipt
    response = clerk_client.post(
        reverse("product_stock", args=[binned.product_id, "count"]),
        {
            "quantity": "4",
            "location": "A-01",
            "note": "",
            "command_id": _id(),
            "seen_version": str(version),
            "counted_at": timezone.now().isoformat(),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Counted ACC-001: on hand now 24 (was 25)." in page
    assert "since" not in page.split("Counted ACC-001")[1][:80]


def test_issue_count_and_transfer_start_where_the_stock_is_and_a_receipt_at_main(
    clerk_client, make_location, make_product
):
    """A product held only in a bin: issuing from MAIN would be refused, so the forms start at the bin."""
    make_location("A-07", parent="MAIN")
    make_location("A-08", parent="MAIN")
    product = make_product(sku="BIN-ONLY", name="Binned only", on_hand=0)
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=2, location="A-07"))
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=9, location="A-08"))
    response = clerk_client.get(reverse("product_detail", args=[product.product_id]))
    forms = response.context["forms"]
    assert forms["issue"]["location"].value() == "A-08"
    assert forms["count"]["location"].value() == "A-08"
    assert forms["receive"]["location"].value() == "MAIN"
    assert response.context["transfer_form"]["from_location"].value() == "A-08"


def test_a_product_with_no_stock_starts_every_form_at_main(clerk_client, make_product):
    product = make_product(sku="EMPTY-1", name="Nothing yet", on_hand=0)
    response = clerk_client.get(reverse("product_detail", args=[product.product_id]))
    assert {form["location"].value() for form in response.context["forms"].values()} == {"MAIN"}
    assert response.context["transfer_form"]["from_location"].value() == "MAIN"


def test_the_ledger_says_an_unknown_location_is_unknown(clerk_client, binned):
    html = clerk_client.get(reverse("movement_list"), {"location": "zz-9"}).content.decode()
    assert "There is no location “zz-9”." in html and "kind-received" not in html
    assert clerk_client.get(reverse("movement_list"), {"location": "a-01"}).content.decode().count("kind-received") == 1
