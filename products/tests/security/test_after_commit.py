"""The database goes away between a command's commit and its answer: the answer still tells the truth.

"Nothing was saved" only when nothing was; a saved command says so (without the figures it could not
read); a commit whose answer was lost says the outcome is unknown and that sending the same form (or
the same Idempotency-Key) again is safe, and sending it again applies it once.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack, contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from cqrs_demo import resilience
from cqrs_demo.urls import urlpatterns as product_urls
from products.read.queries import GetProductStock
from products.read.verify import verify
from products.web.views.actions import ON_HAND_NOW, STOCK_ALREADY, STOCK_DONE_UNREAD
from products.write import bus, idempotency
from products.write.commands import ReceiveStock
from products.write.log import Event

from .conftest import HTMX

# Real commits: the request's outcome is what its transactions did, not a test transaction's savepoints.
pytestmark = pytest.mark.django_db(transaction=True)


@require_POST
def receive_then_read(request, product_id):
    """A command view that reads after the commit and does not handle the read failing (the middleware must)."""
    bus.dispatch(ReceiveStock(product_id=product_id, quantity=4), actor=request.user)
    GetProductStock(product_id=product_id).execute()
    return HttpResponse("not reached")


urlpatterns = [
    path("after-commit/<uuid:product_id>/", receive_then_read),
    path("api/after-commit/<uuid:product_id>/", receive_then_read),
    *product_urls,
]


def gone(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@contextmanager
def database_gone_after_commit():
    """From the moment the bus reports a command accepted (after its commit), every statement fails."""
    stack = ExitStack()

    def on_accepted(**kwargs):
        stack.enter_context(connection.execute_wrapper(gone))

    bus.command_accepted.connect(on_accepted, weak=False, dispatch_uid="test-gone-after-commit")
    try:
        yield
    finally:
        bus.command_accepted.disconnect(dispatch_uid="test-gone-after-commit")
        stack.close()


@pytest.fixture
def commit_answer_lost(monkeypatch):
    """The next COMMIT reaches the database and is applied, but its answer never comes back."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    real_commit = type(wrapper)._commit
    armed = {"on": True}

    def lossy(self):
        real_commit(self)
        if armed["on"]:
            armed["on"] = False
            if self.vendor == "postgresql":
                self.connection.close()  # as a network failure would leave it (an in-memory SQLite must stay open)
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(type(wrapper), "_commit", lossy)
    return armed


@pytest.fixture
def page(clerk):
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    return client


@pytest.fixture
def api(clerk):
    return Client(raise_request_exception=False, headers={"Authorization": f"Token {Token.objects.create(user=clerk)}"})


def receive_form(quantity=4) -> dict:
    return {"command_id": str(uuid.uuid4()), "quantity": str(quantity), "note": ""}


def stock_url(product) -> str:
    return reverse("product_stock", args=[product.product_id, "receive"])


def on_hand(product) -> int:
    return GetProductStock(product_id=product.product_id).execute().on_hand


def flashed(client, product) -> list[str]:
    response = client.get(reverse("product_detail", args=[product.product_id]))
    return [str(message) for message in response.context["messages"]]


def test_a_stock_form_whose_follow_up_read_fails_answers_saved_without_the_new_total(page, product):
    with database_gone_after_commit():
        response = page.post(stock_url(product), receive_form())
    assert response.status_code == 302
    assert flashed(page, product) == [STOCK_DONE_UNREAD["receive"].format(quantity=4, sku="ACC-001")]
    assert on_hand(product) == 24
    assert list(verify()) == []


def test_the_htmx_answer_is_the_fresh_forms_and_the_same_words(page, product):
    with database_gone_after_commit():
        response = page.post(stock_url(product), receive_form(), headers=HTMX)
    assert response.status_code == 200 and "stock-changed" in response["HX-Trigger"]
    assert "Received 4 × ACC-001. The new on-hand figure could not be read just now." in response.text
    assert on_hand(product) == 24


