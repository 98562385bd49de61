"""Every page costs a bounded number of queries, however big the catalogue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from products.seeding import seed_catalogue

pytestmark = pytest.mark.django_db

MAX_QUERIES = 14
# The product list: the session, the user with their groups and permissions (cqrs_demo.auth), the page, the counts.
LIST_PAGE_QUERIES = 4


def _pages(product_id) -> list[str]:
    return [
        reverse("dashboard"),
        reverse("product_list"),
        reverse("product_list") + "?q=a&status=low&sort=-price",
        reverse("product_list") + "?location=A-01",
        reverse("product_detail", args=[product_id]),
        reverse("location_list"),
        reverse("product_edit", args=[product_id]),
        reverse("movement_list"),
        reverse("stock_badges") + f"?ids={product_id}&since=0",
    ]


@pytest.mark.parametrize("catalogue", [10, 200])
def test_query_count_does_not_grow_with_the_catalogue(manager_client, django_assert_max_num_queries, catalogue):
    seed_catalogue(catalogue, seed=7)
    from products.read.queries import ListProducts

    product_id = ListProducts(page_size=1).execute().rows[0].product_id
    for url in _pages(product_id):
        with django_assert_max_num_queries(MAX_QUERIES):
            assert manager_client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["viewer", "clerk", "manager"])
def test_the_product_list_costs_four_queries_for_every_role(request, django_assert_max_num_queries, role):
    seed_catalogue(60, seed=7)
    client = request.getfixturevalue(f"{role}_client")
    seed_catalogue(60, seed=8, bins=6)  # stock spread over bins: the location filter is one subquery, not a query
    urls = [reverse("product_list") + query for query in ("", "?q=a&status=low&sort=-price", "?location=A-01")]
    for url in urls:
        with django_assert_max_num_queries(LIST_PAGE_QUERIES):
            assert client.get(url).status_code == 200, url
