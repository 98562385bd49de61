"""Background commands: submit one to the database-backed worker (django.tasks), which runs it through the bus."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from products.background.status import CommandStatus, status_of
from products.background.submitted import CommandState, SubmittedCommand
from products.write.bus import authorise, command_accepted, dispatch
from products.write.commands import COMMAND_TYPES, Command, payload_digest
from products.write.errors import DomainError
from products.write.idempotency import FirstUse, ensure_same_request, recorded_use

logger = logging.getLogger(__name__)

STALLED_AFTER = timedelta(minutes=5)


@task
def run_submitted_command(command_id: str) -> str:
    """Claim, dispatch and record the outcome; a second run of a finished command does nothing."""
    with transaction.atomic():
        record = SubmittedCommand.objects.select_for_update().filter(pk=command_id).first()
        if record is None or record.finished:
            return record.state if record else "unknown"
        record.state = CommandState.RUNNING
        record.started_at = timezone.now()
        record.attempts += 1
        record.save(update_fields=["state", "started_at", "attempts"])

    outcome = {"state": CommandState.SUCCEEDED, "error_code": "", "error_message": "", "field_errors": {}}
    try:
        command = COMMAND_TYPES[record.command_type](**record.payload)
        actor = get_user_model().objects.filter(pk=record.actor_id).first() if record.actor_id else None
        if record.actor_id and actor is None:
            raise DomainError("The user who submitted this command no longer exists.")
        dispatch(command, actor=actor)
    except DomainError as error:
        outcome = {
            "state": CommandState.FAILED,
            "error_code": error.code,
            "error_message": error.message,
            "field_errors": error.field_errors,
        }
    SubmittedCommand.objects.filter(pk=command_id).update(finished_at=timezone.now(), **outcome)
    logger.info("submitted command %s %s: %s", record.command_type, command_id, outcome["state"])
    return outcome["state"]


def enqueue(command_id) -> None:
    """Queue the run with the record: in its transaction when tasks live in the database, else after it commits.

    In the same transaction the record and its task commit together; queued on commit, a connection
    lost between the two would leave a record that no worker ever runs.
    """
    if isinstance(run_submitted_command.get_backend(), DatabaseBackend):
        run_submitted_command.enqueue(str(command_id))
    else:
        transaction.on_commit(lambda: run_submitted_command.enqueue(str(command_id)))


def requeue_stalled(older_than: timedelta = STALLED_AFTER) -> int:
    """Queue again the commands no worker will run; command_id keeps each once-only.

    Those left 'running' by a worker that died, and those still 'queued' with no task waiting for
    them: a worker died after claiming the task, before it marked the command running.
    """
    cutoff = timezone.now() - older_than
    running = SubmittedCommand.objects.filter(state=CommandState.RUNNING, started_at__lt=cutoff)
    queued = SubmittedCommand.objects.filter(state=CommandState.QUEUED, submitted_at__lt=cutoff)
    stalled = list(running.values_list("command_id", flat=True))
    waiting = _waiting_tasks()
    stalled += [command_id for command_id in queued.values_list("command_id", flat=True) if command_id not in waiting]
    for command_id in stalled:
        with transaction.atomic():
            SubmittedCommand.objects.filter(
                pk=command_id, state__in=[CommandState.RUNNING, CommandState.QUEUED]
            ).update(state=CommandState.QUEUED)
            enqueue(command_id)
    return len(stalled)


def _waiting_tasks() -> set[uuid.UUID]:
    """Commands whose task is still waiting for a worker (known with the database backend; elsewhere none)."""
    if not isinstance(run_submitted_command.get_backend(), DatabaseBackend):
        return set()
    tasks = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=run_submitted_command.module_path)
    return {uuid.UUID(row["args"][0]) for row in tasks.values_list("args_kwargs", flat=True) if row.get("args")}


def submit(command: Command, *, actor=None) -> CommandStatus:
    """Queue a command for the background worker; answers where it stands at once, with no read after the commit.

    Permission is checked now (a refusal is immediate) and again when it runs. The same command_id
    submitted again is the same submission and answers as the first did; used for another request
    (another command, product or payload) it is refused now with IdempotencyKeyReused, also when the
    event log holds it for a command that was run directly.
    """
    authorise(type(command), actor)
    with transaction.atomic():
        record = SubmittedCommand.objects.filter(pk=command.command_id).first()
        if record is not None:
            ensure_same_request(_submitted_use(record), command)
        else:
            if (applied := recorded_use(command.command_id)) is not None:
                ensure_same_request(applied, command)
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
                enqueue(command.command_id)
            else:  # a twin submitted it in the meantime
                ensure_same_request(_submitted_use(record), command)
    command_accepted.send(sender=type(command), command=command, actor=actor, queued=True)
    return status_of(record)


def _submitted_use(record: SubmittedCommand) -> FirstUse:
    command_class = COMMAND_TYPES.get(record.command_type)
    digest = payload_digest(command_class, record.payload) if command_class else None
    return FirstUse(command_type=record.command_type, target=record.payload.get("product_id"), digest=digest)
