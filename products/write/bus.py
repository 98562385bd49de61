"""The command bus: an explicit map from command to handler, and one way to run them.

`dispatch` authorises, runs the handler in a transaction, commits what it decided (the unit of
work saves the product and appends the event) and hands the recorded events to every registered
inline projector, all in that one transaction; on PostgreSQL it tells the projector workers
(NOTIFY, delivered on commit), and after the commit it runs the after-commit hooks. The write side
knows no reader: the read side registers its projector and hooks at start-up (products/apps.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.dispatch import Signal
from django.utils import timezone

from products.write import errors, handlers, idempotency, location_handlers, reservations, reversals
from products.write.commands import (
    ArchiveLocation,
    ArchiveProduct,
    Command,
    CountStock,
    CreateLocation,
    CreateProduct,
    ExpireReservation,
    FulfilReservation,
    IssueStock,
    ReceiveStock,
    ReleaseReservation,
    ReserveStock,
    RestoreProduct,
    ReverseMovement,
    TransferStock,
    UpdateLocation,
    UpdateProductDetails,
)
from products.write.events import RecordedEvent
from products.write.log import announce
from products.write.permissions import authorise, is_allowed
from products.write.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

__all__ = [
    "COMMAND_HANDLERS",
    "CommandResult",
    "authorise",
    "command_accepted",
    "command_outcome_unknown",
    "dispatch",
    "is_allowed",
    "register_after_commit",
    "register_projector",
]

# Sent (command=, actor=, queued=, position=) once a command has been applied or queued: request logs,
# read-your-writes routing (cqrs_demo.middleware) and waiting by position (cqrs_demo.freshness) listen.
command_accepted = Signal()
# Sent (command=, actor=) when the database went away while the bus was finding out whether a refused
# command had been applied before: whether it is in the log is then unknown (cqrs_demo.outcome listens).
command_outcome_unknown = Signal()

COMMAND_HANDLERS = {
    CreateProduct: handlers.create_product,
    UpdateProductDetails: handlers.update_product_details,
    ReceiveStock: handlers.receive_stock,
    IssueStock: handlers.issue_stock,
    CountStock: handlers.count_stock,
    ArchiveProduct: handlers.archive_product,
    TransferStock: handlers.transfer_stock,
    CreateLocation: location_handlers.create_location,
    UpdateLocation: location_handlers.update_location,
    ArchiveLocation: location_handlers.archive_location,
    ReserveStock: reservations.reserve_stock,
    ReleaseReservation: reservations.release_reservation,
    ExpireReservation: reservations.expire_reservation,
    FulfilReservation: reservations.fulfil_reservation,
    RestoreProduct: handlers.restore_product,
    ReverseMovement: reversals.reverse_movement,
}

# Called with (recorded events, {product or reservation id: its row before the command, None if new}) inside the
# command's transaction. The rows are read-only copies: a projector starts from them, never reads back.
Projector = Callable[[Sequence[RecordedEvent], Mapping], None]
PROJECTORS: list[Projector] = []


def register_projector(projector: Projector) -> None:
    """Project every command's events inline from now on (registering twice is one registration)."""
    if projector not in PROJECTORS:
        PROJECTORS.append(projector)


# Called with the CommandResult once a command that appended an event has committed (the read side's
# in-process catch-up, products/apps.py). A hook's failure is logged: the command stands.
AFTER_COMMIT: list[Callable] = []


def register_after_commit(hook: Callable) -> None:
    if hook not in AFTER_COMMIT:
        AFTER_COMMIT.append(hook)


def _after_commit(result: CommandResult) -> None:
    for hook in AFTER_COMMIT:
        try:
            hook(result)
        except Exception:
            logger.exception("after-commit hook %s failed; the command stands", getattr(hook, "__name__", hook))


@dataclass(frozen=True)
class CommandResult:
    """How a dispatch ended: the position of the event it appended (None: nothing changed).

    `duplicate` says the command_id was already in the log: nothing was done this time and
    `position` is the earlier run's event.
    """

    position: int | None
    duplicate: bool = False


# Deadlock victim or serialization failure: the database rolled everything back, so a retry is safe.
TRANSIENT_PGCODES = {"40P01", "40001"}
TRANSIENT_ATTEMPTS = 3


def is_transient(error: OperationalError) -> bool:
    return getattr(error.__cause__, "pgcode", None) in TRANSIENT_PGCODES


def dispatch(command: Command, *, actor=None) -> CommandResult:
    """Run a command now, exactly once per command_id; raises a DomainError on refusal."""
    handler = COMMAND_HANDLERS[type(command)]
    authorise(type(command), actor)
    for attempt in range(1, TRANSIENT_ATTEMPTS + 1):
        try:
            return _run(handler, command, actor)
        except OperationalError as error:
            # Inside a caller's transaction the whole of it was lost: only the caller can retry.
            if not is_transient(error) or attempt == TRANSIENT_ATTEMPTS or transaction.get_connection().in_atomic_block:
                raise
            logger.warning("command %s hit %s; retrying (attempt %d)", command.command_id, error, attempt + 1)
    raise AssertionError("unreachable")  # pragma: no cover


def _run(handler, command: Command, actor) -> CommandResult:
    work = UnitOfWork(actor_name=actor.get_username() if actor is not None else "system", now=timezone.now())
    try:
        with transaction.atomic():
            events = handler(command, work)
            recorded = work.commit(command, events) if events else []
            if recorded:
                for projector in PROJECTORS:
                    projector(recorded, work.before)
                if settings.NOTIFY_NEW_EVENTS:
                    announce()  # delivered when this transaction commits
    except (IntegrityError, errors.DomainError):
        # Seen before (a retry, or a twin that committed first): that is success if it is the same
        # request. The unique command_id index refuses its event, or its own effect now refuses it
        # (stock already issued, version bumped, SKU taken). Not asked up front: that would cost every
        # command a read. The same id used for another request is refused (idempotency.py).
        first = _recorded_use(command, actor)
        if first is not None:
            idempotency.ensure_same_request(first, command)
            logger.info("command %s already applied; skipped", command.command_id)
            command_accepted.send(
                sender=type(command), command=command, actor=actor, queued=False, position=first.position
            )
            return CommandResult(position=first.position, duplicate=True)
        raise
    logger.info("command %s %s applied by %s", type(command).__name__, command.command_id, work.actor_name)
    result = CommandResult(position=recorded[-1].position if recorded else None)
    if recorded:
        _after_commit(result)
    command_accepted.send(sender=type(command), command=command, actor=actor, queued=False, position=result.position)
    return result


def _recorded_use(command: Command, actor) -> idempotency.FirstUse | None:
    """Look the command up in the log; if the database is gone meanwhile, say its outcome is unknown."""
    try:
        return idempotency.recorded_use(command.command_id)
    except (OperationalError, InterfaceError):
        command_outcome_unknown.send(sender=type(command), command=command, actor=actor)
        raise
