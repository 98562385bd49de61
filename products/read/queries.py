"""Queries: questions answered from the read models only; they never write."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Max, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from products.read.tables import (
    ARCHIVED,
    STATUS_FILTERS,
    InventoryStats,
    ProductSummary,
    StockMovementEntry,
    StockStatus,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50

# Public sort names → read-model column (ties broken by product_id).
SORTS = {
    "name": "name",
    "sku": "sku",
    "on_hand": "on_hand",
    "price": "price",
    "updated": "updated_at",
}


class InvalidQuery(ValueError):
    """A query parameter a caller got wrong (bad cursor, unknown sort)."""


@dataclass(frozen=True)
class Page:
    """One page of keyset-paginated rows, with opaque cursors to the neighbours."""

    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def _encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != 3 or values[0] not in ("next", "prev"):
            raise ValueError
        return values
    except (ValueError, TypeError, UnicodeError, json.JSONDecodeError) as exc:
        raise InvalidQuery("That page link is not valid any more; start from the first page.") from exc


def _search_filter(text: str) -> Q:
    """Every word must appear in SKU or name; on PostgreSQL a trigram GIN index serves LIKE."""
    condition = Q()
    for word in text.lower().split()[:8]:
        condition &= Q(search_text__contains=word)
    return condition


def _bounded_size(size) -> int:
    try:
        size = int(size)
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return max(1, min(size, MAX_PAGE_SIZE))


@dataclass(frozen=True, kw_only=True)
class GetProduct:
    product_id: uuid.UUID

    def execute(self) -> ProductSummary | None:
        return ProductSummary.objects.filter(pk=self.product_id).first()


@dataclass(frozen=True, kw_only=True)
class ListProducts:
    """Filter, search and sort products; keyset pages stay fast however deep."""

    status: str = "all"
    search: str = ""
    sort: str = "name"
    cursor: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def _column(self) -> tuple[str, bool]:
        name = self.sort or "name"
        descending = name.startswith("-")
        key = name.lstrip("-")
        if key not in SORTS:
            raise InvalidQuery(f"Unknown sort '{name}'. Use one of: {', '.join(SORTS)} (prefix - for descending).")
        return SORTS[key], descending

    def base_queryset(self):
        if self.status not in STATUS_FILTERS:
            raise InvalidQuery(f"Unknown status '{self.status}'. Use one of: {', '.join(STATUS_FILTERS)}.")
        rows = ProductSummary.objects.filter(archived=self.status == ARCHIVED)
        if self.status in StockStatus.values:
            rows = rows.filter(status=self.status)
        if self.search.strip():
            rows = rows.filter(_search_filter(self.search))
        return rows

    def execute(self) -> Page:
        column, descending = self._column()
        size = _bounded_size(self.page_size)
        rows = self.base_queryset()
        direction = "next"
        if self.cursor:
            direction, value, last_id = _decode_cursor(self.cursor)
            value = _cursor_value(column, value)
            backwards = (direction == "prev") != descending
            op = "lt" if backwards else "gt"
            rows = rows.filter(
                # The plain bound lets the database seek the sorted index; the OR alone makes it scan from the start.
                Q(**{f"{column}__{op}e": value}),
                Q(**{f"{column}__{op}": value}) | Q(**{column: value, f"product_id__{op}": _uuid(last_id)}),
            )
        reverse = (direction == "prev") != descending
        ordering = [f"-{column}", "-product_id"] if reverse else [column, "product_id"]
        found = list(rows.order_by(*ordering)[: size + 1])
        has_more = len(found) > size
        found = found[:size]
        if direction == "prev":
            found.reverse()
        next_cursor = previous_cursor = None
        if found:
            first, last = found[0], found[-1]
            more_after = has_more if direction == "next" else True
            more_before = bool(self.cursor) if direction == "next" else has_more
            if more_after:
                next_cursor = _encode_cursor(["next", getattr(last, column), str(last.product_id)])
            if more_before:
                previous_cursor = _encode_cursor(["prev", getattr(first, column), str(first.product_id)])
        return Page(rows=found, next_cursor=next_cursor, previous_cursor=previous_cursor)


def _uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidQuery("That page link is not valid any more; start from the first page.") from exc


def _cursor_value(column: str, value):
    """Turn a cursor's JSON value back into the column's Python type."""
    try:
        if column == "updated_at":
            return datetime.fromisoformat(value)
        if column == "price":
            amount = Decimal(value)
            if not amount.is_finite() or abs(amount) >= 10**10:  # outside DecimalField(12, 2)
                raise ValueError(value)
            return amount
        if column == "on_hand":
            number = int(value)
            if not -(2**63) <= number < 2**63:  # outside BigIntegerField
                raise ValueError(value)
            return number
        return str(value)
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise InvalidQuery("That page link is not valid any more; start from the first page.") from exc


@dataclass(frozen=True)
class StockLevel:
    product_id: uuid.UUID
    sku: str
    on_hand: int
    reorder_level: int
    status: str
    archived: bool
    version: int
    last_position: int


@dataclass(frozen=True, kw_only=True)
class GetProductStock:
    product_id: uuid.UUID

    def execute(self) -> StockLevel | None:
        row = (
            ProductSummary.objects.filter(pk=self.product_id)
            .values("product_id", "sku", "on_hand", "reorder_level", "status", "archived", "version", "last_position")
            .first()
        )
        return StockLevel(**row) if row else None


@dataclass(frozen=True)
class Availability:
    product_id: uuid.UUID
    sku: str
    requested: int
    on_hand: int
    available: bool
    shortfall: int


@dataclass(frozen=True, kw_only=True)
class CheckStockAvailability:
    """Could `quantity` units be issued right now?"""

    product_id: uuid.UUID
    quantity: int

    def execute(self) -> Availability | None:
        stock = GetProductStock(product_id=self.product_id).execute()
        if stock is None:
            return None
        available = not stock.archived and self.quantity <= stock.on_hand
        return Availability(
            product_id=stock.product_id,
            sku=stock.sku,
            requested=self.quantity,
            on_hand=stock.on_hand,
            available=available,
            shortfall=max(0, self.quantity - stock.on_hand),
        )


@dataclass(frozen=True, kw_only=True)
class GetStockBadges:
    """Current badges for the products on one page, in one query."""

    product_ids: list

    def execute(self) -> dict[uuid.UUID, StockLevel]:
        rows = ProductSummary.objects.filter(pk__in=self.product_ids[:MAX_PAGE_SIZE]).values(
            "product_id", "sku", "on_hand", "reorder_level", "status", "archived", "version", "last_position"
        )
        return {row["product_id"]: StockLevel(**row) for row in rows}


@dataclass(frozen=True, kw_only=True)
class FindProductBySku:
    """The product with this SKU, any case, archived or not (SKUs are unique ignoring case)."""

    sku: str

    def execute(self) -> ProductSummary | None:
        text = self.sku.strip()
        if not text:
            return None
        # The trigram-indexed search_text narrows the rows; the iexact test picks the one.
        return ProductSummary.objects.filter(search_text__contains=text.lower(), sku__iexact=text).first()


@dataclass(frozen=True)
class BadgeChanges:
    """Badges that changed after `since`, and the position the page has now seen."""

    changed: list
    since: int


@dataclass(frozen=True, kw_only=True)
class GetChangedStockBadges:
    """For polling: which of a page's badges changed after the position it last saw (one query)."""

    product_ids: list
    since: int = 0

    def execute(self) -> BadgeChanges:
        levels = GetStockBadges(product_ids=self.product_ids).execute().values()
        changed = sorted((s for s in levels if s.last_position > self.since), key=lambda s: s.last_position)
        return BadgeChanges(changed=changed, since=max([self.since, *(s.last_position for s in changed)]))


