"""Import jobs: operational state of one uploaded file (not a read model, never replayed)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from products.background.rebuilds import duration_text


class ImportKind(models.TextChoices):
    PRODUCTS = "products", "New products"
    COUNTS = "counts", "Stock counts"


class ImportState(models.TextChoices):
    READY = "ready", "Checked, waiting for your choice"
    QUEUED = "queued", "Queued"
    APPLYING = "applying", "Applying"
    DONE = "done", "Done"
    FAILED = "failed", "Stopped by an error"
    DISCARDED = "discarded", "Discarded"


class ApplyMode(models.TextChoices):
    ALL = "all", "Apply every row"
    VALID = "valid", "Apply the valid rows, skip the rest"


class ImportJob(models.Model):
    """One uploaded file: what the check found, what the user chose, and how far applying got."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.BinaryField(help_text="The file as uploaded; the worker parses it again.")
    encoding = models.CharField(max_length=32)
    delimiter = models.CharField(max_length=1)
    notices = models.JSONField(default=list, blank=True, help_text="File-level remarks (encoding fallback...).")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_by_name = models.CharField(max_length=150)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_by_name = models.CharField(max_length=150, blank=True, default="")
    state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.READY)
    mode = models.CharField(max_length=8, choices=ApplyMode.choices, blank=True, default="")
    total_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    applied_rows = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    failed_rows = models.PositiveIntegerField(default=0)
    last_row = models.PositiveIntegerField(default=0, help_text="Row number up to which applying has committed.")
    attempts = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="import_state_heartbeat")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.filename} ({self.state})"

    @property
    def valid_rows(self) -> int:
        return self.total_rows - self.invalid_rows

    @property
    def active(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.APPLYING)

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED, ImportState.DISCARDED)

    @property
    def took(self) -> str:
        return duration_text(self.started_at, self.finished_at)

    @property
    def rows_to_apply(self) -> int:
        """What "Applying N rows" counts: the valid rows when the others are skipped, else every row."""
        return self.valid_rows if self.mode == ApplyMode.VALID else self.total_rows

    @property
    def rows_done(self) -> int:
        """Of rows_to_apply, how many were applied or refused so far (skipped rows are not among them)."""
        return self.applied_rows + self.failed_rows

    @property
    def apply_percent(self) -> int:
        """The progress people see, in the same rows as the "Applying N rows" message."""
        if not self.rows_to_apply:
            return 100 if self.finished else 0
        return min(100, self.rows_done * 100 // self.rows_to_apply)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.finished else 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class IssuePhase(models.TextChoices):
    CHECK = "check", "Found by the check"
    APPLY = "apply", "Refused while applying"


class ImportIssue(models.Model):
    """One problem with one cell (or the whole row) of an uploaded file."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField(help_text="As a spreadsheet counts: the header is row 1.")
    column = models.CharField(max_length=64, blank=True, default="")
    message = models.TextField()
    phase = models.CharField(max_length=8, choices=IssuePhase.choices, default=IssuePhase.CHECK)

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_issue_job_row")]

    def __str__(self):
        return f"row {self.row_number} {self.column}: {self.message}"
