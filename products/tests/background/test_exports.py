"""CSV exports: the same rows the list pages show for the same filters, streamed in flat memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
from functools import partial

import pytest

from products.read.filters.ledger import NO_MATCH
from products.read.queries.bulk import StreamProducts
from products.seeding import seed_catalogue
from products.web import exports
from products.write import bus
from products.write.commands import ArchiveProduct, IssueStock

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def shelf(make_product):
    """Four products: in stock, low, out, archived; a few movements."""
    widget = make_product(sku="W-1", name="Blue widget", reorder_level=5, on_hand=50)
    make_product(sku="W-2", name="Red widget", reorder_level=5, on_hand=3)
    make_product(sku="G-1", name="Gadget", on_hand=0)
    old = make_product(sku="W-3", name="=cmd|' /C calc'!A0 widget", on_hand=1)
    bus.dispatch(ArchiveProduct(product_id=old.product_id))
    bus.dispatch(IssueStock(product_id=widget.product_id, quantity=4, note="order 1"))
    return widget


def test_product_export_respects_search_status_and_sort(client, viewer, shelf):
    client.force_login(viewer)
    response = client.get("/products/export.csv", {"q": "widget", "status": "all", "sort": "-sku"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="products-')
    rows = read_csv(response)
    assert [(r["sku"], r["on_hand"], r["status"]) for r in rows] == [("W-2", "3", "low"), ("W-1", "46", "in_stock")]
    assert [r["sku"] for r in read_csv(client.get("/products/export.csv", {"status": "out"}))] == ["G-1"]
    archived = read_csv(client.get("/products/export.csv", {"status": "archived"}))
    assert archived[0]["name"].startswith("'=cmd")  # a spreadsheet must not run it as a formula
    assert archived[0]["archived"] == "yes"


def test_movement_export_respects_the_ledger_filters(client, viewer, shelf):
    client.force_login(viewer)
    rows = read_csv(client.get("/movements/export.csv", {"product": "w-1"}))
    assert [(r["kind"], r["quantity"], r["on_hand_after"], r["note"]) for r in rows] == [
        ("issued", "-4", "46", "order 1"),
        ("received", "50", "50", ""),
    ]
    received = read_csv(client.get("/movements/export.csv", {"kind": "received"}))
    assert {r["sku"] for r in received} == {"W-1", "W-2", "W-3"}


def test_bad_filters_are_a_clear_400_not_a_broken_file(client, viewer, shelf):
    client.force_login(viewer)
    response = client.get("/movements/export.csv", {"product": "NOPE"})
    assert response.status_code == 400
    assert NO_MATCH.format(text="NOPE") in response.content.decode()


def test_export_needs_a_login(client):
    assert client.get("/products/export.csv").status_code == 302


def test_export_streams_thousands_of_rows_in_flat_memory(client, viewer, monkeypatch):
    """Three times the rows, about the same peak memory: one 500-row keyset chunk at a time."""
    monkeypatch.setattr(exports, "StreamProducts", partial(StreamProducts, chunk=500))
    client.force_login(viewer)

    def peak_while_streaming() -> tuple[int, int]:
        tracemalloc.start()
        lines = sum(1 for _ in client.get("/products/export.csv", {"sort": "sku"}).streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return lines, peak

    seed_catalogue(products=1_000, movements_per_product=0)
    peak_while_streaming()  # first request: imports, caches, session
    small_lines, small_peak = peak_while_streaming()
    seed_catalogue(products=2_000, movements_per_product=0)
    large_lines, large_peak = peak_while_streaming()
    assert (small_lines, large_lines) == (1_001, 3_001)  # header + rows
    assert large_peak < small_peak * 1.5
