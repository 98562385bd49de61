"""Domain errors: what a command can refuse, with messages people can read."""

from __future__ import annotations


class DomainError(Exception):
    """Base for every refusal a handler can give; `code` is stable for API clients."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # Figures a client may act on without parsing the message (the API adds them to its body).
        self.details = details or {}

    @property
    def field_errors(self) -> dict[str, list[str]]:
        return {self.field: [self.message]} if self.field else {}


class InvalidCommand(DomainError):
    """The command's own fields are wrong, before any state is looked at."""

    code = "invalid"
    status = 400

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        text = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        super().__init__(text)

    @property
    def field_errors(self) -> dict[str, list[str]]:
        return self.errors


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    MESSAGE = "You do not have permission to {action}."


class ProductNotFound(DomainError):
    code = "not_found"
    status = 404
    MESSAGE = "No product with id {product_id}."


class DuplicateSku(DomainError):
    code = "duplicate_sku"
    status = 409
    MESSAGE = "SKU {sku} is already used by another product."


class ProductAlreadyExists(DomainError):
    code = "product_exists"
    status = 409
    MESSAGE = "A product with id {product_id} already exists."


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409
    MESSAGE = "Cannot issue {requested} of {sku}: only {on_hand} on hand."
    # Taking more from one location than it holds (an issue or a transfer away from it).
    MESSAGE_AT = "Cannot {action} {requested} of {sku} from {location}: only {on_hand} there."


class LocationNotFound(DomainError):
    code = "unknown_location"
    status = 400
    MESSAGE = "There is no location {code}."


class LocationArchived(DomainError):
    code = "archived_location"
    status = 409
    MESSAGE = "Location {code} is archived; stock cannot be put there or taken from it."
    CHANGE_MESSAGE = "Location {code} is archived; archived locations cannot be changed."


class DuplicateLocation(DomainError):
    code = "duplicate_location"
    status = 409
    MESSAGE = "Location code {code} is already used (codes are the same regardless of case)."


class LocationNotEmpty(DomainError):
    code = "location_not_empty"
    status = 409
    MESSAGE = "{code} still holds {on_hand} units; move them out before archiving it."


class LocationHasBins(DomainError):
    code = "location_has_bins"
    status = 409
    MESSAGE = "{code} still holds active locations ({children}); archive or move those first."


class MainLocationFixed(DomainError):
    code = "main_location"
    status = 409
    MESSAGE = "{code} is the default location: it cannot be archived."


class LocationNesting(DomainError):
    """Locations nest one level deep: a warehouse holds bins, a bin holds nothing."""

    code = "location_nesting"
    status = 409
    PARENT_IS_A_BIN = "{parent} is inside {grandparent}; a location inside another cannot hold locations."
    HAS_BINS = "{code} holds other locations, so it cannot go inside another."
    ITSELF = "A location cannot be inside itself."


class StockPromised(InsufficientStock):
    """An issue (or count) that would take on hand below what open reservations hold back."""

    code = "stock_promised"
    MESSAGE = (
        "Cannot issue {requested} of {sku}: only {free} free ({on_hand} on hand, {reserved} promised to {to_whom})."
    )
    COUNT_MESSAGE = (
        "Cannot count {sku} at {counted}: {reserved} are promised to {to_whom}. "
        "Release or fulfil those reservations first, then count again."
    )
    REVERSE_MESSAGE = (
        "Reversing #{position} would take {sku} to {after} on hand, below the {reserved} promised to {to_whom}. "
        "Release or fulfil those reservations first."
    )


class InsufficientAvailable(DomainError):
    """A reservation beyond what is free (on hand less what is already promised)."""

    code = "insufficient_available"
    status = 409
    MESSAGE = "Cannot reserve {requested} of {sku}: only {free} free ({on_hand} on hand, {reserved} promised)."


class ReservationNotFound(DomainError):
    code = "not_found"
    status = 404
    MESSAGE = "No reservation with id {reservation_id}."


