"""The health probe (the database, how far behind each projector is) and the "Updating…" note's poll."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from products.read.projectors import PROJECTORS
from products.read.projectors.health import projector_lags, too_far_behind


@require_GET
def healthz(request):
    """Load balancers ask this: 503 when the database is out of reach or a projector is stopped or too far behind.

    Each projector's lag is in the answer (positions behind the head, and the age of the oldest event it has
    not applied, in seconds); PROJECTOR_MAX_LAG_EVENTS and PROJECTOR_MAX_LAG_SECONDS set the bounds.
    """
    try:
        lags = projector_lags(list(PROJECTORS))  # one query while they are at the head: also the database check
    except (DatabaseError, InterfaceError) as exc:  # the database is out of reach: unhealthy; a bug stays a 500
        return JsonResponse({"status": "unavailable", "database": str(exc.__class__.__name__)}, status=503)
    bounds = {"max_events": settings.PROJECTOR_MAX_LAG_EVENTS, "max_seconds": settings.PROJECTOR_MAX_LAG_SECONDS}
    behind = [lag.name for lag in lags if too_far_behind(lag, **bounds)]
    answer = {
        "status": "projectors_behind" if behind else "ok",
        "database": connection.vendor,
        "projectors": {lag.name: lag.as_json() for lag in lags},
    }
    return JsonResponse(answer, status=503 if behind else 200)


@require_GET
def updating(request):
    """Polled by the "Updating…" note: a full refresh (HX-Refresh) once the projectors have the caller's change.

    cqrs_demo.freshness has already waited (bounded) for them before this runs.
    """
    response = HttpResponse(status=204)
    if not getattr(request, "projections_pending", False):
        response["HX-Refresh"] = "true"
    return response
