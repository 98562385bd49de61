"""Projector lag on /healthz and the maintenance page; a stopped projector retried or skipped by a manager."""

from __future__ import annotations

import pytest
from django.urls import reverse

from products.read.checkpoints import ProjectorCheckpoint, ProjectorIntervention
from products.read.projectors import catch_up_all
from products.write import bus
from products.write.commands import ReceiveStock

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_mode(settings):
    settings.PROJECTORS_IN_PROCESS = False


def _stop_ledger_at(position: int) -> None:
    ProjectorCheckpoint.objects.filter(pk="ledger").update(
        position=position - 1, failed_position=position, last_error="ValueError: cannot project this one"
    )


def test_healthz_reports_each_projectors_lag(client, product):
    answer = client.get(reverse("healthz")).json()
    assert answer["status"] == "ok"
    assert answer["projectors"]["ledger"] | {"lag_seconds": 0} == {
        "position": answer["projectors"]["ledger"]["position"],
        "behind": 0,
        "lag_seconds": 0,
        "stopped_at": None,
        "error": "",
    }


def test_healthz_fails_when_a_projector_is_too_far_behind(client, product, worker_mode, settings):
    settings.PROJECTOR_MAX_LAG_EVENTS = 1
    for _ in range(2):
        bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "projectors_behind"
    assert response.json()["projectors"]["levels"]["behind"] == 2
    catch_up_all()
    assert client.get(reverse("healthz")).status_code == 200


def test_healthz_fails_while_a_projector_is_stopped(client, product):
    head = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1)).position
    _stop_ledger_at(head)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["projectors"]["ledger"]["stopped_at"] == head


def test_the_maintenance_page_shows_the_lag_and_a_stopped_projectors_error(manager_client, product):
    html = manager_client.get(reverse("maintenance")).content.decode()
    assert "Movements ledger" in html and "Up to date" in html
    head = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1)).position
    _stop_ledger_at(head)
    html = manager_client.get(reverse("maintenance")).content.decode()
    assert f"Stopped at change #{head}" in html and "cannot project this one" in html
    assert reverse("projector_action", args=["ledger", "retry"]) in html


def test_a_manager_retries_a_stopped_projector_and_it_is_recorded(manager_client, manager, product):
    head = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1)).position
    _stop_ledger_at(head)
    response = manager_client.post(reverse("projector_action", args=["ledger", "retry"]), follow=True)
    assert f"try event #{head} again" in response.content.decode()
    checkpoint = ProjectorCheckpoint.objects.get(pk="ledger")
    assert (checkpoint.position, checkpoint.failed_position, checkpoint.last_error) == (head - 1, None, "")
    done = ProjectorIntervention.objects.get()
    assert (done.projector, done.action, done.position, done.actor) == ("ledger", "retry", head, manager.username)
    assert "cannot project this one" in done.error


def test_a_manager_skips_the_event_a_projector_stopped_at(manager_client, product):
    head = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1)).position
    _stop_ledger_at(head)
    manager_client.post(reverse("projector_action", args=["ledger", "skip"]))
    checkpoint = ProjectorCheckpoint.objects.get(pk="ledger")
    assert (checkpoint.position, checkpoint.failed_position, checkpoint.skipped) == (head, None, 1)
    assert ProjectorIntervention.objects.get().action == "skip"


def test_retry_and_skip_are_for_managers_and_real_projectors(clerk_client, manager_client, product):
    assert clerk_client.post(reverse("projector_action", args=["ledger", "retry"])).status_code == 403
    assert manager_client.post(reverse("projector_action", args=["nope", "retry"])).status_code == 404
    assert manager_client.post(reverse("projector_action", args=["ledger", "drop"])).status_code == 404
    response = manager_client.post(reverse("projector_action", args=["ledger", "skip"]), follow=True)
    assert "was not stopped: nothing to do" in response.content.decode()
    assert not ProjectorIntervention.objects.exists()
