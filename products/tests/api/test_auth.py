"""Who may call what: 401 without credentials, reads for every role, commands by role, tokens and sessions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from .conftest import product_url, token_client

pytestmark = pytest.mark.django_db

READS = ["/api/products/", "", "stock/", "availability/?quantity=1", "movements/", "/api/movements/", "/api/events/"]
STOCK = {"quantity": 1, "note": "auth test"}


def read_url(product, path: str) -> str:
    return path if path.startswith("/api/") else product_url(product.product_id, path)


def writes(product) -> dict[str, tuple[str, str, dict, dict]]:
    """Every command endpoint: (method, url, body, headers)."""
    new = {"sku": "AUTH-1", "name": "Auth", "price": "1.00", "reorder_level": 0}
    return {
        "create": ("post", "/api/products/", new, {}),
        "update": ("patch", product_url(product.product_id), {"name": "Renamed"}, {"HTTP_IF_MATCH": '"2"'}),
        "receive": ("post", product_url(product.product_id, "stock/receive/"), STOCK, {}),
        "issue": ("post", product_url(product.product_id, "stock/issue/"), STOCK, {}),
        "count": ("post", product_url(product.product_id, "stock/count/"), STOCK, {}),
        "archive": ("delete", product_url(product.product_id), None, {}),
    }


def call(client, product, action):
    method, url, body, headers = writes(product)[action]
    return getattr(client, method)(url, body, format="json", **headers)


@pytest.mark.parametrize("path", READS)
def test_anonymous_reads_are_401_with_a_token_challenge(anon_client, product, path):
    response = anon_client.get(read_url(product, path))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("action", ["create", "update", "receive", "issue", "count", "archive"])
def test_anonymous_commands_are_401(anon_client, product, action):
    assert call(anon_client, product, action).status_code == 401


@pytest.mark.parametrize("path", READS)
def test_a_viewer_may_read_everything(viewer_client, product, path):
    assert viewer_client.get(read_url(product, path)).status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", set()),
        ("clerk", {"receive", "issue", "count"}),
        ("manager", {"create", "update", "receive", "issue", "count", "archive"}),
        ("superuser", {"create", "update", "receive", "issue", "count", "archive"}),
    ],
)
@pytest.mark.parametrize("action", ["create", "update", "receive", "issue", "count", "archive"])
def test_commands_follow_the_roles(request, product, snapshot, role, allowed, action):
    client = token_client(request.getfixturevalue(role))
    before = snapshot()
    response = call(client, product, action)
    if action in allowed:
        assert response.status_code in (201, 204)
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert snapshot() == before


def test_forbidden_comes_before_validation(viewer_client, product):
    response = viewer_client.post(product_url(product.product_id, "stock/receive/"), {"quantity": -5}, format="json")
    assert response.status_code == 403


def test_a_wrong_token_is_401(product):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/products/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_inactive_users_token_stops_working(manager, manager_client):
    manager.is_active = False
    manager.save()
    assert manager_client.get("/api/products/").status_code == 401


def test_obtain_a_token_with_username_and_password(manager, product):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "manager", "password": "pw-for-tests"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/products/").status_code == 200
    again = APIClient().post("/api/auth/token/", {"username": "manager", "password": "pw-for-tests"}, format="json")
    assert again.json()["token"] == token


def test_wrong_password_gets_no_token(manager):
    response = APIClient().post("/api/auth/token/", {"username": "manager", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "token" not in response.json()


def test_session_login_reads_and_must_send_csrf_for_commands(clerk, product):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(clerk)
    assert client.get("/api/products/").status_code == 200
    refused = client.post(product_url(product.product_id, "stock/receive/"), STOCK, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message"]
    client.get("/accounts/login/")  # the API sets no CSRF cookie; a browser has one from the site's pages
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        product_url(product.product_id, "stock/receive/"), STOCK, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 204
