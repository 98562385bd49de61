"""The catalogue: one product, the product list (filter, search, sort, keyset pages), a SKU lookup."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from products.read.filters.catalogue import SORTS, ProductFilter
from products.read.tables import STATUS_FILTERS, ProductSummary

MAX_PAGE_SIZE = 100


DEFAULT_PAGE_SIZE = 50


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


def bounded_page_size(size) -> int:
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
        return ProductFilter.rows(search=self.search, status=self.status)

    def execute(self) -> Page:
        column, descending = self._column()
        size = bounded_page_size(self.page_size)
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