@pytest.mark.urls(__name__)
def test_a_503_after_the_commit_says_it_was_saved_never_nothing_was_saved(page, product):
    with database_gone_after_commit():
        html = page.post(f"/after-commit/{product.product_id}/", receive_form())
        json = page.post(f"/api/after-commit/{product.product_id}/")
    assert (html.status_code, json.status_code) == (503, 503)
    assert resilience.SAVED_PAGE in html.text and "Nothing was saved" not in html.text
    assert "Send the same form again" not in html.text  # it was saved: sending it again is not the advice
    assert json.json()["code"] == "saved_reply_incomplete" and json.json()["message"] == resilience.SAVED_API
    assert on_hand(product) == 28


def test_a_commit_whose_answer_was_lost_is_unknown_and_the_same_form_applies_once(page, product, commit_answer_lost):
    form = receive_form()
    response = page.post(stock_url(product), form)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert resilience.UNKNOWN_FORM in response.text and "Nothing was saved" not in response.text
    assert f'name="command_id" value="{form["command_id"]}"' in response.text  # "Send the same form again"
    assert on_hand(product) == 24  # it had been saved after all

    again = page.post(stock_url(product), form)
    assert again.status_code == 302
    already = STOCK_ALREADY["receive"].format(quantity=4, sku="ACC-001") + ON_HAND_NOW.format(on_hand=24)
    assert flashed(page, product) == [already]
    assert on_hand(product) == 24 and Event.objects.filter(command_id=form["command_id"]).count() == 1


def test_over_htmx_the_unknown_outcome_goes_into_the_message_area(page, product, commit_answer_lost):
    response = page.post(stock_url(product), receive_form(), headers=HTMX)
    assert response.status_code == 503 and response["HX-Reswap"] == "none"
    assert 'id="messages"' in response.text and 'hx-swap-oob="true"' in response.text
    assert resilience.UNKNOWN_FORM in response.text


def test_an_api_commit_whose_answer_was_lost_is_unknown_and_the_same_key_applies_once(api, product, commit_answer_lost):
    url, key = f"/api/products/{product.product_id}/stock/receive/", {"Idempotency-Key": "po-1"}
    response = api.post(url, {"quantity": 4}, content_type="application/json", headers=key)
    assert response.status_code == 503
    assert response.json() == {"code": "outcome_unknown", "message": resilience.UNKNOWN_API, "errors": {}}
    again = api.post(url, {"quantity": 4}, content_type="application/json", headers=key)
    assert again.status_code == 204
    assert on_hand(product) == 24


def test_when_the_lookup_of_an_earlier_run_fails_the_outcome_is_unknown(page, product, monkeypatch):
    form = receive_form()
    assert page.post(stock_url(product), form).status_code == 302

    def lost(command_id):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(idempotency, "recorded_use", lost)
    response = page.post(stock_url(product), form)  # the double submit meets the unique index, then the lookup fails
    assert response.status_code == 503 and resilience.UNKNOWN_FORM in response.text
    assert on_hand(product) == 24


def test_before_any_commit_the_503_says_nothing_was_saved_and_a_page_read_only_that_it_is_unreachable(page, product):
    form = receive_form()
    with connection.execute_wrapper(gone):
        post = page.post(stock_url(product), form)
        get = page.get(reverse("product_list"))
    assert post.status_code == get.status_code == 503
    assert resilience.DATABASE_UNAVAILABLE in post.text
    assert resilience.UNREACHABLE in get.text and "Nothing was saved" not in get.text
    assert f'value="{form["command_id"]}"' in post.text  # trying again sends the same form: safe
    assert on_hand(product) == 20


