"""The levels projector: stock per (product, location), a batch at a time in three statements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

from products.read.location_projections import LEVEL_PROJECTIONS, level_changes
from products.read.projectors.base import Projector
from products.read.tables import StockByLocation
from products.write.events import RecordedEvent


def apply_levels(events: Sequence[RecordedEvent]) -> None:
    """Read the levels the batch touches, move them in memory, write back what changed (a row at 0 goes)."""
    changes = [change for recorded in events for change in level_changes(recorded)]
    if not changes:
        return
    rows = StockByLocation.objects.using(DEFAULT_DB_ALIAS)
    products = {change.product_id for change in changes}
    places = {change.location for change in changes}
    wanted = {(change.product_id, change.location) for change in changes}
    found = {
        (product_id, location): on_hand
        for product_id, location, on_hand in rows.filter(product_id__in=products, location__in=places).values_list(
            "product_id", "location", "on_hand"
        )
        if (product_id, location) in wanted
    }
    levels = dict(found)
    for change in changes:
        key = (change.product_id, change.location)
        levels[key] = change.after(levels.get(key, 0))
    gone = [key for key, on_hand in levels.items() if on_hand == 0 and key in found]
    if gone:
        rows.filter(
            reduce(or_, (Q(product_id=product_id, location=location) for product_id, location in gone))
        ).delete()
    changed = [
        StockByLocation(product_id=_uuid(product_id), location=location, on_hand=on_hand)
        for (product_id, location), on_hand in levels.items()
        if on_hand != 0 and found.get((product_id, location)) != on_hand
    ]
    if changed:
        rows.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["product_id", "location"],
            update_fields=["on_hand"],
            batch_size=1000,
        )


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


LEVELS = Projector(
    name="levels",
    types=frozenset(LEVEL_PROJECTIONS),
    apply=apply_levels,
    tables=(StockByLocation,),
)
