"""The command bus: an explicit map from command to handler, and one way to run them."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import errors, handlers
from .commands import (
    ArchiveProduct,
    Command,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    UpdateProductDetails,
)
from .models import Event

logger = logging.getLogger(__name__)

COMMAND_HANDLERS = {
    CreateProduct: handlers.create_product,
    UpdateProductDetails: handlers.update_product_details,
    ReceiveStock: handlers.receive_stock,
    IssueStock: handlers.issue_stock,
    CountStock: handlers.count_stock,
    ArchiveProduct: handlers.archive_product,
}

# One permission per command, checked here so the UI, the API and background work share it.
REQUIRED_PERMISSION = {
    CreateProduct: ("products.add_product", "create products"),
    UpdateProductDetails: ("products.change_product", "edit products"),
    ReceiveStock: ("products.receive_stock", "receive stock"),
    IssueStock: ("products.issue_stock", "issue stock"),
    CountStock: ("products.count_stock", "count stock"),
    ArchiveProduct: ("products.archive_product", "archive products"),
}


def is_allowed(command_class: type[Command], actor) -> bool:
    """May this actor run this kind of command? `None` is the system itself."""
    if actor is None:
        return True
    permission, _ = REQUIRED_PERMISSION[command_class]
    return actor.is_authenticated and actor.is_active and actor.has_perm(permission)


def authorise(command: Command, actor) -> None:
    if not is_allowed(type(command), actor):
        _, action = REQUIRED_PERMISSION[type(command)]
        raise errors.PermissionDenied(errors.PermissionDenied.MESSAGE.format(action=action))


def already_applied(command_id) -> bool:
    return Event.objects.filter(command_id=command_id).exists()


def dispatch(command: Command, *, actor=None) -> None:
    """Run a command now, exactly once per command_id; raises a DomainError on refusal."""
    handler = COMMAND_HANDLERS[type(command)]
    authorise(command, actor)
    ctx = handlers.Context(actor_name=actor.get_username() if actor is not None else "system", now=timezone.now())
    try:
        with transaction.atomic():
            if already_applied(command.command_id):
                logger.info("command %s already applied; skipped", command.command_id)
                return
            handler(command, ctx)
    except IntegrityError:
        # A concurrent twin with the same command_id committed first: that is success.
        if already_applied(command.command_id):
            return
        raise
    logger.info("command %s %s applied by %s", type(command).__name__, command.command_id, ctx.actor_name)
