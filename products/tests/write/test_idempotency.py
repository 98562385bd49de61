"""The same command_id applied many times changes state once, also when two twins race."""

import threading
import uuid

import pytest
from django.db import connection

from products.read.queries import GetProduct, GetProductStock
from products.read.verify import verify
from products.write import bus, errors
from products.write.commands import (
    ArchiveProduct,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    UpdateProductDetails,
)
from products.write.log import Event

COMMANDS = {
    "create": lambda p: CreateProduct(sku="NEW-1", name="New"),
    "update": lambda p: UpdateProductDetails(
        product_id=p.product_id, expected_version=p.version, sku=p.sku, name="Renamed", price="3.00", reorder_level=1
    ),
    "receive": lambda p: ReceiveStock(product_id=p.product_id, quantity=5),
    "issue": lambda p: IssueStock(product_id=p.product_id, quantity=5),
    "count": lambda p: CountStock(product_id=p.product_id, quantity=3),
    "archive": lambda p: ArchiveProduct(product_id=p.product_id),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", COMMANDS)
def test_ten_dispatches_change_state_once(product, snapshot, kind):
    command = COMMANDS[kind](product)
    before = snapshot()
    bus.dispatch(command)
    after_first = snapshot()
    assert len(after_first["events"]) == len(before["events"]) + 1
    for _ in range(9):
        bus.dispatch(command)
    assert snapshot() == after_first
    assert Event.objects.filter(command_id=command.command_id).count() == 1
    assert verify().total == 0


@pytest.mark.django_db
def test_replayed_update_is_not_reported_stale(product):
    """A retried edit must not turn into a stale-version error after its first try succeeded."""
    command = COMMANDS["update"](product)
    bus.dispatch(command)
    bus.dispatch(command)
    assert GetProduct(product_id=product.product_id).execute().version == product.version + 1


@pytest.mark.django_db
def test_refused_command_leaves_no_trace_so_a_retry_is_judged_afresh(product):
    command = IssueStock(product_id=product.product_id, quantity=25)
    with pytest.raises(errors.InsufficientStock):
        bus.dispatch(command)
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=5))
    bus.dispatch(command)
    bus.dispatch(command)
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 0


def run_twins(command, twins: int = 2) -> list[BaseException | None]:
    """Dispatch the same command from several threads released at the same moment."""
    barrier = threading.Barrier(twins)
    outcomes: list[BaseException | None] = [None] * twins

    def work(index):
        try:
            barrier.wait()
            bus.dispatch(command)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(twins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.pg_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["receive", "create", "update"])
def test_concurrent_twins_apply_once(product, kind):
    command = COMMANDS[kind](product)
    events = Event.objects.count()
    assert run_twins(command) == [None, None]
    assert Event.objects.filter(command_id=command.command_id).count() == 1
    assert Event.objects.count() == events + 1
    if kind == "receive":
        assert GetProductStock(product_id=product.product_id).execute().on_hand == product.on_hand + 5
    assert verify().total == 0


@pytest.mark.pg_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_product_id_refuse_the_second_clearly(db):
    """Two different commands creating the same product: one wins, the other gets a clear 409."""
    product_id = uuid.uuid4()
    barrier = threading.Barrier(2)
    outcomes = []

    def work(sku):
        try:
            barrier.wait()
            bus.dispatch(CreateProduct(product_id=product_id, sku=sku, name="Twin"))
            outcomes.append(None)
        except errors.DomainError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(sku,)) for sku in ("TWIN-A", "TWIN-B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    refusals = [outcome for outcome in outcomes if outcome is not None]
    assert len(refusals) == 1
    assert isinstance(refusals[0], errors.ProductAlreadyExists)
    assert verify().total == 0
