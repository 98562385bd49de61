"""What the current request has saved, as far as its database connections have told us.

A 503 for an unreachable database must not say "Nothing was saved" after a commit went through
(a follow-up read failed), nor when the connection broke during the COMMIT itself (the outcome is
then unknown). This middleware watches every statement of the request through an execute wrapper,
which adds no statement and no round trip:

- a write in autocommit mode that returns is saved; a write inside a transaction is pending until
  that transaction's on_commit hook runs (then it is saved);
- a statement that fails at a transaction's outermost level ends it: its pending writes are lost;
- pending writes whose transaction ended without the hook, on a connection that broke meanwhile,
  or still pending when a database error reaches the view, may or may not have been committed.

`database_unavailable` (resilience.py) words the 503 from this: nothing saved, outcome unknown, or saved.
The bus adds what it knows on top: a command it accepted is saved; one whose earlier run it could
not look up has an unknown outcome.
"""

from __future__ import annotations

import enum
from contextlib import ExitStack
from contextvars import ContextVar

from django.db import DatabaseError, connections
from django.dispatch import receiver

from products.write.bus import command_accepted, command_outcome_unknown

# Statements that change nothing; anything else counts as a write (unknown is treated as a write).
READ_ONLY = frozenset({"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "EXPLAIN", "LOCK", "BEGIN"})


class Outcome(enum.Enum):
    NOTHING_SAVED = "nothing saved"
    UNKNOWN = "unknown"
    SAVED = "saved"


class RequestWrites:
    """One request's writes on every connection: saved, pending (per connection), or in doubt."""

    def __init__(self):
        self.saved = False
        self.in_doubt = False
        self.pending: dict[str, object] = {}  # alias -> the raw connection its open writes were sent on
        self.hooks: dict[str, object] = {}  # alias -> this request's on_commit hook for that connection

    def outcome(self) -> Outcome:
        # Doubt first: "saved" wrongly believed loses a receipt; "unknown" wrongly believed costs a resend,
        # which the command id makes harmless.
        if self.in_doubt or self.pending:
            return Outcome.UNKNOWN
        if self.saved:
            return Outcome.SAVED
        return Outcome.NOTHING_SAVED

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        alias = connection.alias
        if alias in self.pending:
            if self.pending[alias] is not connection.connection:
                # A new connection: the one those writes went out on broke, perhaps during their COMMIT.
                self.in_doubt = True
                del self.pending[alias]
            elif not connection.in_atomic_block:
                del self.pending[alias]  # their transaction ended without its commit hook: rolled back
        try:
            result = execute(sql, params, many, context)
        except DatabaseError:
            if connection.in_atomic_block and not connection.savepoint_ids:
                self.pending.pop(alias, None)  # the whole transaction is lost with this statement
            raise
        if _writes(sql):
            if connection.in_atomic_block:
                self._pending(connection)
            else:
                self.saved = True
        return result

    def _pending(self, connection) -> None:
        alias = connection.alias
        self.pending[alias] = connection.connection
        hook = self.hooks.get(alias) or self.hooks.setdefault(alias, self._hook(alias))
        # One hook per transaction; a savepoint rolled back takes its hooks along, so look again each time.
        if not any(registered is hook for _, registered, _ in connection.run_on_commit):
            connection.on_commit(hook)

    def _hook(self, alias: str):
        def committed():
            self.saved = True
            self.pending.pop(alias, None)

        return committed


def _writes(sql: str) -> bool:
    words = sql.lstrip(" \t\n(").split(None, 1)
    return bool(words) and words[0].upper() not in READ_ONLY


_current: ContextVar[RequestWrites | None] = ContextVar("request_writes", default=None)


def current_outcome() -> Outcome:
    """What the running request has saved (nothing, outside a request)."""
    writes = _current.get()
    return writes.outcome() if writes is not None else Outcome.NOTHING_SAVED


@receiver(command_accepted, dispatch_uid="cqrs_demo.outcome.accepted")
def _accepted(sender, **kwargs):
    if (writes := _current.get()) is not None:
        writes.saved = True


@receiver(command_outcome_unknown, dispatch_uid="cqrs_demo.outcome.unknown")
def _unknown(sender, **kwargs):
    if (writes := _current.get()) is not None:
        writes.in_doubt = True


class RequestWritesMiddleware:
    """Watch every statement of the request; outermost of the database users (the session too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = RequestWrites()
        token = _current.set(writes)
        try:
            with ExitStack() as stack:
                for connection in connections.all():
                    stack.enter_context(connection.execute_wrapper(writes))
                return self.get_response(request)
        finally:
            _current.reset(token)
