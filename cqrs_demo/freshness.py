"""Read-your-writes by event position, for the read models the projectors feed after the command.

A command's answer carries the position of its event (`Event-Position` header); a browser's session
keeps the highest it has made. The next page that browser asks for waits (at most
READ_YOUR_WRITES_WAIT seconds) until every projector has applied that event, then shows; if they have
not, `request.projections_pending` is set and the page says "Updating…" and refreshes itself (htmx).
API reads take `?min_position=N` and wait the same way; their answers say how far the projectors are
(`Projected-Position`). The summary, stats and reservations are written in the command's transaction
and need none of this.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.dispatch import receiver

from products.read.projectors import PROJECTORS
from products.read.projectors.waiting import wait_for_position
from products.write.bus import command_accepted

SESSION_KEY = "own_position"
POSITION_HEADER = "Event-Position"
PROJECTED_HEADER = "Projected-Position"
MIN_POSITION = "min_position"

_positions: ContextVar[list | None] = ContextVar("request_positions", default=None)


@receiver(command_accepted, dispatch_uid="cqrs_demo.freshness.note_position")
def note_position(sender, position=None, **kwargs):
    """Remember the position of each command this request ran."""
    seen = _positions.get()
    if seen is not None and position:
        seen.append(position)


def _wanted(request) -> int | None:
    """The position this read must see: `?min_position=` (the API), else the session's own writes."""
    asked = request.GET.get(MIN_POSITION)
    if asked is not None:
        return int(asked) if asked.isdigit() else None
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY) if session is not None else None


class ReadYourOwnWritesMiddleware:
    """Waits on reads for the caller's own last event; tags command answers with their event's position."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.projections_pending = False
        wanted = _wanted(request) if request.method in ("GET", "HEAD") else None
        if wanted:
            fresh = wait_for_position(wanted, list(PROJECTORS), timeout=settings.READ_YOUR_WRITES_WAIT)
            request.projections_pending = not fresh
            if fresh and MIN_POSITION not in request.GET:
                request.session.pop(SESSION_KEY, None)
        token = _positions.set([])
        try:
            response = self.get_response(request)
            made = max(_positions.get(), default=None)
        finally:
            _positions.reset(token)
        if made:
            response[POSITION_HEADER] = str(made)
            self._remember(request, made)
        if wanted and MIN_POSITION in request.GET:
            response[PROJECTED_HEADER] = "pending" if request.projections_pending else "reached"
        return response

    def _remember(self, request, position: int) -> None:
        """A browser's next page waits for this event, unless the projectors have already applied it."""
        session = getattr(request, "session", None)
        if session is None or not request.user.is_authenticated:
            return
        if settings.PROJECTORS_IN_PROCESS:
            return  # the bus has caught them up already (no query to ask)
        session[SESSION_KEY] = max(position, session.get(SESSION_KEY) or 0)
