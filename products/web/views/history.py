"""History pages: a product's stock as of a moment, the inventory as of one, and its CSV."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from products.read.queries import FutureMoment, GetInventoryAsOf, GetStockAsOf, GetStockSeries, NotYetCreated
from products.web.chart import DEFAULT_RANGE, RANGES, draw
from products.web.exports import csv_lines, csv_response
from products.web.history_forms import AsOfForm
from products.web.views.common import get_product_or_404, login_required, vary_on_htmx, wants_fragment

INVENTORY_PAGE_SIZE = 50
COUNT_KEPT_MOVES = "Counted {counted:,} × {sku} at {at:%H:%M}; {moved:,} {verb} since; on hand now {on_hand:,}."
INVENTORY_COLUMNS = ("sku", "name", "on_hand", "price", "value")


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


def _moment(request):
    """The moment the page is about: the picker's, else now; the form carries any error."""
    form = AsOfForm(request.GET if request.GET.get("as_of") else None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["as_of"]
    return form, None if form.is_bound else timezone.now()


@login_required
@require_GET
def inventory_as_of(request):
    form, at = _moment(request)
    page = None
    if at is not None:
        try:
            page = GetInventoryAsOf(at=at, after=request.GET.get("after"), page_size=INVENTORY_PAGE_SIZE).execute()
        except FutureMoment as exc:
            form.add_error("as_of", str(exc))
    return render(request, "history/inventory.html", {"form": form, "at": at, "page": page, "asked": form.is_bound})


@login_required
@require_GET
def inventory_export(request):
    """Every product's on hand and value as of the moment asked (now without one), as CSV."""
    form, at = _moment(request)
    if at is None:
        return HttpResponseBadRequest(
            f"Fix the moment first ({' '.join(form.errors['as_of'])}).", content_type="text/plain"
        )
    try:
        rows = GetInventoryAsOf(at=at).iterate()
    except FutureMoment as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    values = (tuple(getattr(row, name) for name in INVENTORY_COLUMNS) for row in rows)
    return csv_response(csv_lines(INVENTORY_COLUMNS, values), f"inventory-{timezone.localtime(at):%Y%m%d-%H%M}.csv")
