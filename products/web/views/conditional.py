"""Conditional GET for pages built from read models: an ETag over what the page shows, 304 when unchanged.

Rendering dominates a list page's cost; a client that already holds the same page
(a reload, the back button, a poll) gets a 304 without the page being rendered again.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.utils.cache import get_conditional_response, patch_cache_control

# Relative times ("3 minutes ago") on the page go stale: a page's ETag lasts at most this long.
FRESH_SECONDS = 60


def page_etag(request, *parts) -> str | None:
    """A strong ETag over `parts` plus who is asking and how; None when the page must render anyway."""
    if len(get_messages(request)):
        return None  # flash messages show once: render them
    htmx = getattr(request, "htmx", None)
    fingerprint = [
        "v1",
        request.user.pk,
        bool(htmx) and not htmx.history_restore_request and not htmx.boosted,
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),  # the page embeds a token for the logout form
        int(time.time() // FRESH_SECONDS),
        *parts,
    ]
    digest = hashlib.blake2b("\x1f".join(map(str, fingerprint)).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


def not_modified(request, etag: str | None):
    """A 304 response if the client's If-None-Match already names this ETag, else None."""
    if etag is None:
        return None
    response = get_conditional_response(request, etag=etag)
    return with_etag(response, etag) if response is not None else None


def with_etag(response, etag: str | None):
    if etag is not None:
        response.headers["ETag"] = etag
        patch_cache_control(response, private=True, no_cache=True)
    return response
