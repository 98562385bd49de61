"""Commands: what a person wants done. Each validates its own fields on creation."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from products.write.errors import InvalidCommand
from products.write.events import DEFAULT_LOCATION, location_stream_id

SKU_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 500
REFERENCE_MAX_LENGTH = 100
LOCATION_MAX_LENGTH = 32
MAX_PRICE = Decimal("9999999999.99")
MAX_QUANTITY = 1_000_000_000
MAX_REORDER_LEVEL = 1_000_000_000
DETAIL_FIELDS = ("sku", "name", "description", "price", "reorder_level")
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
LOCATION_CODE_MAX_LENGTH = 32
LOCATION_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")

SKU_INVALID = "Use letters, digits and . _ / - only, starting with a letter or digit."
REQUIRED = "This field is required."
QUANTITY_RANGE = f"Enter a whole number from 1 to {MAX_QUANTITY:,}."
COUNT_RANGE = f"Enter a whole number from 0 to {MAX_QUANTITY:,}."
PRICE_INVALID = f"Enter an amount from 0 to {MAX_PRICE:,} with at most 2 decimal places."
REORDER_RANGE = f"Enter a whole number from 0 to {MAX_REORDER_LEVEL:,}."
VERSION_INVALID = "Version must be a whole number of 1 or more."
POSITION_INVALID = "Enter the position of a movement in the ledger (a whole number of 1 or more)."
NUL_CHARACTER = "Text must not contain NUL characters."
LOCATION_CODE_INVALID = "Use letters, digits, - and _ only (no spaces)."
SAME_LOCATION = "Choose a different location: stock is already there."
MOMENT_INVALID = "Enter a date and time with its time zone (ISO 8601)."
MOMENT_PAST = "Enter a moment in the future."


def _too_long(limit: int) -> str:
    return f"Ensure this value has at most {limit} characters."


class _Checker:
    """Collects field errors so a caller sees all of them at once."""

    def __init__(self, command):
        self.command = command
        self.errors: dict[str, list[str]] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def set(self, name: str, value) -> None:
        object.__setattr__(self.command, name, value)

    def text(self, name: str, limit: int, *, required: bool) -> None:
        value = getattr(self.command, name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(name, "Enter text.")
            return
        value = value.strip()
        if "\x00" in value:
            self.fail(name, NUL_CHARACTER)
        elif required and not value:
            self.fail(name, REQUIRED)
        elif len(value) > limit:
            self.fail(name, _too_long(limit))
        self.set(name, value)

    def sku(self, name: str = "sku") -> None:
        self.text(name, SKU_MAX_LENGTH, required=True)
        value = getattr(self.command, name)
        if name not in self.errors and not SKU_PATTERN.match(value):
            self.fail(name, SKU_INVALID)

    def location(self, name: str, *, required: bool) -> None:
        """A location code as typed (its case is kept; the handler finds it regardless of case)."""
        value = getattr(self.command, name)
        if not required and (value is None or (isinstance(value, str) and not value.strip())):
            self.set(name, DEFAULT_LOCATION)
            return
        self.text(name, LOCATION_CODE_MAX_LENGTH, required=True)
        if name not in self.errors and not LOCATION_CODE_PATTERN.match(getattr(self.command, name)):
            self.fail(name, LOCATION_CODE_INVALID)

    def whole(self, name: str, low: int, high: int, message: str) -> None:
        value = getattr(self.command, name)
        try:
            if isinstance(value, bool) or value is None or isinstance(value, float):
                raise ValueError
            number = value if isinstance(value, int) else Decimal(str(value).strip())
            if not low <= number <= high or number != int(number):
                raise ValueError
        except (ValueError, InvalidOperation, ArithmeticError):
            self.fail(name, message)
            return
        self.set(name, int(number))

    def price(self, name: str = "price") -> None:
        value = getattr(self.command, name)
        try:
            if isinstance(value, bool) or value is None:
                raise ValueError
            amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
            if not amount.is_finite() or not 0 <= amount <= MAX_PRICE:
                raise ValueError
            cents = amount.quantize(Decimal("0.01"))
            if cents != amount:
                raise ValueError
        except (ValueError, InvalidOperation, ArithmeticError):
            self.fail(name, PRICE_INVALID)
            return
        self.set(name, cents)

    def moment(self, name: str) -> None:
        """An optional aware datetime (ISO 8601 text from a queue or a form is parsed)."""
        value = getattr(self.command, name)
        if value is None or isinstance(value, datetime) and value.tzinfo is not None:
            return
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.fail(name, MOMENT_INVALID)
            return
        self.set(name, parsed)

    def future_moment(self, name: str) -> None:
        """An optional aware moment (see `moment`) that has not passed yet."""
        if getattr(self.command, name) == "":
            self.set(name, None)
        self.moment(name)
        value = getattr(self.command, name)
        if name not in self.errors and value is not None and value <= timezone.now():
            self.fail(name, MOMENT_PAST)

    def uuid(self, name: str) -> None:
        value = getattr(self.command, name)
        if isinstance(value, uuid.UUID):
            return
        try:
            self.set(name, uuid.UUID(str(value)))
        except (ValueError, TypeError, AttributeError):
            self.fail(name, "Enter a valid UUID.")

    def done(self) -> None:
        if self.errors:
            raise InvalidCommand(self.errors)


@dataclass(frozen=True, kw_only=True)
class Command:
    """Base: every command has an id chosen by the caller, so a retry applies once."""

    command_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def __post_init__(self):
        check = _Checker(self)
        check.uuid("command_id")
        if hasattr(self, "product_id"):
            check.uuid("product_id")
        self.validate(check)
        check.done()

    def validate(self, check: _Checker) -> None:
        """Subclasses add their own field rules."""

    def as_dict(self) -> dict:
        """JSON-friendly form, for queues and logs."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}

    # Fields a replay may change without being another request (see request_digest).
    NOT_DIGESTED = frozenset({"command_id"})

    @property
    def target(self) -> uuid.UUID | None:
        """The aggregate this command is about (its event's stream)."""
        return getattr(self, "product_id", None)

    def request_digest(self) -> str:
        """What this command asks for, as a digest: binds its command_id to this one request."""
        return payload_digest(type(self), self.as_dict())


