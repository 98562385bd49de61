"""On PostgreSQL, product search is served by the trigram GIN index, in the SQL really issued."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products.read.queries import ListProducts
from products.seeding import CATEGORIES, COLOURS, QUALIFIERS

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]

INDEX = "summary_search_trgm"


# Read-model rows made in SQL: the plan depends on the table's size and contents, not on how
# the rows arrived, and 12,000 rows this way take a few seconds where seeding through events takes ~25.
FILL = """
    INSERT INTO products_productsummary (
        product_id, sku, name, description, price, reorder_level, on_hand, reserved, available, status, archived,
        version, stock_value, search_text, created_at, updated_at, last_movement_at, last_position)
    SELECT md5(i::text)::uuid, sku, name, '', 9.99, 5, i % 40, 0, i % 40, 'in_stock', i % 13 = 0,
           1, 0, lower(sku || ' ' || name), now(), now(), NULL, i
    FROM (
        SELECT i,
               prefixes[1 + i % cardinality(prefixes)] || '-' || lpad(i::text, 6, '0') AS sku,
               qualifiers[1 + i % cardinality(qualifiers)] || ' '
                   || nouns[1 + (i / 10) % cardinality(nouns)] || ', '
                   || colours[1 + (i / 7) % cardinality(colours)] AS name
        FROM generate_series(1, 12000) AS i,
             (SELECT %s::text[] AS prefixes, %s::text[] AS qualifiers, %s::text[] AS nouns, %s::text[] AS colours) AS w
    ) AS generated
"""


@pytest.fixture
def big_catalogue(transactional_db):
    """12,000 realistic summary rows, vacuumed and analysed: at 2,000 a seq scan is rightly cheaper.

    Committed (transactional test) so VACUUM can clear what earlier tests' rolled-back inserts left
    in the table and the GIN pending list; a test database never gets autovacuum's attention in time,
    and that debris would make the planner's choice depend on test order.
    """
    nouns = [noun for names, _ in CATEGORIES.values() for noun in names]
    with connection.cursor() as cursor:
        cursor.execute(FILL.replace("%", "%%").replace("%%s", "%s"), [list(CATEGORIES), QUALIFIERS, nouns, COLOURS])
        cursor.execute("VACUUM ANALYZE products_productsummary")


def plan_of(run) -> str:
    """EXPLAIN the exact statement a query sent (as psycopg rendered it), not a re-compiled guess."""
    with CaptureQueriesContext(connection) as captured:
        run()
    [statement] = [q["sql"] for q in captured.captured_queries if "search_text" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {statement}")
        return "\n".join(row[0] for row in cursor.fetchall())


SEARCHES = {
    "a SKU fragment": lambda: ListProducts(search="000123").execute().rows,
    "words in any order": lambda: ListProducts(search="wrench torque ey").execute().rows,
    "three short words": lambda: ListProducts(search="xl storage bin").execute().rows,
    "the product list": lambda: ListProducts(search="000123", sort="-on_hand").execute().rows,
    "the product list, filtered": lambda: ListProducts(search="hard hat blue", status="in_stock").execute().rows,
}


def test_selective_searches_use_the_trigram_index(big_catalogue):
    for label, search in SEARCHES.items():
        assert search(), f"{label}: the search should find something"
        plan = plan_of(search)
        assert INDEX in plan, f"{label}:\n{plan}"


def test_index_matches_the_column_the_sql_filters_on(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX])
        [(definition,)] = cursor.fetchall()
    assert "gin (search_text gin_trgm_ops)" in definition
