"""Queries answer what a caller expects after commands (dispatch, then ask)."""

import base64
import json
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from products.read.queries import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    CheckStockAvailability,
    GetInventoryStats,
    GetProduct,
    GetProductStock,
    GetStockBadges,
    InvalidQuery,
    ListProducts,
    ListStockMovements,
)
from products.write import bus
from products.write.commands import ArchiveProduct, CountStock, IssueStock, ReceiveStock

pytestmark = pytest.mark.django_db

SORT_KEYS = {"name": "name", "sku": "sku", "on_hand": "on_hand", "price": "price", "updated": "updated_at"}


def cursor_of(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def shelf(make_product):
    """Four active products, one per status, and one archived product."""
    made = {
        "in_stock": make_product(sku="ACC-001", name="Blue widget", price="2.50", reorder_level=5, on_hand=20),
        "low": make_product(sku="CBL-002", name="USB-C cable, black", price="4.00", reorder_level=10, on_hand=3),
        "out": make_product(sku="TLS-003", name="Torque wrench", price="80.00", reorder_level=2),
        "archived": make_product(sku="OFF-004", name="Blue stapler", price="6.00", on_hand=4),
    }
    bus.dispatch(ArchiveProduct(product_id=made["archived"].product_id))
    return made


class TestGetProduct:
    def test_returns_the_summary(self, product):
        found = GetProduct(product_id=product.product_id).execute()
        assert (found.sku, found.name, found.on_hand, found.status, found.stock_value) == (
            "ACC-001",
            "Blue widget",
            20,
            "in_stock",
            Decimal("50.00"),
        )

    def test_unknown_is_none(self, db):
        assert GetProduct(product_id=uuid.uuid4()).execute() is None


class TestListProductsFilters:
    @pytest.mark.parametrize("status", ["in_stock", "low", "out", "archived"])
    def test_each_status(self, shelf, status):
        page = ListProducts(status=status).execute()
        assert [row.product_id for row in page.rows] == [shelf[status].product_id]
        assert page.next_cursor is None and page.previous_cursor is None

    def test_all_means_every_active_product(self, shelf):
        rows = ListProducts().execute().rows
        assert {row.sku for row in rows} == {"ACC-001", "CBL-002", "TLS-003"}
        assert [row.name for row in rows] == sorted(row.name for row in rows)

    def test_search_within_a_status(self, shelf):
        assert [r.sku for r in ListProducts(search="blue").execute().rows] == ["ACC-001"]
        assert [r.sku for r in ListProducts(search="blue", status="archived").execute().rows] == ["OFF-004"]
        assert ListProducts(search="blue", status="low").execute().rows == []
        assert len(ListProducts(search="   ").execute().rows) == 3

    @pytest.mark.parametrize("status", ["", "deleted", "ALL", None])
    def test_unknown_status(self, db, status):
        with pytest.raises(InvalidQuery, match="Unknown status"):
            ListProducts(status=status).execute()

    @pytest.mark.parametrize("sort", ["colour", "-", "name;drop", "product_id"])
    def test_unknown_sort(self, db, sort):
        with pytest.raises(InvalidQuery, match="Unknown sort"):
            ListProducts(sort=sort).execute()

    @pytest.mark.parametrize(
        ("asked", "given"), [(0, 1), (-5, 1), (3, 3), (10_000, MAX_PAGE_SIZE), ("x", DEFAULT_PAGE_SIZE)]
    )
    def test_page_size_is_bounded(self, make_product, asked, given):
        for n in range(4):
            make_product(sku=f"P-{n}")
        assert len(ListProducts(page_size=asked).execute().rows) == min(given, 4)


@pytest.fixture
def catalogue(make_product):
    """Eleven products with deliberate ties in name, price and on hand."""
    rows = []
    for n in range(11):
        rows.append(
            make_product(
                sku=f"SKU-{n:02d}",
                name=["alpha", "bravo", "charlie"][n % 3],
                price=["1.00", "2.50", "2.50", "9.99"][n % 4],
                on_hand=[0, 5, 5, 12, 30][n % 5],
            )
        )
    return rows


def walk_forward(sort, size):
    pages, cursor = [], None
    while True:
        page = ListProducts(sort=sort, cursor=cursor, page_size=size).execute()
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return pages


class TestKeysetPagination:
    @pytest.mark.parametrize("sort", [*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)])
    def test_every_sort_pages_forward_and_back_without_gaps(self, catalogue, sort):
        column = SORT_KEYS[sort.lstrip("-")]
        rows = [GetProduct(product_id=p.product_id).execute() for p in catalogue]
        expected = sorted(rows, key=lambda r: (getattr(r, column), r.product_id), reverse=sort.startswith("-"))
        expected_ids = [r.product_id for r in expected]

        pages = walk_forward(sort, 4)
        assert [len(p.rows) for p in pages] == [4, 4, 3]
        assert [r.product_id for p in pages for r in p.rows] == expected_ids
        assert pages[0].previous_cursor is None
        assert all(p.previous_cursor for p in pages[1:])

        # Back from the last page: the same pages, in reverse, ending where we began.
        back, cursor = [], pages[-1].previous_cursor
        while cursor:
            page = ListProducts(sort=sort, cursor=cursor, page_size=4).execute()
            back.append([r.product_id for r in page.rows])
            assert page.next_cursor
            cursor = page.previous_cursor
        assert back == [[r.product_id for r in p.rows] for p in reversed(pages[:-1])]

    def test_a_product_added_meanwhile_neither_repeats_nor_hides_rows(self, catalogue, make_product):
        first = ListProducts(sort="sku", page_size=5).execute()
        make_product(sku="SKU-00A")  # sorts into the first page, behind the reader
        rest = walk_forward_from(first.next_cursor, "sku", 5)
        seen = [r.sku for r in first.rows] + rest
        assert len(seen) == len(set(seen)) == 11
        assert "SKU-00A" not in seen

    @pytest.mark.parametrize(
        "cursor",
        [
            "not-base64-$$$",
            cursor_of({"next": 1}),
            cursor_of(["sideways", "a", str(uuid.uuid4())]),
            cursor_of(["next", "a"]),
            cursor_of(["next", "a", "not-a-uuid"]),
            base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        ],
    )
    def test_bad_cursor(self, catalogue, cursor):
        with pytest.raises(InvalidQuery, match="page link is not valid"):
            ListProducts(cursor=cursor).execute()

    @pytest.mark.parametrize(
        ("sort", "value"),
        [("on_hand", "lots"), ("on_hand", None), ("price", "cheap"), ("updated", "yesterday"), ("updated", 5)],
    )
    def test_cursor_value_of_the_wrong_type(self, catalogue, sort, value):
        with pytest.raises(InvalidQuery):
            ListProducts(sort=sort, cursor=cursor_of(["next", value, str(uuid.uuid4())])).execute()

    @pytest.mark.parametrize(
        ("sort", "value"),
        [("on_hand", 10**40), ("on_hand", "-" + "9" * 30), ("price", "NaN"), ("price", "Infinity"), ("price", "1e400")],
    )
    def test_cursor_value_out_of_range(self, catalogue, sort, value):
        """A forged cursor is a caller error, not a database error."""
        with pytest.raises(InvalidQuery):
            ListProducts(sort=sort, cursor=cursor_of(["next", value, str(uuid.uuid4())])).execute()


