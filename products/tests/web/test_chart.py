"""The stock chart: a step line of on hand, the reorder line, receipt and issue marks, in SVG drawn on the server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from products.read.queries import GetStockSeries
from products.web.chart import BOTTOM, LEFT, MAX_MARKS, RIGHT, TOP, draw
from products.write import bus
from products.write.commands import IssueStock, ReceiveStock, UpdateProductDetails

from .conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(clock, make_product):
    """Made 10 days ago with 20 (reorder 5); 15 issued, 40 received, reorder level raised to 10."""
    product = make_product(sku="CHR-001", price="2.00", reorder_level=5, on_hand=20)
    clock.tick(days=2)
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=15))
    clock.tick(days=2)
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=40))
    clock.tick(days=1)
    bus.dispatch(
        UpdateProductDetails(
            product_id=product.product_id, expected_version=4, sku=None, name=None, price=None, reorder_level=10
        )
    )
    return product


def series(product, since, until=None):
    return GetStockSeries(product_id=product.product_id, since=since, until=until or timezone.now()).execute()


def test_the_series_starts_at_the_level_then_and_holds_each_movement(moved, clock):
    whole = series(moved, moved.created_at)
    assert whole.start_on_hand == 0 and [step[1:] for step in whole.steps] == [
        (20, 20, "received"),
        (5, -15, "issued"),
        (45, 40, "received"),
    ]
    assert [level for _, level in whole.reorder_steps] == [5, 10]
    later = series(moved, moved.created_at + timedelta(days=3))
    assert (later.start_on_hand, later.start_reorder_level, len(later.steps)) == (5, 5, 1)


def test_the_drawing_is_a_step_line_with_marks_and_words(moved):
    chart = draw(series(moved, moved.created_at))
    assert chart.stock_path.startswith(f"M{LEFT},{BOTTOM}") and chart.stock_path.count("V") == 3
    assert [kind for _, _, kind, _ in chart.marks] == ["received", "issued", "received"]
    assert all(LEFT <= x <= RIGHT and TOP <= y <= BOTTOM for x, y, _, _ in chart.marks)
    assert "on hand went from 0 to 45 (lowest 0, highest 45); 2 receipts and 1 issues; reorder level changed" in (
        chart.summary
    )


def test_a_long_history_is_drawn_per_pixel_column_without_marks(make_product):
    product = make_product(sku="BUSY-1", on_hand=1000)
    for _ in range(MAX_MARKS + 5):
        bus.dispatch(IssueStock(product_id=product.product_id, quantity=1))
    chart = draw(series(product, product.created_at))
    assert chart.marks == [] and chart.marks_left_out
    columns = re.findall(r"H[\d.]+", chart.stock_path)
    assert len(columns) <= RIGHT - LEFT + 2


def test_the_product_page_draws_the_chart_accessibly_and_without_inline_styles(viewer_client, moved):
    page = viewer_client.get(reverse("product_detail", args=[moved.product_id])).content.decode()
    chart = page[page.index('<section id="stock-chart"') : page.index("</section>", page.index('id="stock-chart"'))]
    assert 'role="img"' in chart and "<title id=" in chart and "<desc id=" in chart
    assert "style=" not in chart and "<script" not in chart
    assert 'class="chart-stock"' in chart and 'class="chart-reorder"' in chart and 'class="chart-receipt"' in chart


def test_zooming_to_all_time_answers_in_place_with_htmx(viewer_client, moved):
    url = reverse("product_chart", args=[moved.product_id])
    fragment = viewer_client.get(url, {"chart": "all"}, headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="stock-chart"') and "All time" in fragment
    assert 'aria-current="true"' in fragment
    plain = viewer_client.get(url, {"chart": "all"})
    assert plain.status_code == 302 and "chart=all" in plain.url
