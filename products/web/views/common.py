"""Helpers the page, action and partial views share."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from products.read.queries import GetProduct
from products.write.bus import is_allowed
from products.write.commands import (
    ArchiveProduct,
    CountStock,
    CreateLocation,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    RestoreProduct,
    ReverseMovement,
    TransferStock,
    UpdateProductDetails,
)

HISTORY_PAGE_SIZE = 20


def permissions(user) -> dict[str, bool]:
    """What the page may offer this user; the bus still checks every command."""
    return {
        "create": is_allowed(CreateProduct, user),
        "edit": is_allowed(UpdateProductDetails, user),
        "receive": is_allowed(ReceiveStock, user),
        "issue": is_allowed(IssueStock, user),
        "count": is_allowed(CountStock, user),
        "archive": is_allowed(ArchiveProduct, user),
        "transfer": is_allowed(TransferStock, user),
        "manage_locations": is_allowed(CreateLocation, user),
        "restore": is_allowed(RestoreProduct, user),
        "reverse": is_allowed(ReverseMovement, user),
    }


def get_product_or_404(product_id):
    product = GetProduct(product_id=product_id).execute()
    if product is None:
        raise Http404("No such product.")
    return product


def poll_seconds() -> float:
    """How often pages ask whether their stock badges changed (short in browser tests)."""
    return float(getattr(settings, "STOCK_BADGE_POLL_SECONDS", 5))


def wants_fragment(request) -> bool:
    """An htmx swap asks for a fragment; a history restore or a boosted link needs the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def vary_on_htmx(response):
    """The same URL answers with a page or a fragment, so caches must tell them apart."""
    patch_vary_headers(response, ["HX-Request"])
    return response


def live_data(view):
    """Pages of live figures are never shown again from a cache (Back refetches them, with fresh form ids).

    A page that already revalidates (an ETag with no-cache) keeps its own rule; every other gets no-store.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response

    return wrapper


def login_required(view):
    """Like Django's, but an htmx request without a session reloads the page to the login form."""
    page_view = django_login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "htmx", False) and not request.user.is_authenticated:
            here = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(here).url)
        return page_view(request, *args, **kwargs)

    return wrapper


def by_method(get_view, post_view):
    """One address for a form page (GET) and its command (POST), each view kept separate."""

    def view(request, *args, **kwargs):
        chosen = post_view if request.method == "POST" else get_view
        return chosen(request, *args, **kwargs)

    view.get_view, view.post_view = get_view, post_view
    return view