def walk_forward_from(cursor, sort, size) -> list[str]:
    skus = []
    while cursor:
        page = ListProducts(sort=sort, cursor=cursor, page_size=size).execute()
        skus += [r.sku for r in page.rows]
        cursor = page.next_cursor
    return skus


def _search(text: str, **kwargs) -> list[str]:
    """The SKUs the product list's search finds, in its order."""
    return [row.sku for row in ListProducts(search=text, **kwargs).execute().rows]


class TestSearch:
    @pytest.mark.parametrize(
        ("text", "skus"),
        [
            ("cc-00", ["ACC-001"]),
            ("ACC", ["ACC-001"]),
            ("widget blue", ["ACC-001"]),
            ("BLUE WIDGET", ["ACC-001"]),
            ("cable black", ["CBL-002"]),
            ("wrench tls", ["TLS-003"]),
            ("0", ["ACC-001", "CBL-002", "TLS-003"]),
            ("blue stapler", []),
            ("widget cable", []),
            ("  ", ["ACC-001", "CBL-002", "TLS-003"]),  # a blank search filters nothing
        ],
    )
    def test_finds_by_sku_fragment_and_name_words(self, shelf, text, skus):
        assert sorted(_search(text)) == skus

    def test_archived_only_when_asked(self, shelf):
        assert _search("stapler") == []
        assert _search("stapler", status="archived") == ["OFF-004"]

    def test_follows_renames(self, product):
        from products.write.commands import UpdateProductDetails

        bus.dispatch(
            UpdateProductDetails(
                product_id=product.product_id,
                expected_version=product.version,
                sku="NEW-77",
                name="Green sprocket",
                price="1.00",
                reorder_level=0,
            )
        )
        assert _search("widget") == []
        assert _search("sprocket w-7") == ["NEW-77"]

    def test_like_wildcards_are_literal(self, make_product):
        make_product(sku="PCT-1", name="Discount 50% off")
        make_product(sku="PCT-2", name="Discount 50 off")
        assert _search("50%") == ["PCT-1"]
        assert _search("pct_") == []

    def test_limit_is_bounded(self, make_product):
        for n in range(5):
            make_product(sku=f"LIM-{n}", name="Same thing")
        assert len(_search("same", page_size=3)) == 3
        assert len(_search("same", page_size=0)) == 1