def test_a_page_that_fails_after_a_saved_command_still_shows_the_message_it_carries(page, product):
    assert page.post(stock_url(product), receive_form()).status_code == 302  # the flash is in the cookie
    with connection.execute_wrapper(gone):
        response = page.get(reverse("product_detail", args=[product.product_id]))
    assert response.status_code == 503
    assert "Received 4 × ACC-001 — on hand now 24." in response.text


def terminate_this_backend(*args, **kwargs):
    """pg_terminate_backend of this thread's connection, from another connection."""
    import psycopg2

    settings = connection.settings_dict
    pid = connection.connection.get_backend_pid()
    killer = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or "127.0.0.1", port=settings["PORT"]
    )
    try:
        with killer, killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()


@pytest.mark.pg_only
def test_a_real_connection_killed_before_the_commit_is_unknown_and_the_same_form_applies_once(
    page, product, monkeypatch
):
    """Killed as the transaction is about to commit: PostgreSQL rolls it back, the app cannot know that."""
    monkeypatch.setattr(bus, "PROJECTORS", [*bus.PROJECTORS, terminate_this_backend])
    form = receive_form()
    response = page.post(stock_url(product), form)
    connection.close()
    assert response.status_code == 503 and resilience.UNKNOWN_FORM in response.text
    monkeypatch.undo()
    assert page.post(stock_url(product), form).status_code == 302
    assert on_hand(product) == 24
    assert list(verify()) == []


@pytest.mark.pg_only
def test_a_real_connection_killed_between_commit_and_read(page, product):
    """pg_terminate_backend from another connection, right after the commit: the follow-up read really fails."""
    bus.command_accepted.connect(terminate_this_backend, weak=False, dispatch_uid="test-terminate")
    try:
        response = page.post(stock_url(product), receive_form())
    finally:
        bus.command_accepted.disconnect(dispatch_uid="test-terminate")
        connection.close()  # what the end of a real request does with a broken connection (the test client does not)
    assert response.status_code == 302
    assert flashed(page, product) == [STOCK_DONE_UNREAD["receive"].format(quantity=4, sku="ACC-001")]
    assert on_hand(product) == 24
    assert list(verify()) == []


class Refused(Exception):
    pass


def _write(sku: str) -> None:
    from products.write.aggregates import Product

    Product.objects.filter(sku=sku).update(name="touched")


def test_the_tracker_counts_a_committed_write_and_forgets_a_rolled_back_one(product):
    from cqrs_demo.outcome import Outcome, RequestWrites

    rolled_back, committed = RequestWrites(), RequestWrites()
    with connection.execute_wrapper(rolled_back):
        with pytest.raises(Refused), transaction.atomic():
            _write("ACC-001")
            raise Refused
        GetProductStock(product_id=product.product_id).execute()
    with connection.execute_wrapper(committed), transaction.atomic():
        _write("ACC-001")
    assert (rolled_back.outcome(), committed.outcome()) == (Outcome.NOTHING_SAVED, Outcome.SAVED)


@pytest.mark.pg_only
def test_a_lost_commit_answer_is_unknown_even_after_something_else_was_saved(product, commit_answer_lost):
    """Doubt first: the next transaction runs on a new connection, which shows the old one broke."""
    from cqrs_demo.outcome import Outcome, RequestWrites

    writes = RequestWrites()
    with connection.execute_wrapper(writes):
        with pytest.raises(OperationalError), transaction.atomic():
            _write("ACC-001")
        with transaction.atomic():
            _write("ACC-001")
    assert writes.saved and writes.outcome() is Outcome.UNKNOWN


def test_a_statement_failing_at_the_top_of_a_transaction_takes_its_pending_writes_with_it(product):
    from cqrs_demo.outcome import Outcome, RequestWrites

    writes = RequestWrites()
    with connection.execute_wrapper(writes), pytest.raises(OperationalError), transaction.atomic():
        _write("ACC-001")
        with connection.execute_wrapper(gone):
            _write("ACC-001")
    assert writes.outcome() is Outcome.NOTHING_SAVED
