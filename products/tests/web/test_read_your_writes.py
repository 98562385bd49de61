"""Read-your-writes by position: after your own command, a page waits for the projectors, or says it is updating."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from cqrs_demo import freshness
from products.read.projectors import catch_up_all, waiting

pytestmark = pytest.mark.django_db

UPDATING = "Updating… your last change is still being added"


@pytest.fixture
def slow_projectors(settings):
    """As in production, with the projectors held back on purpose: nothing catches up unless the test says so."""
    settings.PROJECTORS_IN_PROCESS = False
    settings.READ_YOUR_WRITES_WAIT = 0.2


@pytest.fixture
def projectors_catch_up_while_the_page_waits(monkeypatch):
    """The projector worker gets there during the page's wait (its first pause)."""
    real_sleep = waiting.time.sleep

    def sleep(seconds):
        catch_up_all()
        real_sleep(0)

    monkeypatch.setattr(waiting.time, "sleep", sleep)


def _receive(client, product, quantity=4):
    url = reverse("product_stock", args=[product.product_id, "receive"])
    return client.post(url, {"command_id": str(uuid.uuid4()), "quantity": str(quantity), "note": ""})


def test_the_page_after_your_command_shows_it_once_the_projectors_have_it(
    clerk_client, product, slow_projectors, projectors_catch_up_while_the_page_waits
):
    response = _receive(clerk_client, product)
    assert response.status_code == 302 and int(response[freshness.POSITION_HEADER]) > 0
    html = clerk_client.get(reverse("product_detail", args=[product.product_id])).content.decode()
    assert UPDATING not in html
    assert "+4" in html  # the new ledger row is on the page: it waited for it
    assert freshness.SESSION_KEY not in clerk_client.session


def test_a_page_the_projectors_have_not_reached_says_updating_and_refreshes_when_they_have(
    clerk_client, product, slow_projectors
):
    _receive(clerk_client, product, quantity=7)
    page = reverse("product_detail", args=[product.product_id])
    html = clerk_client.get(page).content.decode()
    assert UPDATING in html and reverse("updating") in html and "+7" not in html
    assert clerk_client.get(reverse("updating")).get("HX-Refresh") is None  # still behind: keep polling
    catch_up_all()
    assert clerk_client.get(reverse("updating"))["HX-Refresh"] == "true"
    html = clerk_client.get(page).content.decode()
    assert UPDATING not in html and "+7" in html


def test_another_clerk_never_waits_for_someone_elses_change(clerk_client, manager_client, product, slow_projectors):
    _receive(clerk_client, product)
    html = manager_client.get(reverse("product_detail", args=[product.product_id])).content.decode()
    assert UPDATING not in html


def test_in_process_projectors_leave_nothing_to_wait_for(clerk_client, product):
    _receive(clerk_client, product)
    assert freshness.SESSION_KEY not in clerk_client.session


def _transfer(client, product, to="A-01", quantity=5):
    url = reverse("product_transfer", args=[product.product_id])
    data = {
        "quantity": str(quantity),
        "from_location": "MAIN",
        "to_location": to,
        "note": "",
        "command_id": uuid.uuid4(),
    }
    return client.post(url, data, follow=True)


def test_a_transfers_message_says_what_the_destination_holds_once_the_projector_has_it(
    clerk_client, product, make_location, slow_projectors, projectors_catch_up_while_the_page_waits
):
    """Found in a `make run` walk: with the worker projecting, the message said "A-01 holds 0 now" after moving 5."""
    make_location("A-01", parent="MAIN")
    response = _transfer(clerk_client, product)
    assert "Moved 5 × ACC-001 from MAIN to A-01 — A-01 holds 5 now." in response.text


def test_a_transfers_message_leaves_the_figure_out_rather_than_say_a_stale_one(
    clerk_client, product, make_location, slow_projectors
):
    make_location("A-01", parent="MAIN")
    response = _transfer(clerk_client, product)
    assert "Moved 5 × ACC-001 from MAIN to A-01." in response.text
    assert "holds 0 now" not in response.text
