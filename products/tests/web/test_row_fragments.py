"""Product list rows come from the fragment cache, and a cached row is never an out-of-date row."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.cache import caches
from django.test import RequestFactory
from django.urls import reverse

from bench import apps as bench_apps
from bench import views as bench_views
from products.read.queries import ListProducts
from products.read.tables import ProductSummary
from products.web import fragments, tables
from products.web.tables import ProductTable

pytestmark = pytest.mark.django_db

LIST = reverse("product_list")


@pytest.fixture(autouse=True)
def empty_fragment_cache():
    caches[fragments.CACHE_ALIAS].clear()
    yield
    caches[fragments.CACHE_ALIAS].clear()


@pytest.fixture
def fixed_relative_time(monkeypatch):
    """Relative words that do not tick between two requests, so whole rows can be compared."""
    monkeypatch.setattr(tables, "naturaltime", lambda value: "a while ago")


def _get(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response


def _rows(response) -> str:
    return re.search(r"<tbody.*?</tbody>", response.content.decode(), re.S).group(0)


def _fresh(response) -> int:
    return response.context["table"].rows_rendered_fresh


def test_a_warm_second_request_renders_no_row(viewer_client, make_product):
    for n in range(3):
        make_product(sku=f"ACC-00{n}", on_hand=n)
    assert _fresh(_get(viewer_client)) == 3
    assert _fresh(_get(viewer_client)) == 0
    assert _fresh(_get(viewer_client, sort="-on_hand")) == 0, "rows do not depend on the sort"


def test_a_cached_row_is_the_row_rendered_fresh(viewer_client, make_product, fixed_relative_time):
    make_product(sku="ACC-001", name="Blue <widget> & co", price="1234.50", reorder_level=5, on_hand=3)
    make_product(sku="ACC-002", name="Red widget", on_hand=0)
    fresh = _get(viewer_client)
    cached = _get(viewer_client)
    assert (_fresh(fresh), _fresh(cached)) == (2, 0)
    assert _rows(cached) == _rows(fresh)
    assert "Blue &lt;widget&gt; &amp; co" in _rows(cached) and "1,234.50" in _rows(cached)
    assert "a while ago</time>" in _rows(cached)


def test_receiving_stock_shows_the_new_on_hand_and_badge_next_time(clerk_client, make_product):
    product = make_product(sku="ACC-001", reorder_level=5, on_hand=4)
    make_product(sku="ACC-002", on_hand=9)
    assert "Low · 4" in _rows(_get(clerk_client))

    url = reverse("product_stock", args=[product.product_id, "receive"])
    assert clerk_client.post(url, {"command_id": uuid.uuid4(), "quantity": 10}).status_code == 302
    after = _get(clerk_client)
    assert "In stock · 14" in _rows(after) and "Low · 4" not in _rows(after)
    assert _fresh(after) == 1, "only the changed row is rendered again"


def test_a_row_restored_with_the_same_version_but_other_values_is_rendered_again(viewer_client, product):
    """A restored backup or a rebuild can reuse a version number: the key also covers what the row shows."""
    assert "In stock · 20" in _rows(_get(viewer_client))
    ProductSummary.objects.filter(pk=product.product_id).update(on_hand=3, status="low")
    after = _get(viewer_client)
    assert "Low · 3" in _rows(after) and _fresh(after) == 1


def test_relative_times_are_worded_per_request_not_cached(viewer_client, product, monkeypatch):
    first = _get(viewer_client)
    assert re.search(r"<time datetime=[^>]*>now</time>|seconds? ago</time>", _rows(first))
    monkeypatch.setattr(tables, "naturaltime", lambda value: "3 hours ago")
    later = _get(viewer_client)
    assert _fresh(later) == 0 and "3 hours ago</time>" in _rows(later)


def test_rows_a_manager_warmed_are_what_a_viewer_gets_fresh(
    manager_client, viewer_client, make_product, fixed_relative_time
):
    """Rows carry no per-user controls; if they ever do, the key must name the variant or this fails."""
    make_product(sku="ACC-001", on_hand=2)
    _get(manager_client)
    from_manager_cache = _get(viewer_client)
    assert _fresh(from_manager_cache) == 0
    caches[fragments.CACHE_ALIAS].clear()
    viewer_fresh = _get(viewer_client)
    assert _fresh(viewer_fresh) == 1
    assert _rows(from_manager_cache) == _rows(viewer_fresh)


def test_the_key_covers_every_value_a_column_shows(product):
    table = ProductTable(ListProducts().execute())
    shown = {str(column.accessor) for column in table.columns}
    assert shown <= {*ProductTable.fragment_identity, *ProductTable.fragment_fields}


def test_the_fresh_tables2_rows_reference_renders_every_row_fresh(clerk, make_product, monkeypatch):
    for n in range(3):
        make_product(sku=f"ACC-00{n}")
    monkeypatch.setattr(bench_views, "_cached", {})
    rendered = []
    real = fragments.render_rows

    def spy(table, context):
        html = real(table, context)
        rendered.append(table.rows_rendered_fresh)
        return html

    monkeypatch.setattr(fragments, "render_rows", spy)
    for _ in range(2):
        assert bench_views.render_only(RequestFactory().get("/bench/render/")).status_code == 200
    assert rendered == [3, 3]


def test_the_bench_first_visit_header_empties_the_cache_before_the_request(viewer_client, make_product):
    for n in range(2):
        make_product(sku=f"ACC-00{n}")
    assert _fresh(_get(viewer_client)) == 2
    bench_apps._empty_fragment_cache(None, environ={"HTTP_X_BENCH_FIRST_VISIT": "0"})
    assert _fresh(_get(viewer_client)) == 0
    bench_apps._empty_fragment_cache(None, environ={"HTTP_X_BENCH_FIRST_VISIT": "1"})
    assert _fresh(_get(viewer_client)) == 2


def test_user_text_in_a_cached_row_stays_escaped(viewer_client, make_product):
    make_product(sku="XSS-1", name='<script>alert("row")</script> & <b>bold</b>')
    for _ in range(2):  # the first visit renders the row, the second serves it from the cache
        rows = _rows(_get(viewer_client))
        assert "<script>" not in rows and "<b>" not in rows
        assert "&lt;script&gt;alert(&quot;row&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in rows
