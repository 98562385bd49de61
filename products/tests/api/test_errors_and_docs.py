"""The error shape for transport-level mistakes, the OpenAPI schema and the offline docs page."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from .conftest import product_url

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400(manager_client):
    response = manager_client.post("/api/products/", "{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_form_encoded_bodies_are_415(clerk_client, product):
    response = clerk_client.post(product_url(product.product_id, "stock/receive/"), {"quantity": "1"})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "12", "null"])
def test_json_that_is_not_an_object_is_400(clerk_client, product, body):
    response = clerk_client.post(
        product_url(product.product_id, "stock/receive/"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_wrong_method_is_405(viewer_client, product):
    response = viewer_client.post(product_url(product.product_id, "stock/"), {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/products", "/api/products/x/y/z/"])
def test_unknown_api_paths_are_json_404(manager_client, path):
    response = manager_client.post(path, {}, format="json")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "errors"}


def test_schema_passes_spectacular_validation_with_no_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for needle in ("/api/events/", "Idempotency-Key", "If-Match", "stale_version", "tokenAuth"):
        assert needle in text


def test_schema_is_public(anon_client):
    response = anon_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Inventory API"


def test_docs_load_only_local_assets_and_no_inline_script(anon_client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    page = anon_client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "<style" not in html
    assert not re.search(r"<script>(?!</script>)", html)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    script = anon_client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
