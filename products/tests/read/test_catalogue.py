"""The catalogue queries (one product, the list: filters, search, keyset pages) after commands."""

import base64
import json
import uuid
from decimal import Decimal

import pytest

from products.read.queries import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    GetProduct,
    InvalidQuery,
    ListProducts,
)
from products.write import bus

pytestmark = pytest.mark.django_db

SORT_KEYS = {"name": "name", "sku": "sku", "on_hand": "on_hand", "price": "price", "updated": "updated_at"}


def cursor_of(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


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
        # Named, not shown: a random uuid in an id would differ between xdist workers, which then refuse to run.
        ids=["not-base64", "not-a-list", "unknown-direction", "too-short", "bad-uuid", "not-json"],
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
