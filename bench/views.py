"""Reference points for `make bench`: the framework's limit, the plain-template floor, the list page's own template.

Mounted under /bench/ only by bench.settings (bench/root_urls.py).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from products.read.queries import GetChipCounts, ListProducts
from products.web.views.common import permissions
from products.web.views.pages import PRODUCT_PAGE_SIZE, list_context

_cached: dict = {}


@require_GET
def ping(request):
    """A trivial Django view: no database, no template (the framework's limit)."""
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
@require_GET
def plain_list(request):
    """The floor: the list page's query, its 50 rows and 7 columns in a plain template (no django-tables2)."""
    page = ListProducts(page_size=PRODUCT_PAGE_SIZE).execute()
    return render(request, "bench/plain_list.html", {"rows": page.rows})


def _snapshot():
    """The first page, the stats and a user with groups and permissions loaded, read once per worker."""
    if not _cached:
        user = get_user_model().objects.prefetch_related("groups").get(username="clerk")
        can = permissions(user)
        _cached.update(
            page=ListProducts(page_size=PRODUCT_PAGE_SIZE).execute(),
            stats=GetChipCounts().execute(),
            user=user,
            can=can,
        )
    return _cached


@require_GET
def render_only(request):
    """The list page's own template, every row rendered fresh through django-tables2, no database work."""
    snap = _snapshot()
    request.user = snap["user"]
    query = {"search": "", "status": "all", "sort": "name", "cursor": None}
    # Every row rendered fresh: the list page, serving unchanged rows from its fragment cache, is compared
    # with a full render.
    context = list_context(
        snap["page"],
        snap["stats"],
        snap["can"],
        query=query,
        params=None,
        problem=None,
        link_query=QueryDict(),
        fragment_cache=False,
    )
    return render(request, "products/list.html", context)
