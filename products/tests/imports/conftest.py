"""Import fixtures: CSV bytes from rows, and tasks run in-process so an apply finishes within the test."""

from __future__ import annotations

import pytest

from products.imports import jobs
from products.imports.models import ImportJob

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def csv_bytes(header: str, *rows: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return newline.join([header, *rows, ""]).encode(encoding)


def product_rows(count: int, *, start: int = 0, prefix: str = "IMP") -> bytes:
    lines = [f"{prefix}-{n:06d},Imported item {n},{n % 97}.25,{n % 7},{n % 5}" for n in range(start, start + count)]
    return csv_bytes("sku,name,price,reorder_level,quantity", *lines)


@pytest.fixture
def immediate_tasks(settings):
    """Enqueued tasks run at once, in this process (on_commit still waits for the commit)."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def check():
    """Upload bytes through the real check and return the stored job."""

    def run(content: bytes, *, user, kind: str = "products", filename: str = "upload.csv") -> ImportJob:
        return jobs.check_upload(kind=kind, filename=filename, content=content, user=user)

    return run


def problems(job: ImportJob) -> list[tuple[int, str, str]]:
    return list(job.issues.order_by("row_number", "id").values_list("row_number", "column", "message"))
