"""The product list answers a repeat request with 304 until something it shows has changed."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from products.write import bus
from products.write.commands import ReceiveStock

from .conftest import client_for, stock_form

pytestmark = pytest.mark.django_db
LIST = "/products/"


def _etag(client, path=LIST, **headers):
    client.get(path, headers=headers)  # sets the CSRF cookie on a first visit
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response["ETag"]


def test_a_repeat_request_with_the_etag_gets_an_empty_304(make_product, viewer):
    make_product(sku="ETG-001")
    client = client_for(viewer)
    client.get(LIST)  # the first visit sets the CSRF cookie the page's logout form uses
    first = client.get(LIST)
    assert first.status_code == 200
    assert set(first["Cache-Control"].split(", ")) == {"private", "no-cache"}
    repeat = client.get(LIST, headers={"If-None-Match": first["ETag"]})
    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat["ETag"] == first["ETag"]
    assert "HX-Request" in repeat["Vary"]


def test_a_stock_change_on_the_page_gives_a_new_page(make_product, viewer):
    product = make_product(sku="ETG-002", on_hand=1)
    client = client_for(viewer)
    before = _etag(client)
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    response = client.get(LIST, headers={"If-None-Match": before})
    assert response.status_code == 200
    assert response["ETag"] != before
    assert "6" in response.content.decode()


def test_a_change_elsewhere_changes_the_chip_counts_and_so_the_page(make_product, viewer):
    make_product(sku="ETG-003")
    client = client_for(viewer)
    before = _etag(client, f"{LIST}?q=etg-003")
    make_product(sku="ZZZ-999", on_hand=3)  # not on the searched page, but the chips count it
    assert _etag(client, f"{LIST}?q=etg-003") != before


def test_the_etag_depends_on_the_user_the_query_and_the_fragment(make_product, viewer, clerk):
    make_product(sku="ETG-004")
    viewer_client = client_for(viewer)
    page = _etag(viewer_client)
    assert _etag(client_for(clerk)) != page
    assert _etag(viewer_client, f"{LIST}?sort=-name") != page
    assert _etag(viewer_client, HX_Request="true") != page


def test_a_pending_message_is_rendered_not_answered_with_304(make_product, clerk):
    product = make_product(sku="ETG-005")
    client = client_for(clerk)
    etag = _etag(client)
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Received 1 × ETG-005")
    response = client.get("/")  # any response to carry the cookie
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    shown = client.get(LIST, headers={"If-None-Match": etag})
    assert shown.status_code == 200
    assert "Received 1 × ETG-005" in shown.content.decode()
    assert product.sku in shown.content.decode()


def test_after_a_command_the_redirected_list_renders(make_product, clerk):
    product = make_product(sku="ETG-006", on_hand=2)
    client = client_for(clerk)
    etag = _etag(client)
    client.post(f"/products/{product.product_id}/stock/receive/", stock_form(1))
    assert client.get(LIST, headers={"If-None-Match": etag}).status_code == 200
