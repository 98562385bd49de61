"""What the product page's reservation panel shows: the open reservations and the forms beside them."""

from __future__ import annotations

from django.urls import reverse

from products.read.queries import ListReservations
from products.web.reservation_forms import FulfilForm, ReleaseForm, ReserveForm
from products.write.bus import is_allowed
from products.write.commands import FulfilReservation, ReleaseReservation, ReserveStock

PANEL_SIZE = 50


def reservation_permissions(user) -> dict[str, bool]:
    """What the page may offer; the bus checks every command again."""
    return {
        "reserve": is_allowed(ReserveStock, user),
        "release": is_allowed(ReleaseReservation, user),
        "fulfil": is_allowed(FulfilReservation, user),
    }


def reservation_rows(user, entries, *, bound=None) -> list[dict]:
    """Each open reservation with its own fresh forms (or the one that failed, with its errors)."""
    can = reservation_permissions(user)
    bound = bound or {}
    return [
        {
            "entry": entry,
            "fulfil_form": bound.get(entry.reservation_id) or FulfilForm(reservation_id=entry.reservation_id),
            "release_form": ReleaseForm(),
            "can": can,
        }
        for entry in entries
    ]


def reservation_context(request, product, *, reserve_form=None, fulfil_forms=None) -> dict:
    """The panel's context: added to the product page's by detail_context."""
    can = reservation_permissions(request.user)
    entries = ListReservations(product_id=product.product_id, page_size=PANEL_SIZE).execute().rows
    offer = can["reserve"] and not product.archived
    return {
        "reservations": reservation_rows(request.user, entries, bound=fulfil_forms),
        "reserve_form": (reserve_form or ReserveForm()) if offer else None,
        "can_reserve": can,
        # Where release and fulfil come back to (never the POST URL of a form that failed).
        "reservations_here": f"{reverse('product_detail', args=[product.product_id])}#reservations",
    }
