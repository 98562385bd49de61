"""Login throttling (django-axes): five wrong passwords for one username from one address pause log-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient

from products.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/auth/token/"
PASSWORD = "pw-for-tests"
PROXY = "10.0.0.2"


@pytest.fixture
def clerk_login(db):
    return UserFactory(username="clerk-login")


def login(client, password, *, username="clerk-login", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail(client, times, **extra):
    return [login(client, "wrong", **extra).status_code for _ in range(times)]


def test_five_failures_pause_login_even_with_the_right_password(client, clerk_login, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert fail(client, 4) == [200, 200, 200, 200]
    locked = login(client, "wrong")
    assert locked.status_code == 429
    assert "Log-in paused" in locked.text and "clerk-login" in locked.text
    assert int(locked["Retry-After"]) == 15 * 60

    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(client, clerk_login):
    UserFactory(username="other")
    fail(client, 5)
    assert login(client, PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 302  # same user, other address
    assert login(client, PASSWORD, username="other").status_code == 302  # same address, other user


def test_after_the_cool_off_log_in_works_again(client, clerk_login):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    response = login(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_success_clears_earlier_failures(client, clerk_login):
    fail(client, 4)
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    assert fail(client, 4) == [200, 200, 200, 200]
    assert login(client, PASSWORD).status_code == 302


def test_the_api_token_endpoint_works_and_is_throttled_in_json(clerk_login):
    api = APIClient()
    assert api.post(TOKEN, {"username": "clerk-login", "password": PASSWORD}, format="json").status_code == 200
    wrong = {"username": "clerk-login", "password": "wrong"}
    assert [api.post(TOKEN, wrong, format="json").status_code for _ in range(4)] == [400] * 4
    locked = api.post(TOKEN, wrong, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out" and locked["Retry-After"] == str(15 * 60)
    right = api.post(TOKEN, {"username": "clerk-login", "password": PASSWORD}, format="json")
    assert right.status_code == 429 and "token" not in right.json()


def test_the_admin_login_is_throttled_too(client, clerk_login):
    data = {"username": "clerk-login", "password": "wrong", "next": "/admin/"}
    statuses = [client.post(reverse("admin:login"), data).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


@pytest.fixture
def behind_one_proxy(settings):
    """PROXY_COUNT=1, as cqrs_demo.settings configures it (the proxy appends the client to X-Forwarded-For)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_ORDER = "right-most"
    settings.AXES_IPWARE_PROXY_COUNT = None
    settings.IPWARE_STRICT = False


def test_behind_a_proxy_the_client_address_counts_and_a_forged_header_does_not_help(
    client, clerk_login, behind_one_proxy
):
    for n in range(5):  # the attacker writes a new X-Forwarded-For each time; the proxy appends the real one
        login(client, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9")
    locked = login(client, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    # Another client behind the same proxy is not locked out.
    assert login(client, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302


def test_without_a_proxy_a_forwarded_header_is_ignored(client, clerk_login):
    for n in range(5):
        login(client, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"
    assert login(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429
