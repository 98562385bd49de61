"""The badge poll: one request per page, 204 when nothing changed, out-of-band swaps when it did."""

from __future__ import annotations

import pytest
from django.urls import reverse

from products.write import bus
from products.write.commands import IssueStock

pytestmark = pytest.mark.django_db


def poll(client, ids, since, **extra):
    return client.get(reverse("stock_badges"), {"ids": [str(i) for i in ids], "since": since, **extra})


def test_nothing_changed_is_204(viewer_client, product, make_product):
    other = make_product(sku="B-1", on_hand=2)
    since = max(product.last_position, other.last_position)
    response = poll(viewer_client, [product.product_id, other.product_id], since)
    assert response.status_code == 204 and response.content == b""


def test_changed_badge_comes_back_out_of_band_with_the_new_position(viewer_client, product, make_product):
    other = make_product(sku="B-1", on_hand=2)
    since = max(product.last_position, other.last_position)
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=16))
    response = poll(viewer_client, [product.product_id, other.product_id], since)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="stock-badge-{product.product_id}"' in html and "Low · 4" in html
    assert f"stock-badge-{other.product_id}" not in html
    assert 'hx-swap-oob="true"' in html
    poller = response.content.decode().split('id="badge-poller"')[1]
    assert f"since={since + 1}" in poller
    assert poll(viewer_client, [product.product_id, other.product_id], since + 1).status_code == 204


def test_detail_page_poll_also_refreshes_on_hand_and_history(viewer_client, product):
    since = product.last_position
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=1, note="walk-in"))
    html = poll(viewer_client, [product.product_id], since, detail=product.product_id, history="1").content.decode()
    assert f'id="on-hand-{product.product_id}"' in html and ">19<" in html
    assert '<section id="history"' in html and "walk-in" in html
    assert '<section id="details"' in html


def test_pages_carry_one_poller_for_all_their_badges(viewer_client, make_product):
    for n in range(3):
        make_product(sku=f"P-{n}")
    html = viewer_client.get(reverse("product_list")).content.decode()
    assert html.count('id="badge-poller"') == 1
    assert html.count("ids=") == 3
    assert 'hx-trigger="every 5.0s, stock-changed from:body"' in html


def test_poll_interval_is_a_setting(viewer_client, product, settings):
    settings.STOCK_BADGE_POLL_SECONDS = 0.5
    html = viewer_client.get(reverse("product_detail", args=[product.product_id])).content.decode()
    assert "every 0.5s" in html


def test_bad_poll_parameters_are_ignored(viewer_client, product):
    response = viewer_client.get(reverse("stock_badges"), {"ids": ["nope", str(product.product_id)], "since": "x"})
    assert response.status_code == 200 and "In stock · 20" in response.content.decode()
