"""GET pages, rendered from query classes over the read models."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from products.read.filters.catalogue import ProductFilter
from products.read.filters.ledger import LedgerFilter
from products.read.queries import (
    CheckStockAvailability,
    FindProductBySku,
    GetChipCounts,
    GetInventoryStats,
    InvalidQuery,
    ListLocations,
    ListProducts,
    ListStockMovements,
    Page,
)
from products.web.filters import STATUS_CHOICES
from products.web.forms import (
    ArchiveForm,
    AvailabilityForm,
    CreateProductForm,
    EditProductForm,
    RestoreForm,
    StockForm,
)
from products.web.tables import HistoryTable, MovementTable, ProductTable
from products.web.views.common import (
    HISTORY_PAGE_SIZE,
    get_product_or_404,
    live_data,
    login_required,
    permissions,
    poll_seconds,
    vary_on_htmx,
    wants_fragment,
)
from products.web.views.conditional import not_modified, page_etag, with_etag
from products.web.views.history import chart_context, stock_as_of_context
from products.web.views.product_locations import location_context, stock_levels
from products.web.views.reservation_panel import reservation_context

PRODUCT_PAGE_SIZE = 50  # a dense page suits scanning stock; rows come from the fragment cache
STOCK_KINDS = ("receive", "issue", "count")
USED_FORM = "form"  # ?form=issue after a stock action without htmx: focus goes back to that form
EMPTY_PAGE = Page(rows=[], next_cursor=None, previous_cursor=None)
SCAN_PARAM = "go"  # the search form's submit button: Enter on an exact SKU opens that product


@live_data
@login_required
@require_GET
def dashboard(request):
    context = {
        "stats": GetInventoryStats().execute(),
        "low_stock": ListProducts(status="low", sort="on_hand", page_size=10).execute().rows,
        "out_of_stock": ListProducts(status="out", sort="-updated", page_size=5).execute().rows,
        "movements": ListStockMovements(page_size=10).execute().rows,
        "can": permissions(request.user),
        "poll_seconds": poll_seconds(),
    }
    template = "products/dashboard.html#figures" if wants_fragment(request) else "products/dashboard.html"
    return vary_on_htmx(render(request, template, context))


@live_data
@login_required
@require_GET
def product_list(request):
    params = ProductFilter(request.GET)
    query = {**params.list_query(), "cursor": request.GET.get("cursor") or None}
    if (scanned := scanned_product(request, query["search"])) is not None:
        return redirect("product_detail", scanned.product_id)
    problem = params.search_problem()
    try:
        page = EMPTY_PAGE if problem else ListProducts(**query, page_size=PRODUCT_PAGE_SIZE).execute()
    except InvalidQuery as exc:
        problem = str(exc)
        page = ListProducts(**{**query, "cursor": None}, page_size=PRODUCT_PAGE_SIZE).execute()
    counts = GetChipCounts(search=query["search"]).execute()
    can = permissions(request.user)
    # Rows and their versions, the chip counts (via the newest event) and the links: all the page shows.
    rows = [(row.product_id, row.version) for row in page.rows]
    etag = page_etag(request, query, rows, page.next_cursor, page.previous_cursor, counts.last_position, can, problem)
    if (unchanged := not_modified(request, etag)) is not None:
        return vary_on_htmx(unchanged)
    context = list_context(page, counts, can, query=query, params=params, problem=problem, link_query=request.GET)
    template = "products/list.html#results" if wants_fragment(request) else "products/list.html"
    return with_etag(vary_on_htmx(render(request, template, context)), etag)


def scanned_product(request, search: str):
    """Enter in the search box (a keyboard-wedge scanner's) on an exact SKU: that product, to open at once.

    Only the form's own submit says `go` (its button's name), so typing, chips and page links still list."""
    if not search or not request.GET.get(SCAN_PARAM) or request.htmx:
        return None
    return FindProductBySku(sku=search).execute()


def list_context(page, counts, can, *, query, params, problem, link_query, fragment_cache=True) -> dict:
    """The product list template's context; the bench's render-limit view builds it the same way."""
    table = ProductTable(page, sort=query["sort"], fragment_cache=fragment_cache)
    table.link_pages(
        link_query,
        previous={"cursor": page.previous_cursor},
        next={"cursor": page.next_cursor},
        htmx_target="#results",
    )
    return {
        "params": params,
        "query": query,
        "typed_search": link_query.get("q", query["search"]),
        "table": table,
        "problem": problem,
        "chips": [(key, label, counts.label(key), list_link(query, status=key)) for key, label in STATUS_CHOICES],
        "result_count": None if problem else result_count(counts, query["status"]),
        "count_cap": counts.cap if counts.capped else None,
        "export_url": reverse("product_export") + list_link(query),
        "poller": poller_context(page.rows, rows=True),
        "can": can,
    }


def result_count(counts, status: str) -> str:
    """ "1 product", "19 products", "1,000+ products": the current chip's count, in words."""
    shown = counts.label(status)
    return f"{shown} product" if shown == "1" else f"{shown} products"


