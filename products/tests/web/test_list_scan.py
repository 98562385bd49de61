"""Enter in the list's search on an exact SKU opens that product, as a keyboard-wedge scanner expects (item 15)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def test_enter_on_an_exact_sku_in_any_case_opens_the_product(viewer_client, product):
    response = viewer_client.get(reverse("product_list"), {"q": " acc-001 ", "status": "low", "go": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("product_detail", args=[product.product_id])


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"q": "ACC-001"}, {}),  # a chip or page link: no `go`
        ({"q": "ACC-001", "go": "1"}, HTMX),  # search as you type
        ({"q": "ACC-00", "go": "1"}, {}),  # not a whole SKU
        ({"q": "blue widget", "go": "1"}, {}),  # a name
    ],
)
def test_anything_else_lists_what_matches(viewer_client, product, params, headers):
    response = viewer_client.get(reverse("product_list"), params, headers=headers)
    assert response.status_code == 200
    assert "ACC-001" in response.content.decode()


def test_the_search_forms_button_is_what_sends_go(viewer_client, product):
    html = viewer_client.get(reverse("product_list")).content.decode()
    assert '<button type="submit" name="go" value="1"' in html
