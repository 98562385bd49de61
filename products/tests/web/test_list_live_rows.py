"""The product list's poll answers whole rows, so on hand, badge and updated never disagree (issue 17, item 5)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from products.write import bus
from products.write.commands import IssueStock

pytestmark = pytest.mark.django_db


def test_the_lists_poller_asks_for_whole_rows(viewer_client, product):
    html = viewer_client.get(reverse("product_list")).content.decode()
    (poller,) = re.findall(r'id="badge-poller"[^>]*hx-get="([^"]+)"', html)
    assert "rows=1" in poller
    assert f'<tr id="product-row-{product.product_id}">' in html


def test_a_changed_product_comes_back_as_its_whole_row_out_of_band(viewer_client, product, make_product):
    other = make_product(sku="B-1", on_hand=2)
    since = max(product.last_position, other.last_position)
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=16))
    response = viewer_client.get(
        reverse("stock_badges"), {"ids": [product.product_id, other.product_id], "since": since, "rows": "1"}
    )
    html = response.content.decode()
    (row,) = re.findall(r"<template>(.*?)</template>", html, re.S)
    assert row.startswith(f'<tr hx-swap-oob="true" id="product-row-{product.product_id}">')
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[3] == "4"  # on hand, beside the badge that says the same
    assert "Low · 4" in cells[5]
    assert "<time" in cells[6]
    assert "B-1" not in html
    assert html.count("stock-badge-") == 1  # no separate badge swap beside the row's own
