"""Primary + read replica: read-model queries go to the replica, everything else to the primary.

Reads that must see the latest write stay on the primary: anything inside a transaction
(command handlers, projections, the worker's claims) and every request of a user who
ran a command in the last few seconds (see cqrs_demo.middleware.ReadYourWritesMiddleware).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, router

REPLICA = "replica"


@cache
def read_models() -> frozenset[type]:
    """Tables written only by projections / the command log and read by queries: the replica may serve them."""
    from products.background.submitted import SubmittedCommand
    from products.read.tables import READ_MODELS

    return frozenset((*READ_MODELS, SubmittedCommand))


_pinned: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


def pin_to_primary() -> None:
    """From now on, this request (or task) reads the primary."""
    _pinned.set(True)


@contextmanager
def pinned(value: bool = True):
    """Scope a pin (or an unpin) to a block, e.g. one request."""
    token = _pinned.set(value)
    try:
        yield
    finally:
        _pinned.reset(token)


def replica_configured() -> bool:
    """True when DATABASE_ROUTERS routes reads to a replica alias."""
    return any(isinstance(r, ReplicaRouter) for r in router.routers) and REPLICA in connections.settings


class ReplicaRouter:
    """Route read-model reads to the replica unless the caller needs the primary."""

    def db_for_read(self, model, **hints):
        if model not in read_models() or _pinned.get():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """The replica copies the primary's schema by replication; never migrate it directly."""
        return db == DEFAULT_DB_ALIAS