def payload_digest(command_class: type[Command], payload: dict) -> str:
    """SHA-256 of the canonical JSON of a command's fields, less its id and the fields at their default.

    Fields still at their default are left out, so adding an optional field to a command keeps the
    digest of every request that does not use it (a retry across a deploy still matches). The values
    are the command's own, already normalised (stripped text, whole numbers, prices in cents).
    """
    defaults = {f.name: f.default for f in fields(command_class) if f.default is not MISSING}
    kept = {
        name: value
        for name, value in payload.items()
        if name not in command_class.NOT_DIGESTED and not (name in defaults and value == _jsonable(defaults[name]))
    }
    canonical = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _jsonable(value):
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True, kw_only=True)
class CreateProduct(Command):
    product_id: uuid.UUID = field(default_factory=uuid.uuid4)
    sku: str
    name: str
    description: str = ""
    price: Decimal = Decimal("0.00")
    reorder_level: int = 0

    def validate(self, check):
        check.sku()
        check.text("name", NAME_MAX_LENGTH, required=True)
        check.text("description", DESCRIPTION_MAX_LENGTH, required=False)
        check.price()
        check.whole("reorder_level", 0, MAX_REORDER_LEVEL, REORDER_RANGE)


@dataclass(frozen=True, kw_only=True)
class UpdateProductDetails(Command):
    """New details based on a version; a detail given as None keeps the value the product has (a PATCH)."""

    # The version is the precondition the change was checked against, not part of the change: a
    # double-submitted edit (or one the UI re-applied on the current version) is the same request.
    NOT_DIGESTED = frozenset({"command_id", "expected_version"})

    product_id: uuid.UUID
    expected_version: int
    sku: str | None
    name: str | None
    description: str | None = ""
    price: Decimal | None
    reorder_level: int | None

    def validate(self, check):
        check.whole("expected_version", 1, 2**62, VERSION_INVALID)
        given = {name for name in DETAIL_FIELDS if getattr(self, name) is not None}
        if "sku" in given:
            check.sku()
        if "name" in given:
            check.text("name", NAME_MAX_LENGTH, required=True)
        if "description" in given:
            check.text("description", DESCRIPTION_MAX_LENGTH, required=False)
        if "price" in given:
            check.price()
        if "reorder_level" in given:
            check.whole("reorder_level", 0, MAX_REORDER_LEVEL, REORDER_RANGE)


@dataclass(frozen=True, kw_only=True)
class _StockCommand(Command):
    """`location` is a location's code; left out (or blank) it is MAIN."""

    product_id: uuid.UUID
    quantity: int
    note: str = ""
    location: str = DEFAULT_LOCATION

    def validate(self, check):
        check.whole("quantity", 1, MAX_QUANTITY, QUANTITY_RANGE)
        check.text("note", NOTE_MAX_LENGTH, required=False)
        check.location("location", required=False)


@dataclass(frozen=True, kw_only=True)
class ReceiveStock(_StockCommand):
    """Goods arrived: add quantity to on hand."""


@dataclass(frozen=True, kw_only=True)
class IssueStock(_StockCommand):
    """Goods left: take quantity from on hand, never below zero."""


@dataclass(frozen=True, kw_only=True)
class CountStock(_StockCommand):
    """Stocktake: the counted quantity becomes on hand; the difference is recorded.

    A count taken a while before it is sent says when (`counted_at`) or which version of the product
    the counter was shown (`seen_version`, exact): movements recorded after that stay on top of it.
    """

    counted_at: datetime | None = None
    seen_version: int | None = None

    def validate(self, check):
        check.whole("quantity", 0, MAX_QUANTITY, COUNT_RANGE)
        check.text("note", NOTE_MAX_LENGTH, required=False)
        check.location("location", required=False)
        check.moment("counted_at")
        if self.seen_version is not None:
            check.whole("seen_version", 1, 2**62, VERSION_INVALID)


