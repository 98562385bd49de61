"""GET pages, rendered from query classes over the read models."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..queries import GetInventoryStats, ListStockMovements


@login_required
@require_GET
def dashboard(request):
    context = {
        "stats": GetInventoryStats().execute(),
        "movements": ListStockMovements(page_size=10).execute().rows,
    }
    return render(request, "products/dashboard.html", context)


@require_GET
def healthz(request):
    """Load balancers ask this; it answers 503 when the database is out of reach."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 (any database failure means unhealthy)
        return JsonResponse({"status": "unavailable", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
