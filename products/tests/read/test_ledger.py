"""The ledger lists the movements commands made, filtered and paged (dispatch, then ask)."""

import pytest
from django.utils import timezone

from products.read.queries import (
    ListStockMovements,
)
from products.write import bus
from products.write.commands import ArchiveProduct, CountStock, IssueStock, ReceiveStock

pytestmark = pytest.mark.django_db


class TestMovements:
    @pytest.fixture
    def history(self, make_product):
        first = make_product(sku="MOV-1", name="First")
        second = make_product(sku="MOV-2", name="Second")
        steps = [
            ReceiveStock(product_id=first.product_id, quantity=10, note="PO-1"),
            ReceiveStock(product_id=second.product_id, quantity=7),
            IssueStock(product_id=first.product_id, quantity=4),
            CountStock(product_id=first.product_id, quantity=5, note="Cycle count"),
        ]
        marks = []
        for step in steps:
            marks.append(timezone.now())
            bus.dispatch(step)
        return first, second, marks

    def test_overall_newest_first(self, history):
        rows = ListStockMovements().execute().rows
        assert [(r.sku, r.kind, r.quantity, r.on_hand_after) for r in rows] == [
            ("MOV-1", "counted", -1, 5),
            ("MOV-1", "issued", -4, 6),
            ("MOV-2", "received", 7, 7),
            ("MOV-1", "received", 10, 10),
        ]
        assert [r.position for r in rows] == sorted((r.position for r in rows), reverse=True)
        assert rows[-1].note == "PO-1" and rows[-1].product_name == "First" and rows[-1].actor == "system"

    def test_per_product(self, history):
        first, second, _ = history
        assert [r.kind for r in ListStockMovements(product_id=first.product_id).execute().rows] == [
            "counted",
            "issued",
            "received",
        ]
        assert [r.quantity for r in ListStockMovements(product_id=second.product_id).execute().rows] == [7]

    @pytest.mark.parametrize(("kind", "count"), [("received", 2), ("issued", 1), ("counted", 1)])
    def test_kind_filter(self, history, kind, count):
        rows = ListStockMovements(kind=kind).execute().rows
        assert len(rows) == count and {r.kind for r in rows} == {kind}

    def test_date_filters(self, history):
        _, _, marks = history
        assert [r.kind for r in ListStockMovements(since=marks[2]).execute().rows] == ["counted", "issued"]
        assert [r.quantity for r in ListStockMovements(until=marks[1]).execute().rows] == [10]
        assert [r.kind for r in ListStockMovements(since=marks[1], until=marks[3]).execute().rows] == [
            "issued",
            "received",
        ]

    def test_paging_by_position(self, history):
        first = ListStockMovements(page_size=3).execute()
        assert len(first.rows) == 3 and first.next_cursor == str(first.rows[-1].position)
        rest = ListStockMovements(page_size=3, before_position=int(first.next_cursor)).execute()
        assert [r.quantity for r in rest.rows] == [10] and rest.next_cursor is None
        everything = ListStockMovements().execute().rows
        assert first.rows + rest.rows == everything

    def test_archived_product_keeps_its_history(self, history):
        first, _, _ = history
        bus.dispatch(ArchiveProduct(product_id=first.product_id))
        assert len(ListStockMovements(product_id=first.product_id).execute().rows) == 3
