"""Login throttling (django-axes) answered in the caller's language: a page for people, JSON for scripts."""

from __future__ import annotations

import math

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
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
