"""Stock per location at a past moment: the ledger's signed changes summed per (product, location), never a replay.

Every ledger row says what it did at its location (`quantity`, a count's difference included) and a
transfer also what it moved from `location` to `to_location` (`moved`); a reversal is a row like any
other. So a location's stock at a moment is the sum of its rows at or before it: one grouped query,
the product's rows read along the (product, time) index. Within a product time never runs back, so
"at or before" is a prefix of its ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import connections, router

from products.read.queries.locations import LocationLevel
from products.read.tables import MAIN, DetailsHistoryEntry, ProductSummary, StockMovementEntry

_LEVELS = """
SELECT product_id, location, SUM(change) FROM (
    SELECT product_id, location, quantity - moved AS change FROM {ledger}
    WHERE product_id IN ({products}) AND occurred_at <= %s{at_location}
    UNION ALL
    SELECT product_id, to_location, moved FROM {ledger}
    WHERE product_id IN ({products}) AND occurred_at <= %s AND to_location <> ''{at_to_location}
) changes
GROUP BY product_id, location
HAVING SUM(change) <> 0
"""


def location_order(code: str) -> tuple[bool, str]:
    """MAIN first, then by code: the order the product page and the stock endpoint list places in."""
    return code != MAIN, code


def read_tables():
    """The connection the read models are read from (a replica when there is one), and their quoted names."""
    db = connections[router.db_for_read(StockMovementEntry)]
    models = {"ledger": StockMovementEntry, "details": DetailsHistoryEntry, "summary": ProductSummary}
    return db, {key: db.ops.quote_name(model._meta.db_table) for key, model in models.items()}


def ledger_param(db, name: str, value):
    """A value as the ledger's column `name` stores it on this database (UUIDs and datetimes differ)."""
    return StockMovementEntry._meta.get_field(name).get_db_prep_value(value, db)


def levels_as_of(
    product_ids: Iterable[uuid.UUID], at: datetime, location: str | None = None
) -> dict[uuid.UUID, list[LocationLevel]]:
    """Each product's non-zero levels at `at` (only at `location`, a canonical code, when given), MAIN first."""
    ids = list(product_ids)
    if not ids:
        return {}
    db, tables = read_tables()
    keys = [ledger_param(db, "product_id", product_id) for product_id in ids]
    moment = ledger_param(db, "occurred_at", at)
    sql = _LEVELS.format(
        ledger=tables["ledger"],
        products=", ".join(["%s"] * len(keys)),
        at_location=" AND location = %s" if location else "",
        at_to_location=" AND to_location = %s" if location else "",
    )
    where = [*keys, moment, *([location] if location else [])]
    found: dict[uuid.UUID, list[LocationLevel]] = {}
    with db.cursor() as cursor:
        cursor.execute(sql, [*where, *where])
        for product_id, code, on_hand in cursor.fetchall():
            found.setdefault(as_uuid(product_id), []).append(LocationLevel(code, int(on_hand)))
    for levels in found.values():
        levels.sort(key=lambda level: location_order(level.location))
    return found


def as_uuid(value) -> uuid.UUID:
    """A product id as a raw cursor returns it: a UUID on PostgreSQL, 32 hex digits on SQLite."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