class TestStockQueries:
    def test_get_product_stock(self, shelf):
        stock = GetProductStock(product_id=shelf["low"].product_id).execute()
        assert (stock.sku, stock.on_hand, stock.reorder_level, stock.status, stock.archived) == (
            "CBL-002",
            3,
            10,
            "low",
            False,
        )
        assert GetProductStock(product_id=uuid.uuid4()).execute() is None

    @pytest.mark.parametrize(
        ("quantity", "available", "shortfall"), [(1, True, 0), (20, True, 0), (21, False, 1), (500, False, 480)]
    )
    def test_availability(self, product, quantity, available, shortfall):
        answer = CheckStockAvailability(product_id=product.product_id, quantity=quantity).execute()
        assert (answer.sku, answer.on_hand, answer.requested, answer.available, answer.shortfall) == (
            "ACC-001",
            20,
            quantity,
            available,
            shortfall,
        )

    def test_archived_is_never_available(self, shelf):
        answer = CheckStockAvailability(product_id=shelf["archived"].product_id, quantity=1).execute()
        assert answer.on_hand == 4 and not answer.available

    def test_availability_of_unknown_product(self, db):
        assert CheckStockAvailability(product_id=uuid.uuid4(), quantity=1).execute() is None

    def test_badges_for_a_page(self, shelf):
        ids = [p.product_id for p in shelf.values()] + [uuid.uuid4()]
        badges = GetStockBadges(product_ids=ids).execute()
        assert {badge.sku: badge.status for badge in badges.values()} == {
            "ACC-001": "in_stock",
            "CBL-002": "low",
            "TLS-003": "out",
            "OFF-004": "low",
        }


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


def test_inventory_stats_after_a_sequence(shelf, make_product):
    stats = GetInventoryStats().execute()
    assert stats.counts == {"all": 3, "in_stock": 1, "low": 1, "out": 1, "archived": 1}
    assert stats.total_units == 23
    assert stats.total_value == Decimal("62.00")

    bus.dispatch(IssueStock(product_id=shelf["in_stock"].product_id, quantity=20))
    bus.dispatch(ReceiveStock(product_id=shelf["out"].product_id, quantity=1))
    bus.dispatch(ArchiveProduct(product_id=shelf["low"].product_id))
    make_product(sku="NEW-1", name="New", reorder_level=0, on_hand=9, price="1.00")

    stats = GetInventoryStats().execute()
    assert stats.counts == {"all": 3, "in_stock": 1, "low": 1, "out": 1, "archived": 2}
    assert (stats.active_products, stats.total_units, stats.total_value) == (3, 10, Decimal("89.00"))
    assert stats.last_position > 0


def test_inventory_stats_when_empty(db):
    stats = GetInventoryStats().execute()
    assert stats.counts == {"all": 0, "in_stock": 0, "low": 0, "out": 0, "archived": 0}
    assert stats.total_value == Decimal("0.00")
