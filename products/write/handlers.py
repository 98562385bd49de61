"""Command handlers: one plain function per command; they decide, the bus records.

Each loads what it needs through the unit of work (the product row, locked), checks the
invariants, changes the aggregate and returns the events that say what happened. The bus
then saves, appends and projects them in the same transaction (see bus.py), so a new read
model never means editing a handler.
"""

from __future__ import annotations

from django.db.models.functions import Lower

from products.write import errors
from products.write.aggregates import Product
from products.write.commands import (
    DETAIL_FIELDS,
    ArchiveProduct,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    RestoreProduct,
    TransferStock,
    UpdateProductDetails,
)
from products.write.events import (
    DEFAULT_LOCATION,
    DomainEvent,
    ProductArchived,
    ProductCreated,
    ProductDetailsUpdated,
    ProductRestored,
    ReservationFulfilled,
    StockCounted,
    StockIssued,
    StockMovementReversed,
    StockReceived,
    StockTransferred,
)
from products.write.log import Event
from products.write.reservations import promised_to
from products.write.unit_of_work import UnitOfWork

MAX_ON_HAND = 10**12


def create_product(command: CreateProduct, work: UnitOfWork) -> list[DomainEvent]:
    if Product.objects.filter(pk=command.product_id).exists():
        raise errors.ProductAlreadyExists(errors.ProductAlreadyExists.MESSAGE.format(product_id=command.product_id))
    _ensure_sku_free(command.sku, exclude_id=None)
    product = Product(
        id=command.product_id,
        **_details(command),
        on_hand=0,
        archived=False,
        version=0,
        created_at=work.now,
        updated_at=work.now,
    )
    work.add(product)
    return [ProductCreated(product_id=product.id, **_details(command))]


def update_product_details(command: UpdateProductDetails, work: UnitOfWork) -> list[DomainEvent]:
    product = work.load(command.product_id)
    if product.version != command.expected_version:
        raise errors.StaleVersion(
            errors.StaleVersion.MESSAGE.format(
                sku=product.sku, expected=command.expected_version, actual=product.version
            ),
            **_changes_since(product.id, command.expected_version),
        )
    # A detail the command leaves out (None) keeps the value of the row just locked, never a read model's.
    details = {name: getattr(product, name) if value is None else value for name, value in _details(command).items()}
    if all(getattr(product, name) == value for name, value in details.items()):
        return []
    if product.sku.lower() != details["sku"].lower():
        _ensure_sku_free(details["sku"], exclude_id=product.id)
    for name, value in details.items():
        setattr(product, name, value)
    return [ProductDetailsUpdated(product_id=product.id, **details)]


def _changes_since(product_id, version: int) -> dict:
    """Who made the newest change after `version`, and when: a change of details first, else any."""
    later = Event.objects.filter(stream_id=product_id, stream_version__gt=version).order_by("-stream_version")
    details = later.filter(type=ProductDetailsUpdated.__name__).first()
    newest = details or later.first()
    if newest is None:
        return {}
    return {"changed_by": newest.actor, "changed_at": newest.occurred_at, "details_changed": details is not None}


def receive_stock(command: ReceiveStock, work: UnitOfWork) -> list[DomainEvent]:
    product = work.load(command.product_id)
    stock = work.stock_at(product, command.location)
    if product.on_hand + command.quantity > MAX_ON_HAND:
        raise errors.StockLimitExceeded(
            errors.StockLimitExceeded.MESSAGE.format(quantity=command.quantity, sku=product.sku, limit=MAX_ON_HAND),
            field="quantity",
        )
    product.on_hand += command.quantity
    stock.on_hand += command.quantity
    return [StockReceived(product_id=product.id, quantity=command.quantity, note=command.note, location=stock.code)]


def issue_stock(command: IssueStock, work: UnitOfWork) -> list[DomainEvent]:
    product = work.load(command.product_id)
    stock = work.stock_at(product, command.location)
    if product.reserved and command.quantity > product.on_hand - product.reserved:
        raise promised_refusal(product, errors.StockPromised.MESSAGE, requested=command.quantity)
    if command.quantity > stock.on_hand:
        _refuse_taking(product, stock, command.quantity, action="issue")
    product.on_hand -= command.quantity
    stock.on_hand -= command.quantity
    return [StockIssued(product_id=product.id, quantity=command.quantity, note=command.note, location=stock.code)]


def count_stock(command: CountStock, work: UnitOfWork) -> list[DomainEvent]:
    """The count replaces what the location held; the product's total moves by the same difference."""
    product = work.load(command.product_id)
    stock = work.stock_at(product, command.location)
    if command.counted_at is not None and command.counted_at > work.now:
        raise errors.CountInFuture(errors.CountInFuture.MESSAGE, field="counted_at")
    moved = _moved_since(product, stock.code, command)
    on_hand = max(0, command.quantity + moved)  # more issued since than counted: nothing can be left
    difference = on_hand - stock.on_hand
    if product.on_hand + difference < product.reserved:  # a promise could not be kept: a person's decision
        raise promised_refusal(product, errors.StockPromised.COUNT_MESSAGE, counted=command.quantity)
    stock.on_hand = on_hand
    product.on_hand += difference
    counted_at = command.counted_at.isoformat() if command.counted_at else None
    return [
        StockCounted(
            product_id=product.id,
            counted=command.quantity,
            difference=difference,
            note=command.note,
            location=stock.code,
            counted_at=counted_at,
            moved_since=on_hand - command.quantity,
        )
    ]


