"""Command handlers: one plain function per command, run by the bus inside a transaction.

Each loads the aggregate with a row lock, checks the invariants, changes the write
model, appends one event and projects it, all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from products.db import rowsql
from products.read.projections import project, summary_as_of
from products.write import errors
from products.write.aggregates import Product
from products.write.commands import (
    ArchiveProduct,
    CountStock,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    UpdateProductDetails,
)
from products.write.events import (
    DomainEvent,
    ProductArchived,
    ProductCreated,
    ProductDetailsUpdated,
    StockCounted,
    StockIssued,
    StockReceived,
)
from products.write.log import Event

if TYPE_CHECKING:
    from products.read.tables import ProductSummary

MAX_ON_HAND = 10**12
DETAIL_FIELDS = ("sku", "name", "description", "price", "reorder_level")
# What a stock movement or an archive changes in the product row.
CHANGED_BY_MOVEMENT = ("on_hand", "archived", "version", "updated_at")


@dataclass(frozen=True)
class Context:
    """Who is acting and when; the same for every step of one command."""

    actor_name: str
    now: datetime


def create_product(command: CreateProduct, ctx: Context) -> None:
    if Product.objects.filter(pk=command.product_id).exists():
        raise errors.ProductAlreadyExists(errors.ProductAlreadyExists.MESSAGE.format(product_id=command.product_id))
    _ensure_sku_free(command.sku, exclude_id=None)
    product = Product(
        id=command.product_id,
        **{name: getattr(command, name) for name in DETAIL_FIELDS},
        on_hand=0,
        archived=False,
        version=0,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    _record(product, None, command, ctx, ProductCreated(product_id=product.id, **_details(command)))


def update_product_details(command: UpdateProductDetails, ctx: Context) -> None:
    product, before = _load_for_change(command.product_id)
    if product.version != command.expected_version:
        raise errors.StaleVersion(
            errors.StaleVersion.MESSAGE.format(
                sku=product.sku, expected=command.expected_version, actual=product.version
            )
        )
    details = _details(command)
    if all(getattr(product, name) == value for name, value in details.items()):
        return
    if product.sku.lower() != command.sku.lower():
        _ensure_sku_free(command.sku, exclude_id=product.id)
    for name, value in details.items():
        setattr(product, name, value)
    _record(product, before, command, ctx, ProductDetailsUpdated(product_id=product.id, **details))


def receive_stock(command: ReceiveStock, ctx: Context) -> None:
    product, before = _load_for_change(command.product_id)
    if product.on_hand + command.quantity > MAX_ON_HAND:
        raise errors.StockLimitExceeded(
            errors.StockLimitExceeded.MESSAGE.format(quantity=command.quantity, sku=product.sku, limit=MAX_ON_HAND),
            field="quantity",
        )
    product.on_hand += command.quantity
    _record(
        product,
        before,
        command,
        ctx,
        StockReceived(product_id=product.id, quantity=command.quantity, note=command.note),
    )


def issue_stock(command: IssueStock, ctx: Context) -> None:
    product, before = _load_for_change(command.product_id)
    if command.quantity > product.on_hand:
        raise errors.InsufficientStock(
            errors.InsufficientStock.MESSAGE.format(
                requested=command.quantity, sku=product.sku, on_hand=product.on_hand
            ),
            field="quantity",
        )
    product.on_hand -= command.quantity
    _record(
        product, before, command, ctx, StockIssued(product_id=product.id, quantity=command.quantity, note=command.note)
    )


def count_stock(command: CountStock, ctx: Context) -> None:
    product, before = _load_for_change(command.product_id)
    difference = command.quantity - product.on_hand
    product.on_hand = command.quantity
    _record(
        product,
        before,
        command,
        ctx,
        StockCounted(product_id=product.id, counted=command.quantity, difference=difference, note=command.note),
    )


def archive_product(command: ArchiveProduct, ctx: Context) -> None:
    product, before = _load_for_change(command.product_id)
    product.archived = True
    _record(product, before, command, ctx, ProductArchived(product_id=product.id))


def _details(command) -> dict:
    return {name: getattr(command, name) for name in DETAIL_FIELDS}


def _load_for_change(product_id) -> tuple[Product, ProductSummary]:
    """Lock the product row so concurrent commands on it queue up, then check it may change.

    Also returns its summary as it stands, for the projection (see projections.summary_as_of).
    """
    product = rowsql.lock(Product, product_id)
    if product is None:
        raise errors.ProductNotFound(errors.ProductNotFound.MESSAGE.format(product_id=product_id))
    if product.archived:
        raise errors.ProductArchived(errors.ProductArchived.MESSAGE.format(sku=product.sku))
    return product, summary_as_of(product)


def _ensure_sku_free(sku: str, *, exclude_id) -> None:
    taken = Product.objects.annotate(sku_lower=Lower("sku")).filter(sku_lower=sku.lower())
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise errors.DuplicateSku(errors.DuplicateSku.MESSAGE.format(sku=sku), field="sku")


def _save_guarding_sku(product: Product, **kwargs) -> None:
    """The unique indexes are the real guard: a concurrent twin turns into DuplicateSku or ProductAlreadyExists."""
    try:
        with transaction.atomic():
            product.save(**kwargs)
    except IntegrityError as exc:
        if kwargs.get("force_insert") and Product.objects.filter(pk=product.pk).exists():
            message = errors.ProductAlreadyExists.MESSAGE.format(product_id=product.pk)
            raise errors.ProductAlreadyExists(message) from exc
        raise errors.DuplicateSku(errors.DuplicateSku.MESSAGE.format(sku=product.sku), field="sku") from exc


def _record(product: Product, before: ProductSummary | None, command, ctx: Context, event: DomainEvent) -> None:
    """Bump the version, save, append the event and project it: one step of history."""
    product.version += 1
    product.updated_at = ctx.now
    if isinstance(event, (ProductCreated, ProductDetailsUpdated)):
        _save_guarding_sku(product, force_insert=product.version == 1)
    else:
        rowsql.update(product, CHANGED_BY_MOVEMENT)
    # A command_id seen before fails here, on the unique index; the bus treats that as done.
    row = Event(
        stream_id=product.id,
        stream_version=product.version,
        type=type(event).__name__,
        data=event.payload(),
        actor=ctx.actor_name,
        command_id=command.command_id,
        occurred_at=ctx.now,
    )
    row.position = rowsql.insert(row, returning="position")
    project(row.to_recorded(), before)
