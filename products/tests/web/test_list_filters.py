"""The product list's search, chips, sort and export link always carry the same filters (issue 17, item 4)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from products.read.filters.catalogue import SEARCH_MAX_LENGTH, SEARCH_TOO_LONG

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def links(html: str, pattern: str) -> list[str]:
    return [html_lib.unescape(found) for found in re.findall(pattern, html)]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_chips_export_and_the_search_forms_hidden_fields_carry_the_filters(viewer_client, product, headers):
    html = viewer_client.get(
        reverse("product_list"), {"q": "blue widget", "status": "low", "sort": "-on_hand"}, headers=headers
    ).content.decode()
    chips = links(html, r'class="nav-link chip[^"]*"[^>]*href="([^"]+)"')
    assert chips == [
        f"?q=blue+widget&status={key}&sort=-on_hand" for key in ("all", "in_stock", "low", "out", "archived")
    ]
    assert links(html, r'href="([^"]+)" download>Export CSV') == [
        reverse("product_export") + "?q=blue+widget&status=low&sort=-on_hand"
    ]
    # The box's own form sends these with every keystroke: they are swapped with the results, never stale.
    assert '<input type="hidden" name="status" value="low" form="product-search">' in html
    assert '<input type="hidden" name="sort" value="-on_hand" form="product-search">' in html


def test_the_export_link_downloads_exactly_the_filtered_rows(viewer_client, make_product):
    make_product(sku="BAT-1", name="Battery pack", reorder_level=5, on_hand=2)
    make_product(sku="BAT-2", name="Battery charger", reorder_level=5, on_hand=40)
    make_product(sku="CAB-1", name="Cable", reorder_level=5, on_hand=1)
    html = viewer_client.get(reverse("product_list"), {"q": "battery", "status": "low"}).content.decode()
    (export,) = links(html, r'href="([^"]+)" download>Export CSV')
    body = b"".join(viewer_client.get(export).streaming_content).decode("utf-8-sig")
    assert [line.split(",")[0] for line in body.splitlines()] == ["sku", "BAT-1"]


def test_a_search_longer_than_a_name_is_refused_with_a_message_and_kept_in_the_box(viewer_client, product):
    typed = "a" * (SEARCH_MAX_LENGTH + 1)
    response = viewer_client.get(reverse("product_list"), {"q": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert SEARCH_TOO_LONG.format(limit=SEARCH_MAX_LENGTH, length=len(typed)) in html
    assert f'value="{typed}"' in html
    assert "Blue widget" not in html  # not silently ignored: no unfiltered rows under a search that was not run
    export = viewer_client.get(reverse("product_export"), {"q": typed})
    assert export.status_code == 400
    assert export.content.decode() == SEARCH_TOO_LONG.format(limit=SEARCH_MAX_LENGTH, length=len(typed))


def test_the_result_count_and_the_chip_counts_follow_the_search(viewer_client, make_product):
    make_product(sku="BAT-1", name="Battery pack", reorder_level=5, on_hand=2)
    make_product(sku="BAT-2", name="Battery charger", reorder_level=5, on_hand=40)
    make_product(sku="CAB-1", name="Cable", reorder_level=5, on_hand=1)
    html = viewer_client.get(reverse("product_list"), {"q": "battery", "status": "low"}).content.decode()
    assert re.search(r'id="result-count"[^>]*>1 product<', html)
    counts = re.findall(r'chip-count">([^<]+)<', html)
    assert counts == ["2", "1", "1", "0", "0"]
    html = viewer_client.get(reverse("product_list")).content.decode()
    assert re.search(r'id="result-count"[^>]*>3 products<', html)
    assert re.findall(r'chip-count">([^<]+)<', html) == ["3", "1", "2", "0", "0"]


def test_a_capped_count_says_that_counting_stopped(viewer_client, make_product, monkeypatch):
    from products.read.queries import counts

    monkeypatch.setattr(counts, "COUNT_CAP", 1)
    make_product(sku="BAT-1", name="Battery pack", reorder_level=5, on_hand=20)
    make_product(sku="BAT-2", name="Battery charger", reorder_level=5, on_hand=40)
    html = viewer_client.get(reverse("product_list"), {"q": "battery"}).content.decode()
    assert re.search(r'id="result-count"[^>]*>1\+ products <span[^>]*>\(counted in the first 1 matches\)', html)
    assert re.findall(r'chip-count">([^<]+)<', html) == ["1+", "1+", "0+", "0+", "0+"]
