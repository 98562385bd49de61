"""Security-test helpers: a client per channel for any role, and a snapshot that also covers queued commands."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from products.background.submitted import SubmittedCommand

ROLES = ["anonymous", "viewer", "clerk", "manager", "superuser"]
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Pages render with DEBUG off but without collectstatic: skip the manifest lookup."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def user_for(request):
    """The user behind a role name (None for anonymous), built by the shared fixtures."""

    def get(role: str):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


def page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def session_api_client(user) -> APIClient:
    """A browser-like API client: session cookie, CSRF enforced, token sent back as X-CSRFToken."""
    client = APIClient(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get("/accounts/login/")  # sets the csrftoken cookie, as any page would
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    return client


def token_api_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def full_snapshot(snapshot):
    """The shared snapshot plus the background-command log."""

    def take() -> dict:
        return {**snapshot(), "submitted": list(SubmittedCommand.objects.order_by("pk").values())}

    return take
