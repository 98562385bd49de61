"""A command_id is bound to the request it was first used for: a replay succeeds, a reuse is refused."""

import uuid

import pytest

from products.read.queries import GetProductStock
from products.write import bus, errors
from products.write.commands import (
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    UpdateProductDetails,
)
from products.write.log import Event


def on_hand(product) -> int:
    return GetProductStock(product_id=product.product_id).execute().on_hand


@pytest.fixture
def other(make_product):
    return make_product(sku="KEY-B", name="Other")


@pytest.mark.django_db
def test_the_event_row_says_what_its_command_id_was_used_for(product):
    command = ReceiveStock(product_id=product.product_id, quantity=4, note="PO-1")
    bus.dispatch(command)
    row = Event.objects.get(command_id=command.command_id)
    assert (row.command_type, row.request_digest) == ("ReceiveStock", command.request_digest())
    assert len(row.request_digest) == 64


@pytest.mark.django_db
def test_an_exact_replay_is_a_duplicate_with_the_first_runs_position(product):
    command = ReceiveStock(product_id=product.product_id, quantity=4)
    first = bus.dispatch(command)
    again = bus.dispatch(ReceiveStock(command_id=command.command_id, product_id=product.product_id, quantity=4))
    assert (again.duplicate, again.position) == (True, first.position)
    assert on_hand(product) == 24


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reuse, difference",
    [
        (lambda p, o: ReceiveStock(product_id=o.product_id, quantity=7), "this request is for product"),
        (lambda p, o: IssueStock(product_id=o.product_id, quantity=7), "this request is IssueStock"),
        (lambda p, o: IssueStock(product_id=p.product_id, quantity=4), "this request is IssueStock"),
        (lambda p, o: ReceiveStock(product_id=p.product_id, quantity=9), "something else"),
        (lambda p, o: ReceiveStock(product_id=p.product_id, quantity=4, note="other"), "something else"),
        (lambda p, o: CountStock(product_id=p.product_id, quantity=4), "this request is CountStock"),
        (lambda p, o: CreateProduct(sku="NEW-9", name="New"), "this request is CreateProduct"),
    ],
    ids=[
        "other-product",
        "other-command-other-product",
        "other-command",
        "other-quantity",
        "other-note",
        "count",
        "create",
    ],
)
def test_a_reused_command_id_is_refused_naming_its_first_use_and_writes_nothing(
    product, other, snapshot, reuse, difference
):
    first = ReceiveStock(product_id=product.product_id, quantity=4)
    bus.dispatch(first)
    before = snapshot()
    reused = reuse(product, other)
    reused = type(reused)(**{**reused.__dict__, "command_id": first.command_id})
    with pytest.raises(errors.IdempotencyKeyReused) as refused:
        bus.dispatch(reused)
    assert refused.value.status == 422 and refused.value.code == "idempotency_key_reused"
    assert f"already used for ReceiveStock on ACC-001 (product {product.product_id})" in refused.value.message
    assert difference in refused.value.message
    assert refused.value.field_errors == {
        "command_id": [f"First used for ReceiveStock on ACC-001 (product {product.product_id})."]
    }
    assert snapshot() == before


@pytest.mark.django_db
def test_an_issue_the_other_product_cannot_satisfy_is_a_reuse_not_a_success(product, other, snapshot):
    """The issue's probe: same key, an issue B could not satisfy, answered 204. Now it is refused as a reuse."""
    first = ReceiveStock(product_id=product.product_id, quantity=4)
    bus.dispatch(first)
    before = snapshot()
    with pytest.raises(errors.IdempotencyKeyReused):
        bus.dispatch(IssueStock(command_id=first.command_id, product_id=other.product_id, quantity=500))
    assert snapshot() == before


@pytest.mark.django_db
def test_a_refused_command_leaves_no_binding_so_its_id_may_carry_another_request(product):
    """Refusals record nothing: the id is still free, by design (a retry after a refusal is judged afresh)."""
    refused = IssueStock(product_id=product.product_id, quantity=500)
    with pytest.raises(errors.InsufficientStock):
        bus.dispatch(refused)
    bus.dispatch(IssueStock(command_id=refused.command_id, product_id=product.product_id, quantity=5))
    assert on_hand(product) == 15


@pytest.mark.django_db
def test_an_edit_replayed_on_another_version_is_the_same_request(product):
    """The version is the precondition, not the change: a double-submitted edit replays, never 422s."""
    edit = dict(sku=product.sku, name="Renamed", price="3.00", reorder_level=1, product_id=product.product_id)
    command = UpdateProductDetails(expected_version=product.version - 1, **edit)
    with pytest.raises(errors.StaleVersion):  # refused: no record, so the UI may retry it on the current version
        bus.dispatch(command)
    bus.dispatch(UpdateProductDetails(command_id=command.command_id, expected_version=product.version, **edit))
    events = Event.objects.count()
    again = bus.dispatch(command)  # the first submit again, on its stale version
    assert again.duplicate and Event.objects.count() == events
    with pytest.raises(errors.IdempotencyKeyReused):
        bus.dispatch(
            UpdateProductDetails(
                command_id=command.command_id, expected_version=product.version + 1, **{**edit, "name": "Other"}
            )
        )


@pytest.mark.django_db
def test_old_events_without_a_digest_accept_a_replay_of_the_same_type_and_target_only(product, other):
    """Events from before the columns: the type comes from the event's, the payload is unknown."""
    first = ReceiveStock(product_id=product.product_id, quantity=4)
    bus.dispatch(first)
    Event.objects.filter(command_id=first.command_id).update(command_type="", request_digest="")
    replay = bus.dispatch(ReceiveStock(command_id=first.command_id, product_id=product.product_id, quantity=9))
    assert replay.duplicate and on_hand(product) == 24
    for reuse in (
        IssueStock(command_id=first.command_id, product_id=product.product_id, quantity=1),
        ReceiveStock(command_id=first.command_id, product_id=other.product_id, quantity=4),
    ):
        with pytest.raises(errors.IdempotencyKeyReused):
            bus.dispatch(reuse)


def test_the_digest_ignores_the_id_and_fields_left_at_their_default():
    """Adding an optional field to a command keeps the digest of every request that does not use it."""
    product_id = uuid.uuid4()
    plain = ReceiveStock(product_id=product_id, quantity=4)
    assert plain.request_digest() == ReceiveStock(product_id=product_id, quantity="4", note="  ").request_digest()
    assert plain.request_digest() != ReceiveStock(product_id=product_id, quantity=4, note="x").request_digest()
