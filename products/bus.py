"""The command bus: an explicit map from command to handler, and one way to run them."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import handlers
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
from .permissions import authorise, is_allowed

logger = logging.getLogger(__name__)

__all__ = ["COMMAND_HANDLERS", "dispatch", "is_allowed"]

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
