"""Who may run which command: one rule shared by the bus, the UI and the API."""

from __future__ import annotations

from products.write import errors
from products.write.commands import (
    ArchiveLocation,
    ArchiveProduct,
    Command,
    CountStock,
    CreateLocation,
    CreateProduct,
    ExpireReservation,
    FulfilReservation,
    IssueStock,
    ReceiveStock,
    ReleaseReservation,
    ReserveStock,
    RestoreProduct,
    ReverseMovement,
    TransferStock,
    UpdateLocation,
    UpdateProductDetails,
)

# One permission per command, with the words used when it is refused.
REQUIRED_PERMISSION = {
    CreateProduct: ("products.add_product", "create products"),
    UpdateProductDetails: ("products.change_product", "edit products"),
    ReceiveStock: ("products.receive_stock", "receive stock"),
    IssueStock: ("products.issue_stock", "issue stock"),
    CountStock: ("products.count_stock", "count stock"),
    ArchiveProduct: ("products.archive_product", "archive products"),
    TransferStock: ("products.transfer_stock", "move stock between locations"),
    CreateLocation: ("products.add_location", "create locations"),
    UpdateLocation: ("products.change_location", "edit locations"),
    ArchiveLocation: ("products.archive_location", "archive locations"),
    ReserveStock: ("products.reserve_stock", "reserve stock"),
    ReleaseReservation: ("products.release_reservation", "release reservations"),
    FulfilReservation: ("products.fulfil_reservation", "fulfil reservations"),
    # No role holds it: the expiry sweep runs as the system (actor None).
    ExpireReservation: ("products.expire_reservation", "expire reservations"),
    # Whoever may archive may undo it: one permission, so no role needs a new grant.
    RestoreProduct: ("products.archive_product", "restore archived products"),
    ReverseMovement: ("products.reverse_movement", "reverse stock movements"),
}


def is_allowed(command_class: type[Command], actor) -> bool:
    """May this actor run this kind of command? `None` is the system itself."""
    if actor is None:
        return True
    permission, _ = REQUIRED_PERMISSION[command_class]
    return actor.is_authenticated and actor.is_active and actor.has_perm(permission)


def authorise(command_class: type[Command], actor) -> None:
    """Raise PermissionDenied, in the words people read, unless the actor may run this kind of command."""
    if not is_allowed(command_class, actor):
        _, action = REQUIRED_PERMISSION[command_class]
        raise errors.PermissionDenied(errors.PermissionDenied.MESSAGE.format(action=action))
