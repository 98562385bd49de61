"""The naive way: a ModelViewSet over one table, served as HTML.

Paginator with count(*) and OFFSET pages, unindexed `icontains` search, and a
read-modify-write stock update without a lock (concurrent updates can be lost:
that is the point of comparing against it).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views import View

from .models import NaiveProduct

PAGE_SIZE = 50
SORTS = {"name", "-name", "sku", "-sku", "on_hand", "-on_hand", "price", "-price"}


@method_decorator(login_required, name="dispatch")
class NaiveProductViewSet(View):
    """list / retrieve / stock in the shape of a ModelViewSet: every request goes straight to the table."""

    action = "list"

    def get(self, request, pk=None):
        if self.action == "retrieve":
            product = get_object_or_404(NaiveProduct, pk=pk)
            return JsonResponse({"id": product.pk, "sku": product.sku, "on_hand": product.on_hand})
        return self.list(request)

    def list(self, request):
        rows = NaiveProduct.objects.all()
        search = request.GET.get("q", "").strip()
        if search:
            rows = rows.filter(Q(sku__icontains=search) | Q(name__icontains=search) | Q(description__icontains=search))
        status = request.GET.get("status", "all")
        if status == "out":
            rows = rows.filter(on_hand__lte=0)
        elif status == "low":
            rows = rows.filter(on_hand__gt=0, on_hand__lte=F("reorder_level"))
        elif status == "in_stock":
            rows = rows.filter(on_hand__gt=F("reorder_level"))
        sort = request.GET.get("sort", "name")
        rows = rows.order_by(sort if sort in SORTS else "name", "pk")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "baseline/list.html", {"page": page, "search": search, "status": status})

    def post(self, request, pk=None):
        """Stock update: read the row, add in Python, write it back (no lock, no ledger)."""
        if self.action != "stock":
            return HttpResponseNotAllowed(["GET"])
        try:
            quantity = int(request.POST.get("quantity", ""))
        except ValueError:
            return HttpResponseBadRequest("quantity must be a whole number")
        product = get_object_or_404(NaiveProduct, pk=pk)
        if product.on_hand + quantity < 0:
            return JsonResponse({"quantity": ["Not enough stock."]}, status=409)
        product.on_hand += quantity
        product.save()
        return JsonResponse({"id": product.pk, "on_hand": product.on_hand})
