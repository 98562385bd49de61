"""Login throttling (django-axes) answered in the caller's language: a page for people, JSON for scripts."""

from __future__ import annotations

import math

from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_response
from axes.middleware import AxesMiddleware as BaseAxesMiddleware
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from .resilience import wants_json

LOCKED_OUT = (
    "Too many failed log-ins for this account from your address. "
    "Try again in {minutes} minute(s), or ask a manager to unlock it."
)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 + Retry-After; the API keeps its {code, message, errors} shape."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    minutes = math.ceil(seconds / 60) if seconds else None
    if wants_json(request):
        message = LOCKED_OUT.format(minutes=minutes or "a few")
        response = JsonResponse({"code": "locked_out", "message": message, "errors": {}}, status=429)
    else:
        context = {
            "failure_limit": get_failure_limit(request, credentials),
            "username": get_client_username(request, credentials) or "",
            "retry_minutes": minutes,
        }
        response = render(request, "registration/locked_out.html", context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


class AxesMiddleware(BaseAxesMiddleware):
    """Axes' middleware, also noticing a lockout flagged on a DRF request (the API token endpoint).

    DRF hands authenticate() its own Request object, so axes flags that one rather than the
    Django request this middleware sees; the response's renderer context still holds it.
    """

    def __call__(self, request):
        response = super().__call__(request)
        drf_request = (getattr(response, "renderer_context", None) or {}).get("request")
        if settings.AXES_ENABLED and drf_request is not None and getattr(drf_request, "axes_locked_out", False):
            return get_lockout_response(request, response, getattr(drf_request, "axes_credentials", None))
        return response
