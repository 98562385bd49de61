"""Who may run which kind of import: the commands its rows become, each checked by the bus's own rule."""

from __future__ import annotations

from products.write.bus import authorise, is_allowed
from products.write.commands import CountStock, CreateProduct, ReceiveStock

from .models import ImportKind

# The commands each kind of import dispatches: a user must be allowed every one of them.
KIND_COMMANDS = {ImportKind.PRODUCTS: (CreateProduct, ReceiveStock), ImportKind.COUNTS: (CountStock,)}


def may_import(kind: str, user) -> bool:
    return all(is_allowed(command, user) for command in KIND_COMMANDS[kind])


def allowed_kinds(user) -> list[str]:
    return [kind for kind in ImportKind.values if may_import(kind, user)]


def ensure_may_import(kind: str, user) -> None:
    """Raise PermissionDenied for the first of the kind's commands the user may not run."""
    for command in KIND_COMMANDS[kind]:
        authorise(command, user)
