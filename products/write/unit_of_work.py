"""One command's unit of work: the aggregates it loaded, saved with the events it recorded.

Handlers load and change aggregates through it and return their events; the bus commits:
each changed product, reservation, location and per-location stock row is written (only the columns
that changed) and the events are appended to the log, all inside the command's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from products.db import rowsql
from products.db.instances import frozen_copy
from products.write import errors
from products.write.aggregates import Location, LocationStock, Product, Reservation
from products.write.commands import Command
from products.write.events import DEFAULT_LOCATION, RecordedEvent, StreamEvent, location_stream_id
from products.write.log import Event

PRODUCT_FIELDS = tuple(f.attname for f in Product._meta.concrete_fields if not f.primary_key)
RESERVATION_FIELDS = tuple(f.attname for f in Reservation._meta.concrete_fields if not f.primary_key)
MAIN_NAME = "Main"
# PostgreSQL: a stock command holds its location FOR SHARE, so archiving it (FOR UPDATE) waits for the command.
_SHARE_LOCATION = "SELECT * FROM {table} WHERE id = %s FOR SHARE"
# One statement for where a stock command happens: the location's stored code and whether it is archived
# (held FOR SHARE, as above) and the product's stock there, its row locked FOR UPDATE when it has one. It runs
# under the product's lock, which every writer of the product's stock rows holds, so what it reads is current.
_PLACE_AND_STOCK = {
    "postgresql": (
        "SELECT l.code, l.archived, s.on_hand FROM {locations} l LEFT JOIN LATERAL "
        "(SELECT on_hand FROM {stock} WHERE product_id = %s AND location_id = l.id FOR UPDATE) s ON true "
        "WHERE l.id = %s FOR SHARE OF l"
    ),
    "sqlite": (  # no row locks: SQLite's writers queue for the whole database
        "SELECT l.code, l.archived, s.on_hand FROM {locations} l "
        "LEFT JOIN {stock} s ON s.location_id = l.id AND s.product_id = %s WHERE l.id = %s"
    ),
}


class UnitOfWork:
    """What one command touched; `before` maps each product's and reservation's id to its row as loaded (None: new)."""

    def __init__(self, *, actor_name: str, now: datetime):
        self.actor_name = actor_name
        self.now = now
        self.products: dict[uuid.UUID, Product] = {}
        self.locations: dict[uuid.UUID, Location] = {}
        self.new_locations: set[uuid.UUID] = set()
        self.stocks: dict[tuple[uuid.UUID, uuid.UUID], LocationStock] = {}
        self.stock_before: dict[tuple[uuid.UUID, uuid.UUID], int | None] = {}  # None: no row yet
        self.reservations: dict[uuid.UUID, Reservation] = {}
        self.before: dict[uuid.UUID, Product | Reservation | None] = {}

    def load(self, product_id, *, archived_too: bool = False) -> Product:
        """Lock the product row so concurrent commands on it queue up, and check it may change
        (an archived product may not, except to be restored: `archived_too`)."""
        product = rowsql.lock(Product, product_id)
        if product is None:
            raise errors.ProductNotFound(errors.ProductNotFound.MESSAGE.format(product_id=product_id))
        if product.archived and not archived_too:
            raise errors.ProductArchived(errors.ProductArchived.MESSAGE.format(sku=product.sku))
        self.products[product.id] = product
        self.before[product.id] = frozen_copy(product)
        # A command whose clock was read before a concurrent one on this product committed still
        # records its event after that one: time never runs back within a stream, so "as of" is exact.
        self.now = max(self.now, product.updated_at)
        return product

    def add(self, product: Product) -> None:
        """A product that does not exist yet; it is inserted on commit."""
        self.products[product.id] = product
        self.before[product.id] = None

    def stock_at(self, product: Product, code: str, *, field: str = "location") -> LocationStock:
        """The product's stock row at an active location, locked (new at 0 the first time stock goes there).

        One statement finds the location and the row (see _PLACE_AND_STOCK); a new row is inserted on commit.
        `field` names the command field the code came from, for the refusal's field error.
        The row's `code` attribute is the location's code as stored (the events carry that).
        """
        location_id = location_stream_id(code)
        key = (product.id, location_id)
        if key not in self.stocks:
            found = _place_and_stock(product.id, location_id)
            if found is None and code.upper() == DEFAULT_LOCATION:
                _make_main(share=True)
                found = _place_and_stock(product.id, location_id)
            if found is None:
                raise errors.LocationNotFound(errors.LocationNotFound.MESSAGE.format(code=code), field=field)
            stored, archived, on_hand = found
            if archived:
                raise errors.LocationArchived(errors.LocationArchived.MESSAGE.format(code=stored), field=field)
            row = LocationStock(product_id=product.id, location_id=location_id, on_hand=on_hand or 0)
            row.code = stored
            self.stocks[key] = row
            self.stock_before[key] = on_hand
        return self.stocks[key]

    def load_location(self, code: str, *, field: str = "code") -> Location:
        """Lock a location to change it."""
        location = find_location(code, share=False)
        if location is None:
            raise errors.LocationNotFound(errors.LocationNotFound.MESSAGE.format(code=code), field=field)
        self.locations[location.id] = location
        return location

    def add_location(self, location: Location) -> None:
        """A location that does not exist yet; it is inserted on commit."""
        self.locations[location.id] = location
        self.new_locations.add(location.id)

    def load_reservation(self, reservation_id) -> tuple[Reservation, Product]:
        """Lock the reservation, then its product: every reservation change goes through the product's row lock.

        The order (reservation, then product) is the same for every command that takes both, and no
        command takes a product's lock before a reservation's, so the two locks never deadlock.
        """
        reservation = rowsql.lock(Reservation, reservation_id)
        if reservation is None:
            raise errors.ReservationNotFound(errors.ReservationNotFound.MESSAGE.format(reservation_id=reservation_id))
        product = self.load(reservation.product_id)
        self.reservations[reservation.id] = reservation
        self.before[reservation.id] = frozen_copy(reservation)
        return reservation, product

    def add_reservation(self, reservation: Reservation) -> None:
        """A reservation that does not exist yet; it is inserted on commit."""
        self.reservations[reservation.id] = reservation
        self.before[reservation.id] = None

    def commit(self, command: Command, events: Sequence[StreamEvent]) -> list[RecordedEvent]:
        """Save every product the events are about (one version per event) and append the events.

        The log keys an event by its command's id (that is what makes a retry apply once), so a
        command records one event at most. The event row also says what the id was used for (the
        command's type and a digest of its fields), so a reused id can be told from a replay.
        """
        command_id = command.command_id
        if len(events) > 1:
            raise ValueError(f"a command records one event at most, not {len(events)}")
        versions = {}
        for event in events:
            aggregate = self.products.get(event.stream_id) or self.locations[event.stream_id]
            aggregate.version += 1
            versions[id(event)] = aggregate.version
        for stream_id in dict.fromkeys(event.stream_id for event in events):
            if stream_id in self.products:
                product = self.products[stream_id]
                product.updated_at = self.now
                self._save(product, self.before[stream_id])
            else:
                self._save_location(self.locations[stream_id])
        for key, row in self.stocks.items():
            before = self.stock_before[key]
            if before is None and row.on_hand:  # no row meant none there: a row is only needed for some
                row.save(force_insert=True)
            elif before is not None and row.on_hand != before:
                LocationStock.objects.filter(product_id=key[0], location_id=key[1]).update(on_hand=row.on_hand)
        for event in events:
            if (reservation_id := getattr(event, "reservation_id", None)) is not None:
                self._save_reservation(self.reservations[uuid.UUID(reservation_id)])
        recorded = []
        for event in events:
            # A command_id seen before fails here, on the unique index; the bus treats that as done.
            row = Event(
                stream_id=event.stream_id,
                stream_version=versions[id(event)],
                type=type(event).__name__,
                data=event.payload(),
                actor=self.actor_name,
                command_id=command_id,
                occurred_at=self.now,
                command_type=type(command).__name__,
                request_digest=command.request_digest(),
            )
            position = rowsql.insert(row, returning="position")
            recorded.append(
                RecordedEvent(
                    position=position,
                    stream_version=row.stream_version,
                    occurred_at=self.now,
                    actor=self.actor_name,
                    command_id=command_id,
                    event=event,
                )
            )
        return recorded

    def _save_location(self, location: Location) -> None:
        location.updated_at = self.now
        if location.id not in self.new_locations:
            location.save(update_fields=["name", "parent", "archived", "version", "updated_at"])
            return
        location.created_at = self.now
        try:
            with transaction.atomic():
                location.save(force_insert=True)
        except IntegrityError as exc:  # a concurrent twin with the same code (in any case) came first
            message = errors.DuplicateLocation.MESSAGE.format(code=location.code)
            raise errors.DuplicateLocation(message, field="code") from exc

    def _save(self, product: Product, before: Product | None) -> None:
        """Insert a new row; else write the columns that changed (through the SKU guard when the SKU did)."""
        if before is None:
            _save_guarding_sku(product, force_insert=True)
            return
        changed = [name for name in PRODUCT_FIELDS if getattr(product, name) != getattr(before, name)]
        if "sku" in changed:
            _save_guarding_sku(product, update_fields=changed)
        else:
            rowsql.update(product, changed)

    def _save_reservation(self, reservation: Reservation) -> None:
        """One version per event about it; inserted when new, else the columns that changed."""
        before = self.before[reservation.id]
        reservation.version += 1
        reservation.updated_at = self.now
        if before is None:
            rowsql.insert(reservation)
            return
        rowsql.update(
            reservation, [name for name in RESERVATION_FIELDS if getattr(reservation, name) != getattr(before, name)]
        )


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


@cache
def _place_and_stock_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return _PLACE_AND_STOCK["postgresql" if vendor == "postgresql" else "sqlite"].format(
        locations=quote(Location._meta.db_table), stock=quote(LocationStock._meta.db_table)
    )


def _place_and_stock(product_id, location_id) -> tuple[str, bool, int | None] | None:
    """(stored code, archived, the product's on hand there or None without a row); None: no such location."""
    db = connection
    sql = _place_and_stock_sql(db.vendor)
    key = [Product._meta.pk.get_db_prep_value(product_id, db), Location._meta.pk.get_db_prep_value(location_id, db)]
    with db.cursor() as cursor:
        cursor.execute(sql, key)
        row = cursor.fetchone()
    return None if row is None else (row[0], bool(row[1]), row[2])


def find_location(code: str, *, share: bool) -> Location | None:
    """The location with this code in any case, locked (FOR SHARE or FOR UPDATE); MAIN is made if missing."""
    location_id = location_stream_id(code)
    if share and connection.vendor == "postgresql":
        table = connection.ops.quote_name(Location._meta.db_table)
        found = list(Location.objects.raw(_SHARE_LOCATION.format(table=table), [location_id]))
        location = found[0] if found else None
    else:
        location = Location.objects.select_for_update().filter(pk=location_id).first()
    if location is None and code.upper() == DEFAULT_LOCATION:
        return _make_main(share=share)
    return location


def _make_main(*, share: bool) -> Location:
    """MAIN is built in (migration 0009 makes it; a test database flushed between tests may lack it)."""
    now = timezone.now()
    with transaction.atomic():
        Location.objects.get_or_create(
            pk=location_stream_id(DEFAULT_LOCATION),
            defaults={"code": DEFAULT_LOCATION, "name": MAIN_NAME, "created_at": now, "updated_at": now},
        )
    return find_location(DEFAULT_LOCATION, share=share)
