"""One structured log line per request, with the command id when a command ran."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from products.write.log import Event

from .conftest import client_for, stock_form


def _lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "cqrs_demo.requests"]


@pytest.mark.django_db
def test_a_read_logs_method_path_status_duration_and_user(caplog, viewer):
    caplog.set_level("INFO", logger="cqrs_demo.requests")
    client_for(viewer).get("/products/", {"q": "secret search"})
    [line] = _lines(caplog)
    assert line["method"] == "GET"
    assert line["path"] == "/products/"
    assert line["status"] == 200
    assert line["user"] == "viewer"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert "command_id" not in line
    assert "secret" not in json.dumps(line), "query strings are not logged"


@pytest.mark.django_db
def test_a_command_logs_its_command_id(caplog, make_product, clerk):
    product = make_product(sku="LOG-001")
    caplog.set_level("INFO", logger="cqrs_demo.requests")
    response = client_for(clerk).post(f"/products/{product.product_id}/stock/receive/", stock_form(3))
    assert response.status_code == 302
    [line] = _lines(caplog)
    event = Event.objects.filter(stream_id=product.product_id).latest("position")
    assert line["command_id"] == str(event.command_id)
    assert line["user"] == "clerk"
    assert line["status"] == 302


@pytest.mark.django_db
def test_a_refused_command_logs_its_status_and_no_command_id(caplog, make_product, clerk):
    product = make_product(sku="LOG-002")
    caplog.set_level("INFO", logger="cqrs_demo.requests")
    response = client_for(clerk).post(f"/products/{product.product_id}/stock/issue/", stock_form(9))
    assert response.status_code == 409
    [line] = _lines(caplog)
    assert line["status"] == 409
    assert "command_id" not in line


@pytest.mark.django_db
def test_anonymous_requests_log_a_dash_without_loading_a_session(caplog, django_assert_num_queries):
    caplog.set_level("INFO", logger="cqrs_demo.requests")
    with django_assert_num_queries(1):  # the health check's own query (the log's head and the checkpoints)
        Client().get("/healthz")
    [line] = _lines(caplog)
    assert line == {"method": "GET", "path": "/healthz", "status": 200, "duration_ms": line["duration_ms"], "user": "-"}


@pytest.mark.django_db
def test_api_token_requests_log_the_token_user(caplog, clerk):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=clerk)
    caplog.set_level("INFO", logger="cqrs_demo.requests")
    Client().get("/api/products/", headers={"Authorization": f"Token {token.key}"})
    [line] = _lines(caplog)
    assert line["user"] == "clerk"
    assert line["status"] == 200