def transfer_stock(command: TransferStock, work: UnitOfWork) -> list[DomainEvent]:
    """Both rows are locked under the product's lock, so concurrent transfers of one product queue up."""
    product = work.load(command.product_id)
    source = work.stock_at(product, command.from_location, field="from_location")
    target = work.stock_at(product, command.to_location, field="to_location")
    if command.quantity > source.on_hand:
        _refuse_taking(product, source, command.quantity, action="move")
    source.on_hand -= command.quantity
    target.on_hand += command.quantity
    return [
        StockTransferred(
            product_id=product.id,
            quantity=command.quantity,
            from_location=source.code,
            to_location=target.code,
            note=command.note,
        )
    ]


def _refuse_taking(product: Product, stock, requested: int, *, action: str):
    """All stock at MAIN keeps the message clients knew before locations; else the message names the place."""
    if stock.code == DEFAULT_LOCATION and action == "issue" and stock.on_hand == product.on_hand:
        message = errors.InsufficientStock.MESSAGE.format(requested=requested, sku=product.sku, on_hand=stock.on_hand)
    else:
        message = errors.InsufficientStock.MESSAGE_AT.format(
            action=action, requested=requested, sku=product.sku, location=stock.code, on_hand=stock.on_hand
        )
    raise errors.InsufficientStock(message, field="quantity")


def _moved_since(product: Product, code: str, command: CountStock) -> int:
    """What receipts, issues, reversals and transfers at `code` recorded after the count was taken added up to.

    0 when the count does not say when it was taken. Events from before locations happened at MAIN.
    """
    if command.seen_version is None and command.counted_at is None:
        return 0
    later = Event.objects.filter(stream_id=product.id)
    if command.seen_version is not None:
        later = later.filter(stream_version__gt=command.seen_version)
    else:
        later = later.filter(occurred_at__gt=command.counted_at)
    moved = 0
    for kind, data, occurred_at in later.order_by("stream_version").values_list("type", "data", "occurred_at"):
        if kind == StockTransferred.__name__:
            moved += data["quantity"] * ((data["to_location"] == code) - (data["from_location"] == code))
            continue
        if kind == StockMovementReversed.__name__ and data.get("to_location"):  # a transfer moved back
            source = data.get("location", DEFAULT_LOCATION)  # MAIN is left out of the payload
            moved += data["moved"] * ((data["to_location"] == code) - (source == code))
            continue
        if data.get("location", DEFAULT_LOCATION) != code:
            continue
        if kind == StockCounted.__name__:
            raise errors.CountSuperseded(
                errors.CountSuperseded.MESSAGE.format(sku=product.sku, counted=data["counted"], at=occurred_at),
                field="quantity",
            )
        if kind == StockMovementReversed.__name__:
            moved += data["quantity"]
        elif kind in MOVEMENT_DELTAS:
            moved += MOVEMENT_DELTAS[kind](data)
    return moved


def archive_product(command: ArchiveProduct, work: UnitOfWork) -> list[DomainEvent]:
    product = work.load(command.product_id)
    if product.reserved:
        message = errors.ArchiveWithReservations.MESSAGE.format(
            sku=product.sku, reserved=product.reserved, to_whom=promised_to(product.id)
        )
        raise errors.ArchiveWithReservations(message)
    product.archived = True
    return [ProductArchived(product_id=product.id)]


def promised_refusal(product: Product, message: str, *, field: str = "quantity", **figures) -> errors.StockPromised:
    """The refusal that says how much is free, how much is promised and to whom."""
    free = product.on_hand - product.reserved
    text = message.format(
        sku=product.sku,
        free=free,
        on_hand=product.on_hand,
        reserved=product.reserved,
        to_whom=promised_to(product.id),
        **figures,
    )
    details = {"free": free, "on_hand": product.on_hand, "reserved": product.reserved}
    return errors.StockPromised(text, field=field, details=details)


def restore_product(command: RestoreProduct, work: UnitOfWork) -> list[DomainEvent]:
    product = work.load(command.product_id, archived_too=True)
    if not product.archived:
        raise errors.ProductNotArchived(errors.ProductNotArchived.MESSAGE.format(sku=product.sku))
    product.archived = False
    return [ProductRestored(product_id=product.id)]


# What each kind of movement did to on hand, from its stored payload; a reversal undoes exactly that.
MOVEMENT_DELTAS = {
    StockReceived.__name__: lambda data: data["quantity"],
    StockIssued.__name__: lambda data: -data["quantity"],
    StockCounted.__name__: lambda data: data["difference"],
    ReservationFulfilled.__name__: lambda data: -data["quantity"],
}


def _details(command) -> dict:
    return {name: getattr(command, name) for name in DETAIL_FIELDS}


def _ensure_sku_free(sku: str, *, exclude_id) -> None:
    taken = Product.objects.annotate(sku_lower=Lower("sku")).filter(sku_lower=sku.lower())
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise errors.DuplicateSku(errors.DuplicateSku.MESSAGE.format(sku=sku), field="sku")
