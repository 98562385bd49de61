"""Reservation handlers: stock promised to orders, released, expired or fulfilled, never oversold.

Every one of them holds the product's row lock (UnitOfWork.load) while it decides, so concurrent
reservations, issues and fulfilments on one product queue up and each sees the figures the one
before it left: available = on hand - reserved is checked against the truth, not a stale read.
"""

from __future__ import annotations

from products.write import errors
from products.write.aggregates import Product, Reservation, ReservationStatus
from products.write.commands import ExpireReservation, FulfilReservation, ReleaseReservation, ReserveStock
from products.write.events import (
    DomainEvent,
    ReservationExpired,
    ReservationFulfilled,
    ReservationReleased,
    StockReserved,
)
from products.write.unit_of_work import UnitOfWork

# A refusal names at most this many references; the rest are counted.
NAMED_REFERENCES = 5


def promised_to(product_id) -> str:
    """'SO-1001 (3), SO-1002 (2) and 4 more': the product's open reservations, oldest first."""
    rows = Reservation.objects.filter(product_id=product_id, status=ReservationStatus.ACTIVE).order_by(
        "created_at", "id"
    )
    found = [
        (reference, quantity - fulfilled)
        for reference, quantity, fulfilled in rows.values_list("reference", "quantity", "fulfilled")[
            : NAMED_REFERENCES + 1
        ]
    ]
    named = ", ".join(f"{reference} ({rest})" for reference, rest in found[:NAMED_REFERENCES])
    if len(found) > NAMED_REFERENCES:
        more = rows.count() - NAMED_REFERENCES
        named += f" and {more} more"
    return named or "nobody"


def reserve_stock(command: ReserveStock, work: UnitOfWork) -> list[DomainEvent]:
    product = work.load(command.product_id)
    free = product.on_hand - product.reserved
    if command.quantity > free:
        message = errors.InsufficientAvailable.MESSAGE.format(
            requested=command.quantity, sku=product.sku, free=free, on_hand=product.on_hand, reserved=product.reserved
        )
        details = {"free": free, "on_hand": product.on_hand, "reserved": product.reserved}
        raise errors.InsufficientAvailable(message, field="quantity", details=details)
    if Reservation.objects.filter(pk=command.reservation_id).exists():
        message = errors.ReservationAlreadyExists.MESSAGE.format(reservation_id=command.reservation_id)
        raise errors.ReservationAlreadyExists(message)
    reservation = Reservation(
        id=command.reservation_id,
        product_id=product.id,
        quantity=command.quantity,
        fulfilled=0,
        reference=command.reference,
        expires_at=command.expires_at,
        status=ReservationStatus.ACTIVE,
        version=0,
        created_at=work.now,
        updated_at=work.now,
    )
    work.add_reservation(reservation)
    product.reserved += command.quantity
    expires_at = command.expires_at.isoformat() if command.expires_at else None
    return [
        StockReserved(
            product_id=product.id,
            reservation_id=str(reservation.id),
            quantity=command.quantity,
            reference=command.reference,
            expires_at=expires_at,
        )
    ]


def release_reservation(command: ReleaseReservation, work: UnitOfWork) -> list[DomainEvent]:
    reservation, product = _open(command, work)
    rest = _close(reservation, product, ReservationStatus.RELEASED)
    return [_event(ReservationReleased, reservation, quantity=rest)]


def expire_reservation(command: ExpireReservation, work: UnitOfWork) -> list[DomainEvent]:
    reservation, product = _open(command, work)
    if reservation.expires_at is None or reservation.expires_at > work.now:
        message = errors.NotYetExpired.MESSAGE.format(
            reference=reservation.reference,
            expires_at=reservation.expires_at.isoformat() if reservation.expires_at else "it is released",
        )
        raise errors.NotYetExpired(message)
    rest = _close(reservation, product, ReservationStatus.EXPIRED)
    return [_event(ReservationExpired, reservation, quantity=rest)]


def fulfil_reservation(command: FulfilReservation, work: UnitOfWork) -> list[DomainEvent]:
    reservation, product = _open(command, work)
    rest = reservation.rest
    quantity = rest if command.quantity is None else command.quantity
    if quantity > rest:
        message = errors.FulfilBeyondReserved.MESSAGE.format(
            requested=quantity, reference=reservation.reference, rest=rest
        )
        raise errors.FulfilBeyondReserved(message, field="quantity", details={"reserved": rest})
    stock = work.stock_at(product, command.location)
    if quantity > stock.on_hand:
        message = errors.InsufficientStock.MESSAGE_AT.format(
            action="issue", requested=quantity, sku=product.sku, location=stock.code, on_hand=stock.on_hand
        )
        raise errors.InsufficientStock(message, field="quantity")
    location = stock.code
    stock.on_hand -= quantity
    product.on_hand -= quantity
    product.reserved -= quantity
    reservation.fulfilled += quantity
    if reservation.fulfilled == reservation.quantity:
        reservation.status = ReservationStatus.FULFILLED
    note = f"Reservation {reservation.reference}" + (f": {command.note}" if command.note else "")
    return [_event(ReservationFulfilled, reservation, quantity=quantity, location=location, note=note)]


def _open(command, work: UnitOfWork) -> tuple[Reservation, Product]:
    """The reservation and its product, both locked; refused unless the reservation is still active."""
    reservation, product = work.load_reservation(command.reservation_id)
    if reservation.status != ReservationStatus.ACTIVE:
        message = errors.ReservationClosed.MESSAGE.format(reference=reservation.reference, status=reservation.status)
        raise errors.ReservationClosed(message)
    return reservation, product


def _close(reservation: Reservation, product: Product, status: str) -> int:
    """Close it; what it still held is free again. Returns that quantity."""
    rest = reservation.rest
    reservation.status = status
    product.reserved -= rest
    return rest


def _event(event_class, reservation: Reservation, **fields) -> DomainEvent:
    return event_class(
        product_id=reservation.product_id,
        reservation_id=str(reservation.id),
        reference=reservation.reference,
        **fields,
    )


def lapsed(now, *, limit: int = 1000) -> list:
    """Active reservations whose expires_at has passed, soonest first: the expiry sweep's work list."""
    rows = Reservation.objects.filter(status=ReservationStatus.ACTIVE, expires_at__lte=now).order_by("expires_at")
    return list(rows.values_list("id", flat=True)[:limit])
