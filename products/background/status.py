"""Queries about submitted (background) commands: where one is and how it ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime

from products.background.submitted import SubmittedCommand


@dataclass(frozen=True)
class CommandStatus:
    command_id: uuid.UUID
    command_type: str
    state: str
    attempts: int
    error_code: str
    error_message: str
    field_errors: dict
    submitted_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class GetCommandStatus:
    """Where a submitted command is: queued, running, succeeded or failed (with the reason)."""

    command_id: uuid.UUID

    def execute(self) -> CommandStatus | None:
        row = SubmittedCommand.objects.filter(pk=self.command_id).values(*STATUS_FIELDS).first()
        return CommandStatus(**row) if row else None


STATUS_FIELDS = [f.name for f in fields(CommandStatus)]


def status_of(record: SubmittedCommand) -> CommandStatus:
    """The status of a record already in hand (what submit answers without reading it back)."""
    return CommandStatus(**{name: getattr(record, name) for name in STATUS_FIELDS})
