"""Where each projector is in the log: one row per projector, written in the transaction of the rows it projected."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone


class ProjectorCheckpoint(models.Model):
    """A projector has applied every event up to `position` (and none after it).

    A projection that fails stops that projector at the event before `failed_position`; the error stays
    here until a manager retries or skips it (skipped events are counted, and audited in the log of runs).
    """

    name = models.CharField(max_length=32, primary_key=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    events_applied = models.BigIntegerField(default=0, help_text="Events this projector has applied, ever.")
    failed_position = models.BigIntegerField(null=True, blank=True, help_text="The event it cannot project.")
    last_error = models.TextField(blank=True, default="")
    failed_at = models.DateTimeField(null=True, blank=True)
    skipped = models.BigIntegerField(default=0, help_text="Events a manager chose to skip.")

    def __str__(self):
        return f"{self.name} at #{self.position}"


def locked(name: str) -> ProjectorCheckpoint:
    """The projector's row, locked until the transaction ends (made at 0 the first time)."""
    rows = ProjectorCheckpoint.objects.using(DEFAULT_DB_ALIAS)
    checkpoint = rows.select_for_update().filter(pk=name).first()
    if checkpoint is None:
        rows.get_or_create(pk=name)
        checkpoint = rows.select_for_update().get(pk=name)
    return checkpoint


def positions() -> dict[str, int]:
    """Every projector's position, by name (one without a row is at 0)."""
    return dict(ProjectorCheckpoint.objects.using(DEFAULT_DB_ALIAS).values_list("name", "position"))


def set_all(names, position: int) -> None:
    """Rebuilds and the bulk seed: the tables now hold every event up to `position` (caller's transaction)."""
    now = timezone.now()
    rows = ProjectorCheckpoint.objects.using(DEFAULT_DB_ALIAS)
    for name in names:
        locked(name)  # waits for a batch in flight, so it never lands on top of the rebuilt tables
        rows.filter(pk=name).update(
            position=position, updated_at=now, failed_position=None, last_error="", failed_at=None
        )


class ProjectorIntervention(models.Model):
    """A manager retried or skipped the event a projector stopped at: who, when, which event, and its error."""

    class Action(models.TextChoices):
        RETRY = "retry", "Retried"
        SKIP = "skip", "Skipped"

    projector = models.CharField(max_length=32)
    action = models.CharField(max_length=8, choices=Action.choices)
    position = models.BigIntegerField(help_text="The event the projector had stopped at.")
    error = models.TextField(blank=True, default="")
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.actor} {self.action} {self.projector} #{self.position}"


def intervene(name: str, action: str, *, actor: str) -> ProjectorIntervention | None:
    """Retry the stopped event (clear the stop) or skip it (step over it); None when the projector was not stopped."""
    rows = ProjectorCheckpoint.objects.using(DEFAULT_DB_ALIAS)
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        checkpoint = locked(name)
        if checkpoint.failed_position is None:
            return None
        changes = {"failed_position": None, "last_error": "", "failed_at": None, "updated_at": timezone.now()}
        if action == ProjectorIntervention.Action.SKIP:
            changes |= {"position": checkpoint.failed_position, "skipped": checkpoint.skipped + 1}
        rows.filter(pk=name).update(**changes)
        return ProjectorIntervention.objects.using(DEFAULT_DB_ALIAS).create(
            projector=name,
            action=action,
            position=checkpoint.failed_position,
            error=checkpoint.last_error,
            actor=actor,
        )
