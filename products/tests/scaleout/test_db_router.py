"""Read-model reads go to the replica; writes, transactions and reads right after a command, to the primary."""

from __future__ import annotations

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from cqrs_demo.db_router import REPLICA, ReplicaRouter, pinned
from cqrs_demo.middleware import PIN_COOKIE
from products.read.queries import GetProduct, ListProducts
from products.read.tables import InventoryStats, ProductSummary, StockMovementEntry
from products.write import bus
from products.write.aggregates import Product
from products.write.commands import ReceiveStock, UpdateProductDetails
from products.write.log import Event

from .conftest import REPLICA_DB, client_for, stock_form

router = ReplicaRouter()


@pytest.mark.parametrize("model", [ProductSummary, StockMovementEntry, InventoryStats])
def test_read_models_are_read_from_the_replica(model):
    assert router.db_for_read(model) == REPLICA


@pytest.mark.parametrize("model", [Product, Event])
def test_write_model_is_read_from_the_primary(model):
    assert router.db_for_read(model) == DEFAULT_DB_ALIAS


@pytest.mark.parametrize("model", [Product, Event, ProductSummary, StockMovementEntry])
def test_every_write_goes_to_the_primary(model):
    assert router.db_for_write(model) == DEFAULT_DB_ALIAS


def test_a_pinned_request_reads_the_primary():
    with pinned():
        assert router.db_for_read(ProductSummary) == DEFAULT_DB_ALIAS
    assert router.db_for_read(ProductSummary) == REPLICA


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "products")
    assert not router.allow_migrate(REPLICA, "products")


def _queries(alias):
    return CaptureQueriesContext(connections[alias])


@REPLICA_DB
def test_queries_read_the_replica_and_commands_the_primary(replica_routing, make_product):
    product = make_product(sku="RTR-001", on_hand=3)
    with _queries(REPLICA) as replica, _queries(DEFAULT_DB_ALIAS) as primary:
        page = ListProducts().execute()
    assert [row.sku for row in page.rows] == ["RTR-001"]
    assert len(replica) >= 1
    assert primary.captured_queries == []

    with _queries(REPLICA) as replica:
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=2))
    assert replica.captured_queries == [], "a command's reads (projections included) stay on the primary"
    assert GetProduct(product_id=product.product_id).execute().on_hand == 5


@REPLICA_DB
def test_reads_inside_a_transaction_use_the_primary(replica_routing, make_product):
    make_product(sku="RTR-002")
    with transaction.atomic(), _queries(REPLICA) as replica:
        assert ListProducts().execute().rows
    assert replica.captured_queries == []


@REPLICA_DB
def test_after_a_command_the_same_user_reads_the_primary(replica_routing, make_product, clerk):
    product = make_product(sku="RTR-003", on_hand=1)
    client = client_for(clerk)
    detail = f"/products/{product.product_id}/"

    with _queries(REPLICA) as replica:
        assert client.get(detail).status_code == 200
    assert replica.captured_queries, "before any command the page reads the replica"

    response = client.post(f"/products/{product.product_id}/stock/receive/", stock_form(4))
    assert response.status_code == 302
    pin = response.cookies[PIN_COOKIE]
    assert int(pin.value) >= time.time()
    assert pin["max-age"] == 5

    with _queries(REPLICA) as replica, _queries(DEFAULT_DB_ALIAS) as primary:
        page = client.get(response["Location"])
    assert page.status_code == 200
    assert "on hand now 5" in page.content.decode()
    assert replica.captured_queries == [], "the redirect after the command reads the primary"
    assert any("products_productsummary" in q["sql"] for q in primary.captured_queries)


@REPLICA_DB
def test_other_users_and_expired_pins_read_the_replica(replica_routing, make_product, clerk, viewer):
    product = make_product(sku="RTR-004", on_hand=1)
    clerk_client = client_for(clerk)
    clerk_client.post(f"/products/{product.product_id}/stock/receive/", stock_form(1))

    with _queries(REPLICA) as replica:
        assert client_for(viewer).get("/products/").status_code == 200
    assert replica.captured_queries, "someone who ran no command reads the replica"

    clerk_client.cookies[PIN_COOKIE] = str(int(time.time()) - 1)
    with _queries(REPLICA) as replica:
        assert clerk_client.get("/products/").status_code == 200
    assert replica.captured_queries, "once the pin has expired, reads go back to the replica"


@pytest.mark.django_db
def test_without_a_replica_no_pin_cookie_is_set(make_product, clerk):
    product = make_product(sku="RTR-005")
    response = client_for(clerk).post(f"/products/{product.product_id}/stock/receive/", stock_form(1))
    assert response.status_code == 302
    assert PIN_COOKIE not in response.cookies


@REPLICA_DB
def test_a_patch_keeps_what_it_leaves_out_from_the_write_model_not_a_lagging_replica(
    replica_routing, make_product, manager
):
    """PATCH fills the details it leaves out from the locked product row, never from the replica's summary."""
    product = make_product(sku="RTR-STALE", name="Before", price="1.00")
    bus.dispatch(
        UpdateProductDetails(
            product_id=product.product_id,
            expected_version=product.version,
            sku="RTR-STALE",
            name="After",
            price="1.00",
            reorder_level=0,
        )
    )
    # The replica has not caught up: its summary still shows the old name (the mirror shares the database).
    ProductSummary.objects.filter(pk=product.product_id).update(name="Before")

    response = client_for(manager).patch(
        f"/api/products/{product.product_id}/",
        {"price": "2.50", "version": product.version + 1},
        content_type="application/json",
    )
    assert response.status_code == 204, response.content
    row = Product.objects.get(pk=product.product_id)
    assert (row.name, str(row.price), row.version) == ("After", "2.50", product.version + 2)
    assert Event.objects.filter(stream_id=product.product_id).order_by("-position").first().data["name"] == "After"
