"""The product page's location parts: where its stock is, the codes the pickers offer, the Transfer form."""

from __future__ import annotations

from products.read.queries import GetStockByLocation, ListLocations
from products.web.forms import TransferForm
from products.web.views.common import permissions


def location_context(request, product, *, transfer_form=None, levels=None) -> dict:
    """What the product page's location parts show: where the stock is, the pickers' codes, the Transfer form."""
    can_transfer = permissions(request.user)["transfer"] and not product.archived
    levels = levels if levels is not None else stock_levels(product)
    return {
        "levels": levels,
        "location_choices": ListLocations(include_archived=False).execute(),
        "transfer_form": (transfer_form or TransferForm(levels=levels)) if can_transfer else None,
    }


def stock_levels(product):
    """Where the product's stock is, location by location."""
    return GetStockByLocation(product_id=product.product_id).execute()
