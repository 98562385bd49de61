"""Permission glue: reads need a login (DRF default); commands use the rule the bus and UI use."""

from __future__ import annotations

from products.write import errors, permissions


def ensure_allowed(command_class, user) -> None:
    """Refuse before reading the body, so a Viewer learns 403 rather than field errors."""
    if not permissions.is_allowed(command_class, user):
        _, action = permissions.REQUIRED_PERMISSION[command_class]
        raise errors.PermissionDenied(errors.PermissionDenied.MESSAGE.format(action=action))