# A command's event time is taken just before its transaction, its position inside it; no command
# transaction lasts this long, so a row this much later in time also has a later position.
CLOCK_SKEW = timedelta(hours=1)
NO_BOUND = 2**63 - 1


def _position_bound(moment: datetime, default: int | None):
    """Translate a time into a position bound the primary key can seek to (exact given CLOCK_SKEW).

    Ledger pages are ordered by position; a date filter alone would make PostgreSQL walk the
    primary key past every newer row. Bounding the position lets it start at the right place.
    """
    if default is None:  # upper bound: the first row at or after `moment`
        first_after = StockMovementEntry.objects.filter(occurred_at__gte=moment).order_by("occurred_at")
        return Coalesce(Subquery(first_after.values("position")[:1]), NO_BOUND)
    last_before = StockMovementEntry.objects.filter(occurred_at__lt=moment).order_by("-occurred_at")
    return Coalesce(Subquery(last_before.values("position")[:1]), default)


def filtered_ledger(*, product_id=None, kind=None, since=None, until=None):
    """Ledger rows matching the filters; shared by the paged ledger and the CSV export."""
    rows = StockMovementEntry.objects.all()
    if product_id:
        rows = rows.filter(product_id=product_id)
    if kind:
        rows = rows.filter(kind=kind)
    if since:
        rows = rows.filter(occurred_at__gte=since, position__gt=_position_bound(since - CLOCK_SKEW, 0))
    if until:
        rows = rows.filter(occurred_at__lt=until, position__lt=_position_bound(until + CLOCK_SKEW, None))
    return rows


@dataclass(frozen=True, kw_only=True)
class ListStockMovements:
    """The ledger, newest first; per product or across all, keyset-paginated by position."""

    product_id: uuid.UUID | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_position: int | None = None
    after_position: int | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def execute(self) -> Page:
        """next_cursor is a before_position for older rows, previous_cursor an after_position for newer."""
        rows = filtered_ledger(product_id=self.product_id, kind=self.kind, since=self.since, until=self.until)
        size = _bounded_size(self.page_size)
        if self.after_position:
            found = list(rows.filter(position__gt=self.after_position).order_by("position")[: size + 1])
            newer = len(found) > size
            found = found[:size][::-1]
            next_cursor = str(found[-1].position) if found else None
            previous_cursor = str(found[0].position) if found and newer else None
            return Page(rows=found, next_cursor=next_cursor, previous_cursor=previous_cursor)
        if self.before_position:
            rows = rows.filter(position__lt=self.before_position)
        found = list(rows.order_by("-position")[: size + 1])
        next_cursor = str(found[size - 1].position) if len(found) > size else None
        previous_cursor = str(found[0].position) if found and self.before_position else None
        return Page(rows=found[:size], next_cursor=next_cursor, previous_cursor=previous_cursor)


@dataclass(frozen=True)
class Stats:
    active_products: int = 0
    in_stock: int = 0
    low: int = 0
    out: int = 0
    archived: int = 0
    total_units: int = 0
    total_value: Decimal = Decimal("0.00")
    last_position: int = 0
    counts: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class GetInventoryStats:
    """Totals per status without counting the catalogue."""

    def execute(self) -> Stats:
        totals = InventoryStats.objects.aggregate(
            **{name: Sum(name) for name in InventoryStats.COUNTERS}, last_position=Max("last_position")
        )
        values = {name: value or 0 for name, value in totals.items()}
        values["total_value"] = Decimal(values["total_value"]).quantize(Decimal("0.01"))
        counts = {
            "all": values["active_products"],
            "in_stock": values["in_stock"],
            "low": values["low"],
            "out": values["out"],
            "archived": values["archived"],
        }
        return Stats(**values, counts=counts)
