"""Who may dispatch what: each role against each command, through the bus's one rule."""

import uuid

import pytest

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

from .conftest import details, last_event, refused

pytestmark = pytest.mark.django_db


ROLE_RIGHTS = {
    "anonymous": set(),
    "viewer": set(),
    "clerk": {"receive", "issue", "count"},
    "manager": {"create", "update", "receive", "issue", "count", "archive"},
    "superuser": {"create", "update", "receive", "issue", "count", "archive"},
}
ACTIONS = {
    "create": (lambda p: CreateProduct(sku="NEW-1", name="New"), "create products"),
    "update": (lambda p: UpdateProductDetails(**details(p, name="Renamed")), "edit products"),
    "receive": (lambda p: ReceiveStock(product_id=p.product_id, quantity=1), "receive stock"),
    "issue": (lambda p: IssueStock(product_id=p.product_id, quantity=1), "issue stock"),
    "count": (lambda p: CountStock(product_id=p.product_id, quantity=7), "count stock"),
    "archive": (lambda p: ArchiveProduct(product_id=p.product_id), "archive products"),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLE_RIGHTS)
def test_permissions_per_role(request, product, snapshot, role, action):
    actor = request.getfixturevalue(role)
    make_command, words = ACTIONS[action]
    command = make_command(product)
    assert bus.is_allowed(type(command), actor) == (action in ROLE_RIGHTS[role])
    if action in ROLE_RIGHTS[role]:
        events = Event.objects.count()
        bus.dispatch(command, actor=actor)
        assert Event.objects.count() == events + 1
        assert last_event().actor == actor.get_username()
    else:
        error = refused(snapshot, command, errors.PermissionDenied, actor=actor)
        assert error.message == f"You do not have permission to {words}."
        assert (error.status, error.code) == (403, "permission_denied")


def test_inactive_manager_is_refused(product, manager, snapshot):
    manager.is_active = False
    manager.save()
    refused(snapshot, ReceiveStock(product_id=product.product_id, quantity=1), errors.PermissionDenied, actor=manager)


def test_permission_is_checked_before_existence(viewer, snapshot):
    refused(snapshot, ReceiveStock(product_id=uuid.uuid4(), quantity=1), errors.PermissionDenied, actor=viewer)
