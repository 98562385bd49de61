"""Checkpointed projectors: the ledger and stock per location fed from the log, exactly once, in order."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from products.read import feed as event_feed
from products.read.checkpoints import ProjectorCheckpoint
from products.read.feed import gap_safe
from products.read.projectors import PROJECTORS, catch_up, catch_up_all, run_batch
from products.read.queries import ListStockMovements
from products.read.replay import rebuild
from products.read.tables import DetailsHistoryEntry, StockByLocation, StockMovementEntry
from products.read.verify import verify
from products.write import bus
from products.write.commands import (
    ArchiveProduct,
    CountStock,
    IssueStock,
    ReceiveStock,
    ReverseMovement,
    TransferStock,
    UpdateProductDetails,
)
from products.write.log import Event

from ..projecting import forget_projections, head

pytestmark = pytest.mark.django_db


def _position(name: str) -> int:
    return ProjectorCheckpoint.objects.get(pk=name).position


def _ledger_rows() -> list[tuple]:
    return list(StockMovementEntry.objects.order_by("position").values_list())


@pytest.fixture
def worker_mode(settings):
    """As in production: the bus leaves the projectors to `run_projectors` (here: the test calls catch_up)."""
    settings.PROJECTORS_IN_PROCESS = False


@pytest.fixture
def quiet_database(monkeypatch):
    monkeypatch.setattr(event_feed, "_writers_in_flight", lambda: False)


def test_in_process_the_checkpoints_reach_the_command_right_after_it(product):
    result = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=4))
    assert {name: _position(name) for name in PROJECTORS} == {"ledger": result.position, "levels": result.position}
    assert StockMovementEntry.objects.get(pk=result.position).on_hand_after == 24


def test_in_worker_mode_the_command_leaves_the_ledger_to_the_projector(product, worker_mode):
    before = _position("ledger")
    result = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=4, location="MAIN"))
    assert not StockMovementEntry.objects.filter(pk=result.position).exists()
    assert _position("ledger") == before
    assert StockByLocation.objects.get(product_id=product.product_id).on_hand == 20
    assert catch_up(PROJECTORS["ledger"]) == 1
    assert StockMovementEntry.objects.get(pk=result.position).on_hand_after == 24
    assert "projector levels: at #" in " ".join(verify())  # still behind, and verify says so
    catch_up_all()
    assert StockByLocation.objects.get(product_id=product.product_id).on_hand == 24
    assert verify().total == 0


def _mixed_history(product, make_location) -> None:
    make_location("A-01")
    pid = product.product_id
    bus.dispatch(ReceiveStock(product_id=pid, quantity=5, location="A-01"))
    bus.dispatch(TransferStock(product_id=pid, quantity=3, from_location="A-01", to_location="MAIN"))
    received = bus.dispatch(ReceiveStock(product_id=pid, quantity=7))
    bus.dispatch(
        UpdateProductDetails(
            product_id=pid,
            expected_version=5,
            sku="ACC-001B",
            name="Renamed widget",
            description="",
            price="3.00",
            reorder_level=2,
        )
    )
    bus.dispatch(IssueStock(product_id=pid, quantity=2, location="A-01"))
    bus.dispatch(ReverseMovement(position=received.position, reason="wrong delivery"))
    bus.dispatch(CountStock(product_id=pid, quantity=10))
    bus.dispatch(ArchiveProduct(product_id=pid))


def test_batches_of_any_size_write_what_the_commands_wrote_in_process(product, make_location, settings):
    _mixed_history(product, make_location)
    in_process = _ledger_rows(), list(DetailsHistoryEntry.objects.order_by("position").values_list())
    levels = sorted(StockByLocation.objects.values_list("product_id", "location", "on_hand"))
    assert any(row[2] == "ACC-001B" for row in in_process[0])  # the rename reached later movements
    for size in (1, 3, 1000):
        rebuild()  # fresh tables at the head; then forget them and project the whole log again
        forget_projections()
        for projector in PROJECTORS.values():
            catch_up(projector, limit=size)
        assert (_ledger_rows(), list(DetailsHistoryEntry.objects.order_by("position").values_list())) == in_process
        assert sorted(StockByLocation.objects.values_list("product_id", "location", "on_hand")) == levels
        assert verify().total == 0


def test_a_batch_and_its_checkpoint_are_one_transaction(product, worker_mode, monkeypatch):
    """The checkpoint write failing takes the batch's rows with it: nothing is applied without being counted."""
    result = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
    from products.read.projectors import runner

    def broken(*args, **kwargs):
        raise runner.OperationalError("connection lost while writing the checkpoint")

    monkeypatch.setattr(runner, "_advance", broken)
    with pytest.raises(runner.OperationalError):
        run_batch(PROJECTORS["ledger"])
    assert not StockMovementEntry.objects.filter(pk=result.position).exists()
    monkeypatch.undo()
    run_batch(PROJECTORS["ledger"])
    assert StockMovementEntry.objects.filter(pk=result.position).count() == 1


