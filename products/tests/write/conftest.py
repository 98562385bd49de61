"""Write-side helpers: a product's details as command arguments, and a refusal that must write nothing."""

import pytest

from products.write import bus
from products.write.log import Event


def details(summary, **overrides) -> dict:
    """The current details of a product as UpdateProductDetails kwargs, with changes."""
    current = {
        "product_id": summary.product_id,
        "expected_version": summary.version,
        "sku": summary.sku,
        "name": summary.name,
        "description": summary.description,
        "price": summary.price,
        "reorder_level": summary.reorder_level,
    }
    return current | overrides


def refused(snapshot, command, error_class, *, actor=None):
    """Dispatch, expect `error_class`, and prove every table is exactly as before."""
    before = snapshot()
    with pytest.raises(error_class) as caught:
        bus.dispatch(command, actor=actor)
    assert snapshot() == before
    return caught.value


def last_event() -> Event:
    return Event.objects.order_by("-position").first()
