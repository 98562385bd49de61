"""Read-side fixtures: a shelf with one product per stock status and an archived one."""

import pytest

from products.write import bus
from products.write.commands import ArchiveProduct


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