class ReservationAlreadyExists(DomainError):
    code = "reservation_exists"
    status = 409
    MESSAGE = "A reservation with id {reservation_id} already exists."


class ReservationClosed(DomainError):
    """Release, fulfil or expire of a reservation that is no longer active."""

    code = "reservation_closed"
    status = 409
    MESSAGE = "Reservation {reference} is already {status}; nothing is held for it any more."


class FulfilBeyondReserved(DomainError):
    code = "fulfil_beyond_reserved"
    status = 409
    MESSAGE = "Cannot fulfil {requested} for {reference}: only {rest} still reserved."


class NotYetExpired(DomainError):
    code = "not_expired"
    status = 409
    MESSAGE = "Reservation {reference} does not expire until {expires_at}."


class ArchiveWithReservations(DomainError):
    code = "reserved"
    status = 409
    MESSAGE = "{sku} has {reserved} promised to {to_whom}: release or fulfil those reservations before archiving."


class StaleVersion(DomainError):
    """`changed_by`/`changed_at`: the newest change since the caller's version (a details change if any,
    `details_changed`), so a page can say who it was, the caller themselves in another tab included."""

    code = "stale_version"
    status = 409
    MESSAGE = (
        "{sku} was changed by someone else since you opened it "
        "(your version {expected}, current {actual}). Review the current values and try again."
    )

    def __init__(self, message: str, *, changed_by=None, changed_at=None, details_changed: bool = False):
        super().__init__(message)
        self.changed_by, self.changed_at, self.details_changed = changed_by, changed_at, details_changed


class ProductArchived(DomainError):
    code = "archived"
    status = 409
    MESSAGE = "{sku} is archived; archived products cannot be changed."


class ProductNotArchived(DomainError):
    code = "not_archived"
    status = 409
    MESSAGE = "{sku} is not archived, so there is nothing to restore."


class StockLimitExceeded(DomainError):
    code = "stock_limit"
    status = 409
    MESSAGE = "Receiving {quantity} would take {sku} above the maximum of {limit} on hand."


class IdempotencyKeyReused(DomainError):
    """The command_id (Idempotency-Key, form id, import row id) was already used for another request."""

    code = "idempotency_key_reused"
    status = 422
    MESSAGE = (
        "This key was already used for {first}; {now}. A retry must repeat the first request exactly: "
        "use a new key for a new request. Nothing was changed."
    )

    def __init__(self, *, first: str, now: str, command_type: str = "", subject: str = ""):
        super().__init__(self.MESSAGE.format(first=first, now=now), field="command_id")
        self.first = first
        self.command_type = command_type  # the first use's command, and what it was about: for the UI's own words
        self.subject = subject

    @property
    def field_errors(self) -> dict[str, list[str]]:
        return {"command_id": [f"First used for {self.first}."]}


class MovementNotFound(DomainError):
    code = "not_found"
    status = 404
    MESSAGE = "No stock movement at position {position}."


class MovementNotReversible(DomainError):
    code = "not_reversible"
    status = 409
    MESSAGE = "#{position} is a correction itself; record a new movement instead of reversing it."


class AlreadyReversed(DomainError):
    code = "already_reversed"
    status = 409
    MESSAGE = "#{position} was already reversed by #{by}; a movement is reversed once."


class ReversalRefused(DomainError):
    code = "insufficient_stock"
    status = 409
    MESSAGE = "Reversing #{position} would take {sku} to {after} on hand (only {on_hand} on hand now)."
    TRANSFER_MESSAGE = (
        "Reversing #{position} would move {quantity} of {sku} back from {source} to {target}, "
        "but only {on_hand} are at {source} now."
    )


class CountSuperseded(DomainError):
    code = "count_superseded"
    status = 409
    MESSAGE = "{sku} was counted again ({counted} at {at}) after this count was taken; count it again."


class CountInFuture(DomainError):
    code = "invalid"
    status = 400
    MESSAGE = "A count cannot have been taken in the future."