@dataclass(frozen=True, kw_only=True)
class TransferStock(Command):
    """Move stock of one product between two locations, as one event; its total does not change."""

    product_id: uuid.UUID
    quantity: int
    from_location: str
    to_location: str
    note: str = ""

    def validate(self, check):
        check.whole("quantity", 1, MAX_QUANTITY, QUANTITY_RANGE)
        check.location("from_location", required=True)
        check.location("to_location", required=True)
        check.text("note", NOTE_MAX_LENGTH, required=False)
        if not {"from_location", "to_location"} & check.errors.keys():
            if self.from_location.upper() == self.to_location.upper():
                check.fail("to_location", SAME_LOCATION)


@dataclass(frozen=True, kw_only=True)
class ArchiveProduct(Command):
    """Retire a product: history stays, it leaves the active lists."""

    product_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class _LocationCommand(Command):
    """About one location, named by its code (its stream id follows from the code)."""

    code: str

    @property
    def target(self) -> uuid.UUID | None:
        return location_stream_id(self.code) if isinstance(self.code, str) else None


@dataclass(frozen=True, kw_only=True)
class CreateLocation(_LocationCommand):
    """A new warehouse or bin; `parent` is the code of the location that holds it (one level deep)."""

    name: str
    parent: str | None = None

    def validate(self, check):
        check.location("code", required=True)
        check.text("name", NAME_MAX_LENGTH, required=True)
        if self.parent is not None and not (isinstance(self.parent, str) and not self.parent.strip()):
            check.location("parent", required=True)
        else:
            check.set("parent", None)


@dataclass(frozen=True, kw_only=True)
class UpdateLocation(_LocationCommand):
    """New name and/or parent; None keeps what the location has, a blank parent takes it out of its parent."""

    name: str | None = None
    parent: str | None = None

    def validate(self, check):
        check.location("code", required=True)
        if self.name is not None:
            check.text("name", NAME_MAX_LENGTH, required=True)
        if isinstance(self.parent, str) and not self.parent.strip():
            check.set("parent", "")
        elif self.parent is not None:
            check.location("parent", required=True)


@dataclass(frozen=True, kw_only=True)
class ArchiveLocation(_LocationCommand):
    """Retire a location that holds no stock and no active bins."""

    def validate(self, check):
        check.location("code", required=True)


@dataclass(frozen=True, kw_only=True)
class ReserveStock(Command):
    """Promise stock to an order (`reference`); refused beyond what is free. The id is chosen by the caller."""

    product_id: uuid.UUID
    reservation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    quantity: int
    reference: str
    expires_at: datetime | None = None

    def validate(self, check):
        check.uuid("reservation_id")
        check.whole("quantity", 1, MAX_QUANTITY, QUANTITY_RANGE)
        check.text("reference", REFERENCE_MAX_LENGTH, required=True)
        check.future_moment("expires_at")


@dataclass(frozen=True, kw_only=True)
class _ReservationCommand(Command):
    """About one reservation; its product (the stream, the row to lock) is found from it."""

    reservation_id: uuid.UUID

    def validate(self, check):
        check.uuid("reservation_id")


@dataclass(frozen=True, kw_only=True)
class ReleaseReservation(_ReservationCommand):
    """Let a reservation go: what it still held is free again."""


@dataclass(frozen=True, kw_only=True)
class ExpireReservation(_ReservationCommand):
    """The system's sweep: release a reservation whose expires_at has passed."""


@dataclass(frozen=True, kw_only=True)
class FulfilReservation(_ReservationCommand):
    """Issue reserved stock from a location; without a quantity, all that is still reserved."""

    quantity: int | None = None
    location: str = DEFAULT_LOCATION
    note: str = ""

    def validate(self, check):
        check.uuid("reservation_id")
        if self.quantity is not None:
            check.whole("quantity", 1, MAX_QUANTITY, QUANTITY_RANGE)
        check.text("location", LOCATION_MAX_LENGTH, required=False)
        if not self.location:
            check.set("location", DEFAULT_LOCATION)
        check.text("note", NOTE_MAX_LENGTH, required=False)


RESERVATION_COMMANDS = (ReserveStock, ReleaseReservation, ExpireReservation, FulfilReservation)


@dataclass(frozen=True, kw_only=True)
class RestoreProduct(Command):
    """Bring an archived product back: it rejoins the active lists and takes changes again."""

    product_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReverseMovement(Command):
    """Correct a movement by a new one of the opposite sign; the original stays in the ledger as it was."""

    position: int
    reason: str

    def validate(self, check):
        check.whole("position", 1, 2**63 - 1, POSITION_INVALID)
        check.text("reason", NOTE_MAX_LENGTH, required=True)


COMMAND_TYPES: dict[str, type[Command]] = {
    cls.__name__: cls
    for cls in (
        CreateProduct,
        UpdateProductDetails,
        ReceiveStock,
        IssueStock,
        CountStock,
        ArchiveProduct,
        RestoreProduct,
        ReverseMovement,
        TransferStock,
        CreateLocation,
        UpdateLocation,
        ArchiveLocation,
        *RESERVATION_COMMANDS,
    )
}
