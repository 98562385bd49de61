"""Row rules per kind of import: each row becomes the same commands the forms build, or its problems."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from products.read.queries import ListLocations
from products.read.queries.bulk import FindProductsBySkus
from products.write.commands import COUNT_RANGE, Command, CountStock, CreateProduct, ReceiveStock
from products.write.errors import InvalidCommand
from products.write.events import DEFAULT_LOCATION

from .models import ImportKind
from .parsing import EXTRA_CELLS, Columns

LOOKUP_BATCH = 1000

PRODUCT_COLUMNS = Columns(required=("sku", "name", "price"), optional=("description", "reorder_level", "quantity"))
COUNT_COLUMNS = Columns(required=("sku", "quantity"), optional=("note", "location"))
COLUMNS = {ImportKind.PRODUCTS: PRODUCT_COLUMNS, ImportKind.COUNTS: COUNT_COLUMNS}

DUPLICATE_IN_FILE = "SKU {sku} is also on row {first}; each SKU may appear once per file (and location)."
UNKNOWN_LOCATION = "There is no location {code}."
ARCHIVED_LOCATION = "Location {code} is archived; stock cannot be counted there."
ALREADY_EXISTS = "SKU {sku} already exists; this import only creates new products."
UNKNOWN_SKU = "No product with SKU {sku}."
ARCHIVED = "{sku} is archived; archived products cannot be counted."
EXTRA = "This row has more cells than the header has columns."
# "12,50" or "1.234,50": how spreadsheets in decimal-comma locales write prices (their CSVs use ";").
DECIMAL_COMMA = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+),(\d{1,2})")


@dataclass
class Row:
    """One data row: the commands to dispatch in order, or the problems that stop it."""

    number: int
    commands: list[Command] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


CHECK_ONLY_ID = uuid.UUID(int=1)


def row_id(import_id: uuid.UUID | None, number: int, step: str = "") -> uuid.UUID:
    """Deterministic ids: applying the same import again names the same commands, so nothing applies twice.

    The check never dispatches, so it skips the hashing (a third of its time) with a placeholder.
    """
    if import_id is None:
        return CHECK_ONLY_ID
    return uuid.uuid5(import_id, f"{number}{':' + step if step else ''}")


def _field_problems(error: InvalidCommand, columns: dict[str, str] | None = None) -> list[tuple[str, str]]:
    columns = columns or {}
    return [(columns.get(name, name), message) for name, messages in error.field_errors.items() for message in messages]


def _decimal_point(text: str) -> str:
    """A decimal-comma price as Decimal reads it; anything else unchanged, for the command to judge."""
    match = DECIMAL_COMMA.fullmatch(text.strip())
    return f"{match[1].replace('.', '')}.{match[2]}" if match else text


def _product_row(import_id, number: int, values: dict[str, str], *, decimal_comma: bool = False) -> Row:
    row = Row(number)
    product_id = row_id(import_id, number, "product")
    try:
        row.commands.append(
            CreateProduct(
                command_id=row_id(import_id, number),
                product_id=product_id,
                sku=values["sku"],
                name=values["name"],
                description=values.get("description", ""),
                price=_decimal_point(values["price"]) if decimal_comma else values["price"],
                reorder_level=values.get("reorder_level", "").strip() or 0,
            )
        )
    except InvalidCommand as exc:
        row.problems += _field_problems(exc)
    quantity = values.get("quantity", "").strip()
    if quantity and not _is_zero(quantity):
        try:
            row.commands.append(
                ReceiveStock(
                    command_id=row_id(import_id, number, "receive"),
                    product_id=product_id,
                    quantity=quantity,
                    note="Opening stock (import)",
                )
            )
        except InvalidCommand:
            row.problems.append(("quantity", COUNT_RANGE))
    return row


def _is_zero(text: str) -> bool:
    try:
        return Decimal(text) == 0
    except InvalidOperation:
        return False


def _count_row(import_id, number: int, values: dict[str, str], match, locations=None) -> Row:
    """`locations` (codes upper-cased -> archived), when given, checks the `location` column up front."""
    row = Row(number)
    sku = values["sku"].strip()
    code = values.get("location", "").strip()
    if locations is not None and code and code.upper() in locations and locations[code.upper()]:
        row.problems.append(("location", ARCHIVED_LOCATION.format(code=code)))
    elif locations is not None and code and code.upper() not in locations:
        row.problems.append(("location", UNKNOWN_LOCATION.format(code=code)))
    if match is None and sku:
        row.problems.append(("sku", UNKNOWN_SKU.format(sku=sku)))
    elif match is not None and match.archived:
        row.problems.append(("sku", ARCHIVED.format(sku=match.sku)))
    try:
        command = CountStock(
            command_id=row_id(import_id, number),
            product_id=match.product_id if match else uuid.UUID(int=0),
            quantity=values["quantity"],
            note=values.get("note", ""),
            location=code,
        )
    except InvalidCommand as exc:
        row.problems += _field_problems(exc)
    else:
        row.commands.append(command)
    if not sku:
        row.problems.insert(0, ("sku", "This field is required."))
    return row


def build_rows(
    kind: str,
    import_id: uuid.UUID,
    records: Iterable[tuple[int, dict[str, str]]],
    *,
    check_catalogue: bool,
    decimal_comma: bool = False,
) -> Iterator[Row]:
    """Rows with their commands and problems, looking SKUs up in batches of LOOKUP_BATCH.

    `decimal_comma` (files delimited by ";") reads prices written "12,50" or "1.234,50".

    `check_catalogue` adds the preview's checks against existing products; applying skips them,
    because a row this import already applied must count as applied, not as a clash. Only
    applying derives the real command ids.
    """
    ids_for = None if check_catalogue else import_id
    first_seen: dict[str, int] = {}
    locations = None
    if kind == ImportKind.COUNTS and check_catalogue:
        locations = {location.code.upper(): location.archived for location in ListLocations().execute()}
    batch: list[tuple[int, dict[str, str]]] = []

    def flush() -> Iterator[Row]:
        needs_lookup = kind == ImportKind.COUNTS or check_catalogue
        found = FindProductsBySkus(skus=[v["sku"].strip() for _, v in batch]).execute() if needs_lookup else {}
        for number, values in batch:
            sku = values["sku"].strip()
            match = found.get(sku.lower())
            if kind == ImportKind.PRODUCTS:
                row = _product_row(ids_for, number, values, decimal_comma=decimal_comma)
                if check_catalogue and match is not None:
                    row.problems.append(("sku", ALREADY_EXISTS.format(sku=match.sku)))
            else:
                row = _count_row(ids_for, number, values, match, locations)
            key = sku.lower()
            if kind == ImportKind.COUNTS:
                key = f"{key}@{(values.get('location', '').strip() or DEFAULT_LOCATION).upper()}" if key else ""
            if key and first_seen.setdefault(key, number) != number:
                row.problems.append(("sku", DUPLICATE_IN_FILE.format(sku=sku, first=first_seen[key])))
            if values.get(EXTRA_CELLS):
                row.problems.append(("", EXTRA))
            yield row
        batch.clear()

    for record in records:
        batch.append(record)
        if len(batch) >= LOOKUP_BATCH:
            yield from flush()
    yield from flush()
