"""Who may do what: every command and query × every role × every channel.

Allowed calls succeed; the rest are turned away (302 to the login form, htmx redirect, 401 or 403)
and write nothing. The expectations are spelt out here, not derived from the code under test.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from products.background import tasks
from products.background.submitted import CommandState, SubmittedCommand
from products.write import errors
from products.write.commands import (
    ArchiveProduct,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    UpdateProductDetails,
)
from products.write.log import Event

from .conftest import HTMX, ROLES, page_client, session_api_client, token_api_client

pytestmark = pytest.mark.django_db

COMMANDS = ["create", "update", "receive", "issue", "count", "archive"]
STOCK = {"receive", "issue", "count"}
# The role table from the product brief: clerks move stock, managers (and superusers) do everything.
MAY_RUN = {
    "anonymous": set(),
    "viewer": set(),
    "clerk": STOCK,
    "manager": set(COMMANDS),
    "superuser": set(COMMANDS),
}
CHANNELS = ["html", "htmx", "api_session", "api_token", "background"]
LOGIN = "/accounts/login/"


@dataclass
class Case:
    """One command, spelt for each channel."""

    html_url: str
    form: dict
    api_method: str
    api_url: str
    body: dict
    command: object


def case(name: str, product) -> Case:
    pid, cid = product.product_id, uuid.uuid4()
    if name == "create":
        new_id = uuid.uuid4()
        details = {"sku": f"NEW-{new_id.hex[:6]}", "name": "New thing", "price": "1.50", "reorder_level": 2}
        return Case(
            reverse("product_new"),
            {**details, "description": "", "command_id": cid, "product_id": new_id},
            "post",
            "/api/products/",
            {**details, "id": str(new_id), "command_id": str(cid)},
            CreateProduct(command_id=cid, product_id=new_id, **details),
        )
    if name == "update":
        details = {"sku": product.sku, "name": "Renamed", "price": "3.00", "reorder_level": 1, "description": ""}
        return Case(
            reverse("product_edit", args=[pid]),
            {**details, "version": product.version, "command_id": cid},
            "put",
            f"/api/products/{pid}/",
            {**details, "version": product.version, "command_id": str(cid)},
            UpdateProductDetails(command_id=cid, product_id=pid, expected_version=product.version, **details),
        )
    if name in STOCK:
        command_class = {"receive": ReceiveStock, "issue": IssueStock, "count": CountStock}[name]
        return Case(
            reverse("product_stock", args=[pid, name]),
            {"quantity": 3, "note": "matrix", "command_id": cid},
            "post",
            f"/api/products/{pid}/stock/{name}/",
            {"quantity": 3, "note": "matrix", "command_id": str(cid)},
            command_class(command_id=cid, product_id=pid, quantity=3, note="matrix"),
        )
    return Case(
        reverse("product_archive", args=[pid]),
        {"command_id": cid},
        "delete",
        f"/api/products/{pid}/",
        {},
        ArchiveProduct(command_id=cid, product_id=pid),
    )


def attempt(channel: str, user, c: Case):
    """Send the command; return (accepted?, what came back) as a caller of that channel sees it."""
    if channel in ("html", "htmx"):
        headers = HTMX if channel == "htmx" else {}
        response = page_client(user).post(c.html_url, c.form, headers=headers)
        to_login = response.get("Location", "").startswith(LOGIN) or "HX-Redirect" in response
        return response.status_code in (200, 302) and not to_login, response
    if channel in ("api_session", "api_token"):
        client = session_api_client(user) if channel == "api_session" else token_api_client(user)
        response = getattr(client, c.api_method)(c.api_url, c.body or None, format="json")
        return response.status_code in (201, 204), response
    try:
        tasks.submit(c.command, actor=user or AnonymousUser())  # actor=None would mean the system itself
    except errors.PermissionDenied as exc:
        return False, exc
    state = tasks.run_submitted_command.call(str(c.command.command_id))
    return state == CommandState.SUCCEEDED, state


def assert_turned_away(channel: str, user, outcome) -> None:
    if channel == "background":
        assert isinstance(outcome, errors.PermissionDenied)
        return
    status = outcome.status_code
    if user is None and channel == "html":
        assert status == 302 and outcome["Location"].startswith(LOGIN)
    elif user is None and channel == "htmx":
        assert outcome["HX-Redirect"].startswith(LOGIN)
    elif user is None:
        assert status == 401 and outcome.json()["code"] == "not_authenticated"
    elif channel.startswith("api"):
        assert status == 403 and outcome.json()["code"] == "permission_denied"
    else:
        assert status == 403


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("role", ROLES)
def test_commands(role, channel, user_for, make_product, full_snapshot):
    user = user_for(role)
    for name in COMMANDS:
        product = make_product(on_hand=10)
        c = case(name, product)
        before, events_before = full_snapshot(), Event.objects.count()
        accepted, outcome = attempt(channel, user, c)
        if name in MAY_RUN[role]:
            assert accepted, f"{role} via {channel} should {name}: {outcome}"
            assert Event.objects.count() == events_before + 1
        else:
            assert not accepted, f"{role} via {channel} must not {name}"
            assert_turned_away(channel, user, outcome)
            assert full_snapshot() == before, f"{role} via {channel}: refused {name} wrote something"


def test_a_session_api_call_without_the_csrf_token_is_refused_and_writes_nothing(manager, product, full_snapshot):
    """A logged-in browser tricked into posting (cross-site) sends the cookie but not the token."""
    client = session_api_client(manager)
    client.credentials()  # drop X-CSRFToken
    before = full_snapshot()
    response = client.post(f"/api/products/{product.product_id}/stock/receive/", {"quantity": 1}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert full_snapshot() == before


def test_a_html_form_post_without_the_csrf_token_is_refused(manager, product, full_snapshot):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    before = full_snapshot()
    response = client.post(reverse("product_stock", args=[product.product_id, "receive"]), {"quantity": 1})
    assert response.status_code == 403
    assert full_snapshot() == before


def test_a_queued_command_is_checked_again_when_it_runs(clerk, product, full_snapshot):
    """Demoted between submit and run: the worker refuses it and changes no stock."""
    command = ReceiveStock(product_id=product.product_id, quantity=4)
    tasks.submit(command, actor=clerk)
    clerk.groups.clear()
    before = full_snapshot()
    state = tasks.run_submitted_command.call(str(command.command_id))
    record = SubmittedCommand.objects.get(pk=command.command_id)
    assert (state, record.error_code) == (CommandState.FAILED, "permission_denied")
    after = full_snapshot()
    assert {k: v for k, v in after.items() if k != "submitted"} == {k: v for k, v in before.items() if k != "submitted"}


# --- queries: every authenticated role may read; anonymous callers are sent to log in. ---

FORM_PAGES = {"product_new": "create", "product_edit": "update", "product_archive": "archive"}
QUERY_CHANNELS = ["html", "htmx", "api_session", "api_token"]


def page_queries(product) -> dict[str, str]:
    pid = product.product_id
    return {
        "dashboard": reverse("dashboard"),
        "product_list": reverse("product_list") + "?q=acc&status=all",
        "product_detail": reverse("product_detail", args=[pid]),
        "movement_list": reverse("movement_list"),
        "stock_badges": reverse("stock_badges") + f"?ids={pid}&since=0",
        "availability": reverse("product_availability", args=[pid]) + "?quantity=3",
        "product_new": reverse("product_new"),
        "product_edit": reverse("product_edit", args=[pid]),
        "product_archive": reverse("product_archive", args=[pid]),
    }


def api_queries(product) -> list[str]:
    base = f"/api/products/{product.product_id}/"
    return [
        "/api/products/?search=acc",
        base,
        base + "stock/",
        base + "availability/?quantity=3",
        base + "movements/",
        "/api/movements/",
        "/api/events/?after=0",
    ]


@pytest.mark.parametrize("channel", QUERY_CHANNELS)
@pytest.mark.parametrize("role", ROLES)
def test_queries(role, channel, user_for, product, full_snapshot):
    user = user_for(role)
    before = full_snapshot()
    wrong = []
    if channel in ("html", "htmx"):
        client = page_client(user)
        headers = HTMX if channel == "htmx" else {}
        for name, url in page_queries(product).items():
            response = client.get(url, headers=headers)
            if user is None:
                ok = (
                    response.get("HX-Redirect", "").startswith(LOGIN)
                    if channel == "htmx"
                    else response.status_code == 302 and response["Location"].startswith(LOGIN)
                )
            elif name in FORM_PAGES and FORM_PAGES[name] not in MAY_RUN[role]:
                ok = response.status_code == 403
            elif name == "availability" and channel == "html":
                ok = response.status_code == 302  # without htmx it is the product page's GET form
            else:
                ok = response.status_code == 200
            if not ok:
                wrong.append((name, response.status_code))
    else:
        client = session_api_client(user) if channel == "api_session" else token_api_client(user)
        for url in api_queries(product):
            response = client.get(url)
            expected = 401 if user is None else 200
            if response.status_code != expected:
                wrong.append((url, response.status_code))
    assert wrong == []
    assert full_snapshot() == before, "a query wrote something"
