"""The import pages: upload, preview with problems, the choice, htmx progress, the problem report."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from products.imports.models import ImportJob
from products.write.log import Event

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db


def upload(client, content: bytes, kind: str = "products", name: str = "stock.csv"):
    return client.post("/imports/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


def test_viewers_have_no_import_page(client, viewer):
    client.force_login(viewer)
    assert client.get("/imports/").status_code == 403
    assert b"Imports" not in client.get("/").content


def test_a_clerk_is_offered_counts_only(client, clerk):
    client.force_login(clerk)
    page = client.get("/imports/").content.decode()
    assert 'value="counts"' in page and 'value="products"' not in page
    assert upload(client, csv_bytes("sku,name,price", "A-1,W,1")).status_code == 400  # not a valid choice


def test_a_file_problem_stays_on_the_form_and_creates_no_import(client, manager):
    client.force_login(manager)
    response = upload(client, csv_bytes("sku,title,price", "A-1,W,1"))
    assert response.status_code == 400
    assert "Missing column: name." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_preview_shows_problems_and_offers_both_choices(client, manager, product):
    client.force_login(manager)
    response = upload(client, csv_bytes("sku,name,price", "N-1,Nut,1", "ACC-001,Clash,1", "N-3,,abc"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<strong>3</strong> rows" in page
    assert "SKU ACC-001 already exists; this import only creates new products." in page
    assert "Apply the 1 valid row, skip 2" in page
    assert "Fix and re-upload" in page
    assert Event.objects.count() == 2  # the fixture's product only: nothing applied


def test_problem_report_quotes_each_row_as_uploaded(client, manager):
    client.force_login(manager)
    location = upload(client, csv_bytes("sku,name,price", "N-1,Nut,1", "N-2,,-3"))["Location"]
    response = client.get(location + "problems.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    assert [(r["row"], r["column"], r["sku"], r["price"]) for r in rows] == [
        ("3", "name", "N-2", "-3"),
        ("3", "price", "N-2", "-3"),
    ]


def test_apply_then_poll_the_progress_fragment(client, manager, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(manager)
    location = upload(client, csv_bytes("sku,name,price", "N-1,Nut,1", "N-2,Bolt,2"))["Location"]
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = client.post(location + "apply/", {"mode": "all"})
    assert response.status_code == 302
    queued = client.get(location, headers={"HX-Request": "true"}).content.decode()
    assert queued.lstrip().startswith('<div id="import-status"')
    assert 'hx-trigger="every 1s"' in queued and '<progress id="import-progress"' in queued and 'value="0"' in queued
    for callback in pending:
        callback()
    done = client.get(location, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done  # finished: the polling stops
    assert 'max="2" value="2"' in done and "Done: 2 applied" in done


def test_discard_means_fix_and_upload_again(client, manager):
    client.force_login(manager)
    location = upload(client, csv_bytes("sku,name,price", "N-1,,1"))["Location"]
    response = client.post(location + "discard/", follow=True)
    assert "nothing was applied. Fix the file and upload it again." in response.content.decode()
    assert ImportJob.objects.get().state == "discarded"


def test_uploading_the_same_file_again_is_pointed_out(client, manager):
    client.force_login(manager)
    content = csv_bytes("sku,name,price", "N-1,Nut,1")
    upload(client, content)
    page = client.get(upload(client, content, name="again.csv")["Location"]).content.decode()
    assert "You uploaded this exact file before" in page


def test_managers_rebuild_the_read_models_on_the_worker(
    client, manager, clerk, product, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(clerk)
    assert client.get("/maintenance/").status_code == 403
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/maintenance/", {"confirm": "yes"}).status_code == 302
    page = client.get("/maintenance/", headers={"HX-Request": "true"}).content.decode()
    assert "Finished" in page and 'value="100"' in page and "2 of 2 recorded changes worked through" in page
    assert client.get(f"/products/{product.product_id}/").status_code == 200


def test_a_rebuild_needs_its_confirmation_step(client, manager):
    from products.background.rebuilds import RebuildRun
    from products.web.views.maintenance import CONFIRM_FIRST

    client.force_login(manager)
    assert "Rebuild the lists and totals now?" in client.get("/maintenance/?confirm=1").content.decode()
    response = client.post("/maintenance/")
    assert response.status_code == 400 and CONFIRM_FIRST in response.content.decode()
    assert not RebuildRun.objects.exists()
