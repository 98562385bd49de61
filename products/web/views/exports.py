"""CSV downloads of the product list and the movement ledger, with the same filters as the pages."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.views.decorators.http import require_GET

from products.read.filters.catalogue import ProductFilter
from products.read.filters.ledger import LedgerFilter
from products.read.queries import InvalidQuery
from products.web.exports import csv_response, movement_lines, product_lines, stamped
from products.web.views.common import login_required


@login_required
@require_GET
def product_export(request):
    """Every product the list shows for these q/status/sort parameters, not only one page."""
    params = ProductFilter(request.GET)
    if problem := params.search_problem():
        return HttpResponseBadRequest(problem, content_type="text/plain")
    query = params.list_query()
    try:
        lines = product_lines(status=query["status"], search=query["search"], sort=query["sort"])
    except InvalidQuery as exc:
        return HttpResponseBadRequest(str(exc))
    return csv_response(lines, stamped("products"))


@login_required
@require_GET
def movement_export(request):
    filters = LedgerFilter(request.GET)
    if not filters.is_valid():
        problems = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in filters.errors.items())
        return HttpResponseBadRequest(f"Fix the filters first ({problems}).", content_type="text/plain")
    return csv_response(movement_lines(**filters.query_kwargs()), stamped("movements"))
