"""htmx fragments: cheap answers to 'did anything change?' and 'can I ship N?'."""

from __future__ import annotations

import uuid

from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from products.read.queries import (
    MAX_PAGE_SIZE,
    GetChangedProducts,
    GetChangedStockBadges,
    GetProduct,
    ListStockMovements,
    Page,
)
from products.web.forms import AvailabilityForm
from products.web.tables import HistoryTable, ProductTable
from products.web.views.common import (
    HISTORY_PAGE_SIZE,
    get_product_or_404,
    login_required,
    permissions,
    poll_seconds,
    vary_on_htmx,
    wants_fragment,
)
from products.web.views.pages import availability_for, poller_url


def _uuids(values) -> list[uuid.UUID]:
    found = []
    for value in values[:MAX_PAGE_SIZE]:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


@login_required
@require_GET
def stock_badges(request):
    """One request per page for all its badges: 204 when nothing changed since `since`."""
    ids = _uuids(request.GET.getlist("ids"))
    try:
        since = max(0, int(request.GET.get("since", 0)))
    except ValueError:
        since = 0
    whole_rows = request.GET.get("rows") == "1"  # the product list: its rows change as one, never a badge alone
    query = GetChangedProducts if whole_rows else GetChangedStockBadges
    changes = query(product_ids=ids, since=since).execute()
    if not changes.changed:
        return HttpResponse(status=204)
    detail = next(iter(_uuids([request.GET.get("detail", "")])), None)
    history_wanted = request.GET.get("history") == "1"
    detail_level = next((level for level in changes.changed if level.product_id == detail), None)
    history = product = None
    if detail_level:
        product = GetProduct(product_id=detail).execute()
    if detail_level and history_wanted:
        page = ListStockMovements(product_id=detail, page_size=HISTORY_PAGE_SIZE).execute()
        history = HistoryTable(page, can_reverse=permissions(request.user)["reverse"])
        history.link_pages(QueryDict(), previous={}, next={"before": page.next_cursor})
    context = {
        "changes": changes,
        "rows": ProductTable(Page(changes.changed, None, None)) if whole_rows else None,
        "detail_level": detail_level,
        "history": history,
        "product": product,
        "can": permissions(request.user) if product else {},
        "poller": {
            "url": poller_url(ids, changes.since, detail=detail, history=history_wanted, rows=whole_rows),
            "seconds": poll_seconds(),
        },
    }
    return render(request, "products/partials/badges.html", context)


@login_required
@require_GET
def availability(request, product_id):
    """The answer to 'can I ship N?', as a fragment for htmx or inside the product page without it."""
    product = get_product_or_404(product_id)
    if not wants_fragment(request):
        return redirect(f"{reverse('product_detail', args=[product.product_id])}?{request.GET.urlencode()}")
    form = AvailabilityForm(request.GET)
    context = {"product": product, "availability_form": form, "availability": availability_for(product, form)}
    return vary_on_htmx(render(request, "products/detail.html#availability", context))
