"""The product list's FilterSet: what `?q=&status=&sort=` mean, after commands, on the read model only."""

import pytest
from django.http import QueryDict

from products.read.filters.catalogue import SEARCH_MAX_LENGTH, SEARCH_TOO_LONG, ProductFilter

pytestmark = pytest.mark.django_db


def skus(filters) -> list[str]:
    return sorted(filters.qs.values_list("sku", flat=True))


def test_no_status_means_every_active_product(shelf):
    assert skus(ProductFilter(QueryDict())) == ["ACC-001", "CBL-002", "TLS-003"]
    assert skus(ProductFilter(QueryDict("status=nonsense"))) == ["ACC-001", "CBL-002", "TLS-003"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("low", ["CBL-002"]), ("out", ["TLS-003"]), ("in_stock", ["ACC-001"]), ("archived", ["OFF-004"])],
)
def test_a_status_picks_its_rows(shelf, status, expected):
    assert skus(ProductFilter(QueryDict(f"status={status}"))) == expected


def test_search_and_status_combine_word_by_word(shelf):
    assert skus(ProductFilter(QueryDict("q=blue"))) == ["ACC-001"]
    assert skus(ProductFilter(QueryDict("q=blue&status=archived"))) == ["OFF-004"]
    assert skus(ProductFilter(QueryDict("q=cable+BLACK&status=low"))) == ["CBL-002"]
    assert skus(ProductFilter(QueryDict("q=cable+white"))) == []


def test_list_query_keeps_valid_values_and_defaults_the_rest(db):
    assert ProductFilter(QueryDict("q=+cable+&status=low&sort=-on_hand")).list_query() == {
        "search": "cable",
        "status": "low",
        "sort": "-on_hand",
    }
    assert ProductFilter(QueryDict("status=bogus&sort=colour")).list_query() == {
        "search": "",
        "status": "all",
        "sort": "name",
    }
    assert ProductFilter(QueryDict("sort=-updated")).list_query()["sort"] == "-updated"


def test_a_whole_name_is_a_valid_search_but_a_longer_text_is_refused_with_a_reason(shelf):
    longest = "b" * SEARCH_MAX_LENGTH
    assert ProductFilter(QueryDict(f"q={longest}")).search_problem() is None
    too_long = ProductFilter(QueryDict(f"q={longest}b"))
    assert too_long.search_problem() == SEARCH_TOO_LONG.format(limit=SEARCH_MAX_LENGTH, length=SEARCH_MAX_LENGTH + 1)
    assert "201" in too_long.search_problem()
    assert too_long.list_query()["search"] == ""


def test_rows_matches_the_filterset_for_checked_values(shelf):
    for query in ("q=blue", "status=archived", "q=widget&status=in_stock", ""):
        filters = ProductFilter(QueryDict(query))
        values = filters.list_query()
        rows = ProductFilter.rows(search=values["search"], status=values["status"])
        assert sorted(rows.values_list("sku", flat=True)) == skus(filters), query
