"""Request middleware for running more than one box: structured request logs, read-your-writes."""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject, empty

from products.write.bus import command_accepted

from . import db_router

logger = logging.getLogger("cqrs_demo.requests")
PIN_COOKIE = "primary_until"

# Command ids accepted while the current request runs (None outside a request).
_commands: ContextVar[list | None] = ContextVar("request_commands", default=None)


@receiver(command_accepted, dispatch_uid="cqrs_demo.middleware.note_command")
def note_command(sender, command, **kwargs):
    """Remember the command for this request's log line, and read the primary from now on."""
    seen = _commands.get()
    if seen is not None:
        seen.append(str(command.command_id))
        if db_router.replica_configured():
            db_router.pin_to_primary()


class _Collecting:
    """Give the request a list for command ids unless an outer middleware already did."""

    def __enter__(self):
        self.token = _commands.set([]) if _commands.get() is None else None
        return _commands.get()

    def __exit__(self, *exc):
        if self.token is not None:
            _commands.reset(self.token)


def _username(request) -> str:
    """The user a view already loaded; never a session lookup just for the log."""
    user = getattr(request, "_cached_user", None) or request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not user.is_authenticated:
        return "-"
    return user.get_username()


class RequestLogMiddleware:
    """One JSON line per request: method, path, status, duration, user and any command ids."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        with _Collecting() as commands:
            response = self.get_response(request)
            if logger.isEnabledFor(logging.INFO):
                record = {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user": _username(request),
                }
                if commands:
                    record["command_id"] = ",".join(commands)
                logger.info(json.dumps(record))
        return response


class ReadYourWritesMiddleware:
    """After a command, the same browser reads the primary for REPLICA_PIN_SECONDS (a cookie says until when)."""

    def __init__(self, get_response):
        if not db_router.replica_configured():
            raise MiddlewareNotUsed("no read replica configured")
        self.get_response = get_response

    def __call__(self, request):
        with _Collecting() as commands, db_router.pinned(self._pinned_by_cookie(request)):
            response = self.get_response(request)
        if commands:
            until = int(time.time()) + settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(until),
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    @staticmethod
    def _pinned_by_cookie(request) -> bool:
        try:
            return int(request.COOKIES.get(PIN_COOKIE, "0")) >= time.time()
        except ValueError:
            return False
