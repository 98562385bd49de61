"""Running a form's command from a view: the permission check, the dispatch, and refusals put onto the form.

Every command view (products, stock, locations, reservations, corrections) goes through `run_form`, so a
refusal reads the same everywhere: next to its field, with the status the command layer chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from products.write import bus, errors
from products.write.commands import Command

ALREADY_RECORDED = "Already recorded: this form had been sent before, so it counted once. {done}"
FORM_REUSED = "This form was already used for {first}, so nothing was changed. Reload the page for a fresh form."
# What a clerk calls each command; others are worded from the class name ("ReceiveStock": "receive stock").
CHANGE_WORDS = {
    "CreateProduct": "creating a product",
    "UpdateProductDetails": "an edit",
    "ReceiveStock": "a receipt",
    "IssueStock": "an issue",
    "CountStock": "a count",
    "TransferStock": "a transfer",
    "ArchiveProduct": "archiving",
    "RestoreProduct": "a restore",
    "ReserveStock": "a reservation",
    "ReleaseReservation": "a release",
    "FulfilReservation": "a fulfilment",
    "ReverseMovement": "a reversal",
    "CreateLocation": "creating a location",
    "UpdateLocation": "a location edit",
    "ArchiveLocation": "archiving a location",
}


@dataclass(frozen=True)
class Ran:
    """A command the bus accepted; `duplicate`: this form had been sent before (nothing was done again).

    `position`: its event's place in the log, for a read that must wait until the projectors have it.
    """

    command: Command
    duplicate: bool
    position: int | None = None

    def say(self, request, text: str) -> None:
        messages.success(request, ALREADY_RECORDED.format(done=text) if self.duplicate else text)


def require(command_class, user) -> None:
    """Refuse early with a 403 page; bus.dispatch checks the same rule again."""
    try:
        bus.authorise(command_class, user)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc


def run_form(request, form, build) -> tuple[Ran | None, int | None]:
    """Dispatch the form's command; return (Ran, None) or (None, status) with the errors on the form."""
    if not form.is_valid():
        return None, 400
    try:
        command = build()
        result = bus.dispatch(command, actor=request.user)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.IdempotencyKeyReused as exc:
        form.add_error(None, FORM_REUSED.format(first=first_change(exc)))
        return None, exc.status
    except errors.StaleVersion as exc:
        form.refusal = exc  # the page words it, with who changed what (stale_edit)
        return None, exc.status
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return None, exc.status
    return Ran(command, result.duplicate, result.position), None


def first_change(exc: errors.IdempotencyKeyReused) -> str:
    """'a receipt (ACC-001)': what the form was first used for, in the clerk's words, not the API's."""
    words = CHANGE_WORDS.get(exc.command_type) or re.sub(r"(?<!^)(?=[A-Z])", " ", exc.command_type).lower()
    words = words or "another change"
    return f"{words} ({exc.subject})" if exc.subject else words
