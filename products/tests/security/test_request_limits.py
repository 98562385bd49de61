"""Oversized bodies and uploads: a 413 that says the limit, for pages and the API, and nothing written."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.MAX_UPLOAD_BYTES = 50_000


@pytest.fixture
def page(manager):
    client = Client()
    client.force_login(manager)
    return client


def test_the_default_limits(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_an_oversized_form_is_a_413_page(page, product, small_limits, snapshot):
    before = snapshot()
    url = f"/products/{product.product_id}/stock/receive/"
    response = page.post(url, {"quantity": 1, "note": "x" * 20_000})
    assert response.status_code == 413
    assert "The request is too large: send at most 9.8\xa0KB at once." in response.text
    assert "Nothing was changed" in response.text
    assert snapshot() == before


def test_an_oversized_json_body_is_a_413_json_error(manager, product, small_limits, snapshot):
    token = Token.objects.create(user=manager).key
    client = Client(headers={"Authorization": f"Token {token}"})
    before = snapshot()
    body = json.dumps({"quantity": 1, "note": "x" * 20_000})
    response = client.post(f"/api/products/{product.product_id}/stock/receive/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "code": "request_too_large",
        "message": "The request is too large: send at most 9.8\xa0KB at once.",
        "errors": {},
    }
    assert snapshot() == before


def test_an_upload_may_be_bigger_than_a_form_but_not_bigger_than_the_upload_limit(page, small_limits):
    fits = SimpleUploadedFile("stock.csv", b"sku,quantity\n" + b"A,1\n" * 5_000)  # ~20 KB: over the form limit
    response = page.post("/products/new/", {"file": fits, "sku": "UP-1"})
    assert response.status_code != 413
    too_big = SimpleUploadedFile("stock.csv", b"sku,quantity\n" + b"A,1\n" * 20_000)  # ~80 KB
    response = page.post("/products/new/", {"file": too_big})
    assert response.status_code == 413
    assert "The file is too large: upload at most 48.8\xa0KB at once." in response.text


def test_too_many_form_fields_found_while_parsing_is_a_413_too(page, product, settings, snapshot):
    """Multipart fields count against the form limit as Django parses them (no Content-Length shortcut)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    settings.MAX_UPLOAD_BYTES = 10_000_000
    before = snapshot()
    response = page.post(f"/products/{product.product_id}/stock/receive/", {"quantity": 1, "note": "y" * 5_000})
    assert response.status_code == 413
    assert "send at most 1000\xa0bytes at once" in response.text
    assert snapshot() == before
