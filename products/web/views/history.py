"""History pages: a product's stock as of a moment, the inventory as of one, and its CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from products.read.queries import (
    FutureMoment,
    GetInventoryAsOf,
    GetInventoryByLocationAsOf,
    GetStockAsOf,
    GetStockSeries,
    ListLocations,
    NotYetCreated,
    UnknownLocation,
)
from products.web.chart import DEFAULT_RANGE, RANGES, draw
from products.web.exports import csv_lines, csv_response
from products.web.history_forms import AsOfForm, InventoryForm
from products.web.views.common import get_product_or_404, login_required, vary_on_htmx, wants_fragment

INVENTORY_PAGE_SIZE = 50
COUNT_KEPT_MOVES = "Counted {counted:,} × {sku} at {at:%H:%M}; {moved:,} {verb} since; on hand now {on_hand:,}."
INVENTORY_COLUMNS = ("sku", "name", "on_hand", "price", "value")
INVENTORY_LOCATION_COLUMNS = ("sku", "name", "location", "on_hand", "price", "value")


def count_kept_moves(command, level, moved: int) -> str:
    """A count taken before receipts or issues that were recorded first: say they were kept."""
    return COUNT_KEPT_MOVES.format(
        counted=command.quantity,
        sku=level.sku,
        at=timezone.localtime(command.counted_at),
        moved=abs(moved),
        verb="received" if moved > 0 else "issued",
        on_hand=level.on_hand,
    )


def chart_context(product, query) -> dict:
    """The stock chart over the range asked for (`chart=90d|all`), drawn from one product's ledger rows."""
    key = query.get("chart") if query.get("chart") in RANGES else DEFAULT_RANGE
    until = timezone.now()
    period = RANGES[key][1]
    since = product.created_at if period is None else max(product.created_at, until - period)
    series = GetStockSeries(
        product_id=product.product_id, since=since, until=until, from_creation=since == product.created_at
    ).execute()
    return {"chart": draw(series), "chart_range": key, "chart_ranges": RANGES, "chart_label": RANGES[key][0]}


def _product_fragment(request, product_id, *, part: str, context_for):
    """One of the product page's history parts for htmx; a plain request goes to the page, at that part."""
    if not wants_fragment(request):
        return redirect(f"{reverse('product_detail', args=[product_id])}?{request.GET.urlencode()}#stock-{part}")
    product = get_product_or_404(product_id)
    context = {"product": product, **context_for(product, request.GET)}
    return vary_on_htmx(render(request, f"products/includes/history_{part.replace('-', '_')}.html", context))


@login_required
@require_GET
def product_chart(request, product_id):
    """The chart for another range, as a fragment (htmx); without JavaScript the product page has the links."""
    return _product_fragment(request, product_id, part="chart", context_for=chart_context)


def stock_as_of_context(product, query) -> dict:
    """The "on hand on …" picker and, when a moment was asked for, the answer (or why there is none)."""
    form = AsOfForm(query if "as_of" in query else None)
    answer = None
    if form.is_bound and form.is_valid():
        try:
            answer = GetStockAsOf(product_id=product.product_id, at=form.cleaned_data["as_of"]).execute()
        except (FutureMoment, NotYetCreated) as exc:
            form.add_error("as_of", str(exc))
    return {"as_of_form": form, "as_of": answer}


@login_required
@require_GET
def product_stock_as_of(request, product_id):
    """The picker's answer as a fragment (htmx), or the product page with it (no JavaScript)."""
    return _product_fragment(request, product_id, part="as-of", context_for=stock_as_of_context)


INVENTORY_PARAMS = ("as_of", "by", "location")


def _inventory_query(request, **paging):
    """The form and the query it asks for (now, all products, when nothing is asked); None when the form is wrong."""
    asked = any(request.GET.get(name) for name in INVENTORY_PARAMS)
    form = InventoryForm(request.GET if asked else None)
    if asked and not form.is_valid():
        return form, None
    data = form.cleaned_data if asked else {}
    at = data.get("as_of") or timezone.now()
    if asked and form.per_location:
        return form, GetInventoryByLocationAsOf(at=at, location=data.get("location") or None, **paging)
    return form, GetInventoryAsOf(at=at, **paging)


def _answer(form, query, read):
    """`read(query)` (its execute or iterate); a refusal goes beside the field it is about and answers None."""
    if query is None:
        return None
    try:
        return read(query)
    except (FutureMoment, UnknownLocation) as exc:
        form.add_error("location" if isinstance(exc, UnknownLocation) else "as_of", str(exc))
        return None


@login_required
@require_GET
def inventory_as_of(request):
    form, query = _inventory_query(request, after=request.GET.get("after"), page_size=INVENTORY_PAGE_SIZE)
    page = _answer(form, query, lambda query: query.execute())
    params = urlencode({name: request.GET[name] for name in INVENTORY_PARAMS if request.GET.get(name)})
    context = {
        "form": form,
        "at": query.at if page is not None else None,
        "page": page,
        "per_location": isinstance(query, GetInventoryByLocationAsOf),
        "params": params,
        "as_of_param": urlencode({"as_of": request.GET["as_of"]}) if request.GET.get("as_of") else "",
        "location_choices": ListLocations().execute(),
    }
    return render(request, "history/inventory.html", context)


@login_required
@require_GET
def inventory_export(request):
    """On hand and value as of the moment asked (now without one), per product or per location, streamed as CSV."""
    form, query = _inventory_query(request)
    rows = _answer(form, query, lambda query: query.iterate())
    if rows is None:
        errors = " ".join(message for messages in form.errors.values() for message in messages)
        return HttpResponseBadRequest(f"Fix the form first ({errors}).", content_type="text/plain")
    columns = INVENTORY_LOCATION_COLUMNS if isinstance(query, GetInventoryByLocationAsOf) else INVENTORY_COLUMNS
    values = (tuple(getattr(row, name) for name in columns) for row in rows)
    return csv_response(csv_lines(columns, values), f"inventory-{timezone.localtime(query.at):%Y%m%d-%H%M}.csv")