def test_a_late_committing_position_is_not_stepped_over():
    now = timezone.now()
    assert gap_safe(10, [(11, now), (13, now)], in_flight=lambda: True).horizon == 11
    assert gap_safe(10, [(12, now)], in_flight=lambda: True).horizon == 10  # 11 may still commit
    passed = gap_safe(10, [(12, now)], in_flight=lambda: False)
    assert (passed.horizon, passed.passed_gap) == (12, True)  # nobody can fill 11: the caller reads again
    old = now - event_feed.GAP_GRACE - timedelta(seconds=1)
    assert gap_safe(10, [(12, old)], in_flight=lambda: True).horizon == 12


def test_the_projector_waits_at_a_hole_a_running_writer_may_fill(product, worker_mode, monkeypatch):
    catch_up_all()
    last = head()
    Event.objects.create(
        position=last + 2,
        stream_id=product.product_id,
        stream_version=99,
        type="StockReceived",
        data={"quantity": 1, "note": ""},
        actor="test",
        command_id=uuid.uuid4(),
        occurred_at=timezone.now(),
    )
    monkeypatch.setattr(event_feed, "_writers_in_flight", lambda: True)
    assert run_batch(PROJECTORS["ledger"]) == 0
    assert _position("ledger") == last
    monkeypatch.setattr(event_feed, "_writers_in_flight", lambda: False)
    assert run_batch(PROJECTORS["ledger"]) == 1
    assert _position("ledger") == last + 2


def test_a_poison_event_stops_only_its_projector_and_keeps_the_events_before_it(product, worker_mode, monkeypatch):
    good = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
    bad = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=2, note="poison"))
    after = bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=3))
    real = PROJECTORS["ledger"].apply

    def fragile(events):
        if any(getattr(e.event, "note", "") == "poison" for e in events):
            raise ValueError("cannot project this one")
        real(events)

    monkeypatch.setitem(PROJECTORS, "ledger", replace(PROJECTORS["ledger"], apply=fragile))
    catch_up_all()
    checkpoint = ProjectorCheckpoint.objects.get(pk="ledger")
    assert (checkpoint.position, checkpoint.failed_position) == (good.position, bad.position)
    assert "cannot project this one" in checkpoint.last_error
    assert StockMovementEntry.objects.filter(pk=good.position).exists()
    assert not StockMovementEntry.objects.filter(pk__in=[bad.position, after.position]).exists()
    assert _position("levels") == after.position  # the other projector went on
    assert run_batch(PROJECTORS["ledger"]) is None  # stopped until a manager acts
    assert "projector ledger: stopped at event" in " ".join(verify())


def test_rebuild_sets_the_checkpoints_to_the_head(product, worker_mode):
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=1))
    rebuild()
    assert {name: _position(name) for name in PROJECTORS} == {name: head() for name in PROJECTORS}
    assert catch_up_all() == {name: 0 for name in PROJECTORS}
    assert verify().total == 0


def test_verify_read_models_catches_up_first(product, worker_mode):
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=1))
    call_command("verify_read_models")
    assert ListStockMovements().execute().rows[0].quantity == -1


def test_run_projectors_once_catches_up_and_exits(product, worker_mode):
    result = bus.dispatch(IssueStock(product_id=product.product_id, quantity=2))
    call_command("run_projectors", "--once")
    assert {name: _position(name) for name in PROJECTORS} == {name: result.position for name in PROJECTORS}
