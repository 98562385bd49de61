"""CSV exports streamed row by row: the list filters decide what, keyset chunks keep memory flat."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from products.read.queries.bulk import StreamProducts, StreamStockByLocation, StreamStockMovements

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "description",
    "price",
    "reorder_level",
    "on_hand",
    "status",
    "archived",
    "updated_at",
)
PRODUCT_LOCATION_COLUMNS = ("sku", "name", "location", "on_hand", "price")
MOVEMENT_COLUMNS = (
    "occurred_at",
    "sku",
    "product_name",
    "kind",
    "location",
    "to_location",
    "moved",
    "quantity",
    "on_hand_after",
    "actor",
    "note",
)
# Cells a spreadsheet would run as a formula (CSV injection): prefix them with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


class _Echo:
    """csv.writer writes into this and gets the line back, so each row can be yielded at once."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_lines(header: Iterable[str], rows: Iterable[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # the BOM makes Excel read UTF-8
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def csv_response(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def stamped(name: str) -> str:
    return f"{name}-{timezone.localtime():%Y%m%d-%H%M}.csv"


def product_lines(*, status: str, search: str, sort: str, location: str = "") -> Iterator[str]:
    query = StreamProducts(status=status, search=search, sort=sort, location=location)
    query._column()  # an unknown sort fails here, before the response starts
    query.base_queryset()
    return csv_lines(PRODUCT_COLUMNS, query.iterate(PRODUCT_COLUMNS))


def movement_lines(**filters) -> Iterator[str]:
    return csv_lines(MOVEMENT_COLUMNS, StreamStockMovements(**filters).iterate(MOVEMENT_COLUMNS))


def product_location_lines(*, status: str, search: str, sort: str, location: str = "") -> Iterator[str]:
    """The product export per location (`?by=location`): a row per product and location holding some."""
    query = StreamStockByLocation(status=status, search=search, sort=sort, location=location)
    return csv_lines(PRODUCT_LOCATION_COLUMNS, query.rows_by_location())