def list_link(query, **changes) -> str:
    """`?q=&status=&sort=` of the list as shown, with `changes`: chips, export and search never drop each other."""
    values = {"q": query["search"], "status": query["status"], "sort": query["sort"], **changes}
    if query.get("location"):
        values.setdefault("location", query["location"])
    link = QueryDict(mutable=True)
    link.update({key: value for key, value in values.items() if value})
    return f"?{link.urlencode()}"


def poller_context(records, *, detail=None, history=False, rows=False) -> dict:
    """What the badge poller needs: the ids on the page, the newest position they show, whole rows or badges."""
    ids = [record.product_id for record in records]
    since = max((record.last_position for record in records), default=0)
    url = poller_url(ids, since, detail=detail, history=history, rows=rows) if ids else None
    return {"url": url, "seconds": poll_seconds()}


def poller_url(ids, since: int, *, detail=None, history=False, rows=False) -> str:
    query = QueryDict(mutable=True)
    query.setlist("ids", [str(i) for i in ids])
    query["since"] = str(since)
    if rows:
        query["rows"] = "1"
    if detail:
        query["detail"] = str(detail)
        if history:
            query["history"] = "1"
    return f"{reverse('stock_badges')}?{query.urlencode()}"


def detail_context(request, product, *, stock_forms=None, status_note=None) -> dict:
    """Everything the product page shows; actions reuse it to re-render with a form's errors."""
    can = permissions(request.user)
    stock_forms = stock_forms or {}
    levels = stock_levels(product)
    forms = {
        kind: stock_forms.get(kind) or StockForm(kind=kind, shown=product, levels=levels)
        for kind in STOCK_KINDS
        if can[kind] and not product.archived
    }
    before, after = _position(request.GET.get("before")), _position(request.GET.get("after"))
    history = ListStockMovements(
        product_id=product.product_id, before_position=before, after_position=after, page_size=HISTORY_PAGE_SIZE
    ).execute()
    table = HistoryTable(history, can_reverse=can["reverse"])
    table.link_pages(
        request.GET,
        previous={"after": history.previous_cursor, "before": None},
        next={"before": history.next_cursor, "after": None},
    )
    availability_form = AvailabilityForm(request.GET if "quantity" in request.GET else None)
    first_history_page = not (before or after)
    return {
        "product": product,
        "forms": forms,
        "history": table,
        "availability_form": availability_form,
        "availability": availability_for(product, availability_form),
        "poller": poller_context([product], detail=product.product_id, history=first_history_page),
        "can": can,
        "status_note": status_note,
        "focus": next(iter(stock_forms), None) or _used_form(request),
        "restore_form": RestoreForm() if product.archived and can["restore"] else None,
        **reservation_context(request, product),
        **stock_as_of_context(product, request.GET),
        **chart_context(product, request.GET),
    } | location_context(request, product, levels=levels)


def _used_form(request) -> str | None:
    used = request.GET.get(USED_FORM)
    return used if used in STOCK_KINDS else None


def availability_for(product, form):
    if form.is_bound and form.is_valid():
        return CheckStockAvailability(product_id=product.product_id, quantity=form.cleaned_data["quantity"]).execute()
    return None


def _position(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@live_data
@login_required
@require_GET
def product_detail(request, product_id):
    product = get_product_or_404(product_id)
    return render(request, "products/detail.html", detail_context(request, product))


@login_required
@require_GET
def product_new(request):
    if not permissions(request.user)["create"]:
        raise PermissionDenied("You do not have permission to create products.")
    return render(request, "products/form.html", {"form": CreateProductForm(), "product": None})


@live_data
@login_required
@require_GET
def product_edit(request, product_id):
    product = get_product_or_404(product_id)
    if not permissions(request.user)["edit"]:
        raise PermissionDenied("You do not have permission to edit products.")
    form = EditProductForm(initial=edit_initial(product))
    return render(request, "products/form.html", {"form": form, "product": product})


def edit_initial(product) -> dict:
    return {
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": product.price,
        "reorder_level": product.reorder_level,
        "version": product.version,
    }


@live_data
@login_required
@require_GET
def product_archive(request, product_id):
    """The confirmation step; the archive itself is a POST to the same address."""
    product = get_product_or_404(product_id)
    if not permissions(request.user)["archive"]:
        raise PermissionDenied("You do not have permission to archive products.")
    context = {"product": product, "form": ArchiveForm(), "restore_form": RestoreForm() if product.archived else None}
    return render(request, "products/archive.html", context)


@live_data
@login_required
@require_GET
def movement_list(request):
    filters = LedgerFilter(request.GET)
    query = filters.query_kwargs() if filters.is_valid() else None
    if query is None:
        page = Page(rows=[], next_cursor=None, previous_cursor=None)
    else:
        page = ListStockMovements(
            **query,
            before_position=_position(request.GET.get("before")),
            after_position=_position(request.GET.get("after")),
        ).execute()
    table = MovementTable(page, can_reverse=permissions(request.user)["reverse"])
    table.link_pages(
        request.GET,
        previous={"after": page.previous_cursor, "before": None},
        next={"before": page.next_cursor, "after": None},
    )
    context = {"filters": filters, "table": table, "location_choices": ListLocations().execute()}
    return render(request, "products/movements.html", context)
