"""The ledger projector: movements and the details history, from its own copy of each product's state.

A movement row copies the product's SKU, name and on hand after it; a details row its price, reorder
level and archived flag. The summary cannot tell those as of an older event (it is written in the
command's transaction, ahead of this projector), so the projector keeps LedgerProductState: the same
projection functions as the summary's (projections.apply) run over it, and it is written back with
the rows and the checkpoint, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection

from products.db.bulk import insert_rows
from products.db.instances import new_instance
from products.read.projections import apply, details_entry, link_reversal
from products.read.projectors.base import Projector
from products.read.tables import DetailsHistoryEntry, LedgerProductState, ProductSummary, StockMovementEntry
from products.write.events import PRODUCT_EVENT_TYPES, RecordedEvent

STATE_FIELDS = ("sku", "name", "price", "reorder_level", "archived", "on_hand")


def apply_ledger(events: Sequence[RecordedEvent]) -> None:
    """One read of the batch's products' states, one insert per table, one upsert of the states."""
    if not events:
        return
    ids = {recorded.event.product_id for recorded in events}
    summaries = {
        state.product_id: _summary(state)
        for state in LedgerProductState.objects.using(DEFAULT_DB_ALIAS).filter(product_id__in=ids)
    }
    movements, details = [], []
    for recorded in events:
        product_id = recorded.event.product_id
        summary, movement = apply(summaries.get(product_id), recorded)
        summaries[product_id] = summary
        if movement is not None:
            movements.append(movement)
        if (entry := details_entry(summary, recorded)) is not None:
            details.append(entry)
    _insert(StockMovementEntry, movements)
    _insert(DetailsHistoryEntry, details)
    for movement in movements:
        link_reversal(movement)
    LedgerProductState.objects.using(DEFAULT_DB_ALIAS).bulk_create(
        [_state(summaries[product_id]) for product_id in ids],
        update_conflicts=True,
        unique_fields=["product_id"],
        update_fields=list(STATE_FIELDS),
        batch_size=1000,
    )


def _insert(model, rows: list) -> None:
    """COPY on PostgreSQL past a handful of rows; a plain INSERT otherwise."""
    if not rows:
        return
    if connection.vendor == "postgresql" and len(rows) > 50:
        insert_rows(model, rows)
    else:
        model.objects.using(DEFAULT_DB_ALIAS).bulk_create(rows, batch_size=1000)


def _summary(state: LedgerProductState) -> ProductSummary:
    """The state as a summary, so the summary's projection functions run over it unchanged."""
    return new_instance(
        ProductSummary,
        product_id=state.product_id,
        description="",
        reserved=0,
        **{name: getattr(state, name) for name in STATE_FIELDS},
    )


def _state(summary: ProductSummary) -> LedgerProductState:
    return LedgerProductState(product_id=summary.product_id, **{name: getattr(summary, name) for name in STATE_FIELDS})


def copy_states_from_summaries() -> None:
    """After a rebuild or a bulk seed, at the head of the log: the state is what the summaries say."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("product_id", *STATE_FIELDS))
    state, summaries = quote(LedgerProductState._meta.db_table), quote(ProductSummary._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {state}")  # noqa: S608 (our tables)
        cursor.execute(f"INSERT INTO {state} ({columns}) SELECT {columns} FROM {summaries}")  # noqa: S608


LEDGER = Projector(
    name="ledger",
    types=PRODUCT_EVENT_TYPES,
    apply=apply_ledger,
    tables=(StockMovementEntry, DetailsHistoryEntry, LedgerProductState),
)
