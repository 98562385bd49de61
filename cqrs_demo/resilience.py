"""Failures a user can act on, answered plainly: database out of reach → 503, request too large → 413.

Pages get a friendly page, the API its usual JSON error shape. Nothing here touches the
database, so these answers still work while it is down. What a 503 says about the request's
own change is what outcome.py saw it do: "Nothing was saved" only when nothing was.
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
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from .outcome import Outcome, current_outcome

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# What a 503 says, by what the request did before the database went away (outcome.py).
UNREACHABLE = "The database is not reachable right now; try again in a minute."
DATABASE_UNAVAILABLE = "The database is not reachable right now. Nothing was saved; try again in a minute."
OUTCOME_UNKNOWN = "The connection to the database broke while this was being saved, so we cannot tell whether it was."
UNKNOWN_FORM = f"{OUTCOME_UNKNOWN} Sending this same form again is safe: it is recorded at most once."
UNKNOWN_OTHER = f"{OUTCOME_UNKNOWN} Check whether it was before you send it again."
UNKNOWN_API = (
    f"{OUTCOME_UNKNOWN} Retrying with the same Idempotency-Key (or command_id) is safe: it is applied at most "
    "once. Without one, look for it in /api/events/ before sending it again."
)
SAVED_PAGE = (
    "Your change was saved, but the database went away before this page could be shown. "
    "Do not enter it again: reload in a minute to see it."
)
SAVED_API = (
    "The request was saved, but the database went away before the answer was complete. Do not send it again "
    "with a new key (the same Idempotency-Key is answered as a replay); read the result in a minute."
)
CODES = {
    Outcome.NOTHING_SAVED: "database_unavailable",
    Outcome.UNKNOWN: "outcome_unknown",
    Outcome.SAVED: "saved_reply_incomplete",
}
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


def unavailable_message(request, outcome: Outcome) -> str:
    """The 503's words for this request: never "Nothing was saved" after a commit, or when one is in doubt."""
    api = wants_json(request)
    if outcome is Outcome.SAVED:
        return SAVED_API if api else SAVED_PAGE
    if outcome is Outcome.UNKNOWN:
        if api:
            return UNKNOWN_API
        return UNKNOWN_FORM if _carries_command_id(request) else UNKNOWN_OTHER
    return UNREACHABLE if request.method in SAFE_METHODS else DATABASE_UNAVAILABLE


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After; the page is static (no session, no user), so it renders without a database."""
    outcome = current_outcome()
    message = unavailable_message(request, outcome)
    if wants_json(request):
        response = _error_json(CODES[outcome], message, 503)
    elif request.headers.get("HX-Request") == "true":
        # An htmx swap: the message goes into the page's message area, the form stays as it was.
        html = loader.render_to_string("includes/messages.html", {"messages": [_Alert(message)], "oob": True})
        response = HttpResponse(html, status=503, headers={"HX-Reswap": "none"})
    else:
        context = {"message": message, "earlier": _flashed(request), **_way_back(request, outcome)}
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class _Alert(str):
    """A message for includes/messages.html without the messages framework (which may need the session)."""

    level_tag = "error"


def _carries_command_id(request) -> bool:
    """A form that names its command: sending it again applies it once (products/web/forms.py)."""
    return request.method == "POST" and bool(request.POST.get("command_id"))


def _flashed(request) -> list[tuple[str, str]]:
    """Messages an earlier request left for this one (the cookie holds them), e.g. "Received 4 × ACC-001"."""
    storage = getattr(request, "_messages", None)
    if storage is None:
        return []
    try:
        return [(str(message), "danger" if message.level_tag == "error" else message.level_tag) for message in storage]
    except DATABASE_ERRORS:  # kept in the session when too long for the cookie
        return []


def _way_back(request, outcome: Outcome) -> dict:
    """For a command form: the same form again (same command id, so at most once); else the page it came from."""
    if outcome is not Outcome.SAVED and _carries_command_id(request) and not request.FILES:
        return {"resend": {"action": request.get_full_path(), "fields": list(request.POST.items())}}
    referer = request.headers.get("Referer", "")
    if request.method not in SAFE_METHODS and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return {"back": referer}
    return {}


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
