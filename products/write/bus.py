"""The command bus: an explicit map from command to handler, and one way to run them."""

from __future__ import annotations

import logging

from django.db import IntegrityError, OperationalError, transaction
from django.dispatch import Signal
from django.utils import timezone

from products.background import tasks
from products.background.submitted import SubmittedCommand
from products.write import errors, handlers
from products.write.commands import (
    ArchiveProduct,
    Command,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    UpdateProductDetails,
)
from products.write.log import Event
from products.write.permissions import authorise, is_allowed

logger = logging.getLogger(__name__)

__all__ = ["COMMAND_HANDLERS", "command_accepted", "dispatch", "is_allowed", "submit"]

# Sent (command=, actor=, queued=) once a command has been applied or queued: request logs and
# read-your-writes routing listen (cqrs_demo.middleware).
command_accepted = Signal()

COMMAND_HANDLERS = {
    CreateProduct: handlers.create_product,
    UpdateProductDetails: handlers.update_product_details,
    ReceiveStock: handlers.receive_stock,
    IssueStock: handlers.issue_stock,
    CountStock: handlers.count_stock,
    ArchiveProduct: handlers.archive_product,
}


def already_applied(command_id) -> bool:
    return Event.objects.filter(command_id=command_id).exists()


# Deadlock victim or serialization failure: the database rolled everything back, so a retry is safe.
TRANSIENT_PGCODES = {"40P01", "40001"}
TRANSIENT_ATTEMPTS = 3


def is_transient(error: OperationalError) -> bool:
    return getattr(error.__cause__, "pgcode", None) in TRANSIENT_PGCODES


def dispatch(command: Command, *, actor=None) -> None:
    """Run a command now, exactly once per command_id; raises a DomainError on refusal."""
    handler = COMMAND_HANDLERS[type(command)]
    authorise(command, actor)
    for attempt in range(1, TRANSIENT_ATTEMPTS + 1):
        try:
            _run(handler, command, actor)
            return
        except OperationalError as error:
            # Inside a caller's transaction the whole of it was lost: only the caller can retry.
            if not is_transient(error) or attempt == TRANSIENT_ATTEMPTS or transaction.get_connection().in_atomic_block:
                raise
            logger.warning("command %s hit %s; retrying (attempt %d)", command.command_id, error, attempt + 1)


def _run(handler, command: Command, actor) -> None:
    ctx = handlers.Context(actor_name=actor.get_username() if actor is not None else "system", now=timezone.now())
    try:
        with transaction.atomic():
            handler(command, ctx)
    except (IntegrityError, errors.DomainError):
        # Seen before (a retry, or a twin that committed first): that is success. The unique
        # command_id index refuses its event, or its own effect now refuses it (stock already
        # issued, version bumped, SKU taken). Not asked up front: that would cost every command a read.
        if already_applied(command.command_id):
            logger.info("command %s already applied; skipped", command.command_id)
            command_accepted.send(sender=type(command), command=command, actor=actor, queued=False)
            return
        raise
    logger.info("command %s %s applied by %s", type(command).__name__, command.command_id, ctx.actor_name)
    command_accepted.send(sender=type(command), command=command, actor=actor, queued=False)


def submit(command: Command, *, actor=None):
    """Queue a command for the background worker; returns its command_id at once.

    Permission is checked now (a refusal is immediate) and again when it runs.
    Submitting the same command_id twice queues it once.
    """
    authorise(command, actor)
    with transaction.atomic():
        record, created = SubmittedCommand.objects.get_or_create(
            command_id=command.command_id,
            defaults={
                "command_type": type(command).__name__,
                "payload": command.as_dict(),
                "actor_id": actor.pk if actor is not None else None,
                "actor_name": actor.get_username() if actor is not None else "system",
                "submitted_at": timezone.now(),
            },
        )
        if created:
            tasks.enqueue(command.command_id)
    command_accepted.send(sender=type(command), command=command, actor=actor, queued=True)
    return command.command_id
