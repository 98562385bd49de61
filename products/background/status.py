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
        row = (
            SubmittedCommand.objects.filter(pk=self.command_id).values(*[f.name for f in fields(CommandStatus)]).first()
        )
        return CommandStatus(**row) if row else None
