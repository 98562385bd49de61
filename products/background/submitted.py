"""Submitted commands: what was queued for the background worker and how it ended."""

from __future__ import annotations

from django.db import models


class CommandState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class SubmittedCommand(models.Model):
    """One row per submitted command_id: the caller polls it for the outcome."""

    command_id = models.UUIDField(primary_key=True)
    command_type = models.CharField(max_length=64)
    payload = models.JSONField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True, default="")
    state = models.CharField(max_length=16, choices=CommandState.choices, default=CommandState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    field_errors = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "started_at"], name="submitted_state_started")]

    def __str__(self):
        return f"{self.command_type} {self.command_id} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (CommandState.SUCCEEDED, CommandState.FAILED)
