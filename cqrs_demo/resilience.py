"""Failures a user can act on, answered plainly: database out of reach → 503, request too large → 413.

Pages get a friendly page, the API its usual JSON error shape. Nothing here touches the
database, so these answers still work while it is down.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = "The database is not reachable right now. Nothing was saved; try again in a minute."
TOO_LARGE = "The request is too large: send at most {limit} at once."
UPLOAD_TOO_LARGE = "The file is too large: upload at most {limit} at once."


def wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _error_json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "errors": {}}, status=status)


def _database_error_in(exc: BaseException | None) -> BaseException | None:
    """The database error behind `exc`, following the chain (wrappers raise `from` it)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DATABASE_ERRORS):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After; the page is static (no session, no user), so it renders without a database."""
    if wants_json(request):
        response = _error_json("database_unavailable", DATABASE_UNAVAILABLE, 503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", {"message": DATABASE_UNAVAILABLE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def too_large(request, limit: int, *, upload: bool) -> HttpResponse:
    message = (UPLOAD_TOO_LARGE if upload else TOO_LARGE).format(limit=filesizeformat(limit))
    if wants_json(request):
        return _error_json("request_too_large", message, 413)
    html = loader.render_to_string("413.html", {"message": message}, request=request)
    return HttpResponse(html, status=413)


def upload_limit(request) -> tuple[int | None, bool]:
    """The body limit for this request: MAX_UPLOAD_BYTES for file uploads, else DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if request.content_type == "multipart/form-data":
        return settings.MAX_UPLOAD_BYTES, True
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE, False


class RequestSizeLimitMiddleware:
    """Refuse an oversized body from its Content-Length, before anything reads it.

    Django only limits form bodies it parses itself; DRF reads JSON straight from the stream,
    so without this a huge JSON body would be read into memory.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit, upload = upload_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large(request, limit, upload=upload)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A view that hits an unreachable (or failing-over) database answers 503, even with DEBUG on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _database_error_in(exception) is None:
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)


def server_error(request):
    """handler500: a database failure outside any view (session save, middleware) is still a 503."""
    if _database_error_in(sys.exc_info()[1]) is not None:
        return database_unavailable(request)
    if wants_json(request):
        return _error_json("server_error", "Something went wrong on our side; the error has been logged.", 500)
    return defaults.server_error(request)


def bad_request(request, exception):
    """handler400: form fields over the limit, found while parsing, are a 413 with the limit, not a bare 400."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, upload=False)
    return defaults.bad_request(request, exception)
