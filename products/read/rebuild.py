"""The rebuild on PostgreSQL: every read-model row computed from the event log in SQL.

Replaying in Python costs a few microseconds of interpreter work per event, far from the
60 s per 5M events the rebuild is allowed. Here one statement sorts the log by stream and
position and lets window functions carry each product's state from event to event: the
running on-hand total, the position of the latest ProductCreated/ProductDetailsUpdated
(its details are joined in afterwards, so the 6M-row sort stays narrow enough for memory),
and the facts a summary needs from the stream's last event. Movements go to the ledger,
each stream's last row to ProductSummary; InventoryStats is summed from the summaries.
Reservation events ride in their product's stream: a running sum of their reserved change
gives the summary's reserved (a fulfilment also moves on hand, as an issue), and one more
statement builds each reservation's row from its opening and last events.

The rows equal what the projections in projections.py produce (tests compare the two on
varied logs). Two of the projections' rules are not set-based, so the statement checks that
the log never needs them and stops with ReplayNeedsPython otherwise: a stocktake whose
recorded difference does not lead to its counted quantity, and a stream with a second
ProductCreated or with events before its creation. search_text is lowered in SQL for ASCII
and corrected here with Python's str.lower() where the database's lower() disagrees.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import InternalError, connection

from products.read.tables import (
    MAIN,
    STATS_SHARDS,
    DetailsHistoryEntry,
    InventoryStats,
    MovementKind,
    ProductSummary,
    ReservationEntry,
    ReservationState,
    StockByLocation,
    StockMovementEntry,
    StockStatus,
)
from products.write.events import (
    PRODUCT_EVENT_TYPES,
    ProductArchived,
    ProductCreated,
    ProductDetailsUpdated,
    ProductRestored,
    ReservationExpired,
    ReservationFulfilled,
    ReservationReleased,
    StockCounted,
    StockIssued,
    StockMovementReversed,
    StockReceived,
    StockReserved,
    StockTransferred,
)
from products.write.log import Event

# A stats shard is product_id.int % STATS_SHARDS (projections.stats_shard); in SQL the UUID's last byte
# modulo the shard count gives the same number while the count divides 256.
if 256 % STATS_SHARDS:
    raise ImportError(f"STATS_SHARDS={STATS_SHARDS} must divide 256 for the SQL rebuild's shard formula")

# Per sort and per stored intermediate result; the statement needs about 200 bytes per event
# (beyond it, sorts spill to temporary files, which costs little here).
WORK_MEM = "1GB"
# Per index build: a ledger index of 5M rows sorts in memory, and parallel workers (each gets a
# share; PostgreSQL's max_parallel_maintenance_workers) still get 256MB or more.
INDEX_BUILD_MEMORY = "1GB"
# Marks the errors the statement raises on purpose (see _MISMATCH_FUNCTION).
MISMATCH = "replay needs python:"

_MISMATCH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION pg_temp.replay_mismatch(detail text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MISMATCH} %', detail;
END $$
"""


class ReplayNeedsPython(Exception):
    """The log holds something only the event-by-event replay reproduces."""


@dataclass(frozen=True)
class Counts:
    """What a rebuild replayed, how ("sql" or "python"), and the seconds the replay itself took."""

    events: int
    products: int
    method: str = "sql"
    replay_seconds: float | None = None


def _names() -> dict:
    quote = connection.ops.quote_name
    created, updated = ProductCreated.__name__, ProductDetailsUpdated.__name__
    return {
        "events": quote(Event._meta.db_table),
        "ledger": quote(StockMovementEntry._meta.db_table),
        "details_history": quote(DetailsHistoryEntry._meta.db_table),
        "summaries": quote(ProductSummary._meta.db_table),
        "levels": quote(StockByLocation._meta.db_table),
        "transferred": StockTransferred.__name__,
        "product_types": ", ".join(f"'{name}'" for name in sorted(PRODUCT_EVENT_TYPES)),
        "kind_transferred": MovementKind.TRANSFERRED.value,
        "main": MAIN,
        "stats": quote(InventoryStats._meta.db_table),
        "reservations": quote(ReservationEntry._meta.db_table),
        "reserved": StockReserved.__name__,
        "released": ReservationReleased.__name__,
        "expired": ReservationExpired.__name__,
        "fulfilled": ReservationFulfilled.__name__,
        "reservation_events": ", ".join(
            f"'{cls.__name__}'"
            for cls in (StockReserved, ReservationReleased, ReservationExpired, ReservationFulfilled)
        ),
        "state_active": ReservationState.ACTIVE.value,
        "state_released": ReservationState.RELEASED.value,
        "state_expired": ReservationState.EXPIRED.value,
        "state_fulfilled": ReservationState.FULFILLED.value,
        "received": StockReceived.__name__,
        "issued": StockIssued.__name__,
        "counted": StockCounted.__name__,
        "archived": ProductArchived.__name__,
        "restored": ProductRestored.__name__,
        "reversed": StockMovementReversed.__name__,
        "kind_reversal": MovementKind.REVERSAL.value,
        "created": created,
        "updated": updated,
        "details": f"'{created}', '{updated}'",
        "kind_received": MovementKind.RECEIVED.value,
        "kind_issued": MovementKind.ISSUED.value,
        "kind_counted": MovementKind.COUNTED.value,
        "out": StockStatus.OUT.value,
        "low": StockStatus.LOW.value,
        "in_stock": StockStatus.IN_STOCK.value,
        "shards": STATS_SHARDS,
    }


# e: one narrow row per event: a type code, and the payload of movements (details stay in the log).
# s: per stream in position order, the state after each event (window functions), with the
#    position of the latest details event instead of the details themselves (a narrow sort).
# w: the rows somebody needs, movements and each stream's last event, read twice:
#    by the ledger insert and by the summary insert (the statement itself).
# d: the details events' payloads, joined to w by that position (hash joins; the planner
#    cannot estimate the CTEs and would sort 5M rows for merge joins, so the caller turns them off).
_REPLAY = """
WITH w AS (
  SELECT position, stream_id, occurred_at, actor, code, delta, note, reverses, location, to_location, moved,
    on_hand, details_at, is_last,
    CASE WHEN is_last THEN reserved END AS reserved,
    CASE WHEN is_last THEN stream_version END AS stream_version,
    CASE WHEN is_last THEN moved_at END AS moved_at,
    CASE WHEN is_last THEN created_at END AS created_at,
    CASE WHEN is_last THEN archived END AS archived,
    CASE WHEN is_last THEN well_formed END AS well_formed
  FROM (
    SELECT position, stream_id, stream_version, occurred_at, actor, code, delta, rdelta, note, reverses, location,
      to_location, moved,
      coalesce(sum(delta) OVER s, 0) AS on_hand,
      coalesce(sum(rdelta) OVER s, 0) AS reserved,
      max(position) FILTER (WHERE code <= 2) OVER s AS details_at,
      lead(position) OVER s IS NULL AS is_last,
      max(position) FILTER (WHERE delta IS NOT NULL) OVER s AS moved_at,
      first_value(occurred_at) OVER s AS created_at,
      -- archive (6) and restore (8) alternate: archived when there are more of the first
      count(*) FILTER (WHERE code = 6) OVER s > count(*) FILTER (WHERE code = 8) OVER s AS archived,
      first_value(code) OVER s = 1 AND count(*) FILTER (WHERE code = 1) OVER s = 1 AS well_formed
    FROM (
      SELECT position, stream_id, stream_version, occurred_at, actor,
        (CASE type WHEN '{created}' THEN 1 WHEN '{updated}' THEN 2 WHEN '{received}' THEN 3
          WHEN '{issued}' THEN 4 WHEN '{counted}' THEN 5 WHEN '{archived}' THEN 6 WHEN '{reversed}' THEN 7
          WHEN '{restored}' THEN 8
          WHEN '{reserved}' THEN 9 WHEN '{released}' THEN 10 WHEN '{expired}' THEN 10 WHEN '{fulfilled}' THEN 11
          WHEN '{transferred}' THEN 12 END)::smallint AS code,
        CASE type WHEN '{received}' THEN (data->>'quantity')::bigint WHEN '{issued}' THEN -(data->>'quantity')::bigint
          WHEN '{counted}' THEN (data->>'difference')::bigint WHEN '{reversed}' THEN (data->>'quantity')::bigint
          WHEN '{fulfilled}' THEN -(data->>'quantity')::bigint WHEN '{transferred}' THEN 0 END AS delta,
        CASE type WHEN '{reserved}' THEN (data->>'quantity')::bigint
          WHEN '{released}' THEN -(data->>'quantity')::bigint WHEN '{expired}' THEN -(data->>'quantity')::bigint
          WHEN '{fulfilled}' THEN -(data->>'quantity')::bigint END AS rdelta,
        CASE WHEN type = '{counted}' THEN (data->>'counted')::bigint + coalesce((data->>'moved_since')::bigint, 0)
          END AS counted,
        CASE WHEN type = '{reversed}' THEN data->>'reason' ELSE data->>'note' END AS note,
        CASE WHEN type = '{reversed}' THEN (data->>'reverses')::bigint END AS reverses,
        coalesce(data->>'location', data->>'from_location', '{main}') AS location,
        coalesce(data->>'to_location', '') AS to_location,
        CASE type WHEN '{transferred}' THEN (data->>'quantity')::bigint
          WHEN '{reversed}' THEN coalesce((data->>'moved')::bigint, 0) ELSE 0 END AS moved
      FROM {events}
      WHERE type IN ({product_types})
      OFFSET 0
    ) e
    WINDOW s AS (PARTITION BY stream_id ORDER BY position ROWS UNBOUNDED PRECEDING)
  ) s
  WHERE delta IS NOT NULL OR is_last
), d AS (
  SELECT position, data->>'sku' AS sku, data->>'name' AS name, data->>'description' AS description,
    (data->>'price')::numeric AS price, (data->>'reorder_level')::integer AS reorder_level
  FROM {events} WHERE type IN ({details})
), ledger AS (
  INSERT INTO {ledger}
    (position, product_id, sku, product_name, kind, quantity, on_hand_after, note, actor, occurred_at, reverses,
     location, to_location, moved)
  SELECT w.position, stream_id, d.sku, d.name,
    CASE code WHEN 3 THEN '{kind_received}' WHEN 4 THEN '{kind_issued}' WHEN 7 THEN '{kind_reversal}'
      WHEN 11 THEN '{kind_issued}' WHEN 12 THEN '{kind_transferred}' ELSE '{kind_counted}' END, delta, on_hand,
    note, actor, occurred_at, reverses, location, to_location, moved
  FROM w JOIN d ON d.position = w.details_at
  WHERE delta IS NOT NULL
)
INSERT INTO {summaries} (product_id, sku, name, description, price, reorder_level, on_hand, reserved, available,
    status, archived, version, stock_value, search_text, created_at, updated_at, last_movement_at, last_position)
  SELECT stream_id, sku, name, description, price, reorder_level, on_hand, reserved, on_hand - reserved,
    CASE WHEN on_hand - reserved <= 0 THEN '{out}' WHEN on_hand - reserved <= reorder_level THEN '{low}'
      ELSE '{in_stock}' END,
    archived, stream_version, price * on_hand,
    CASE WHEN octet_length(sku || name) = char_length(sku || name) THEN lower(sku || ' ' || name COLLATE "C")
      ELSE lower(sku || ' ' || name) END,
    created_at, occurred_at,
    CASE WHEN moved_at = w.position THEN occurred_at
      WHEN moved_at IS NOT NULL THEN (SELECT m.occurred_at FROM {events} m WHERE m.position = moved_at) END,
    CASE WHEN well_formed THEN w.position
      ELSE pg_temp.replay_mismatch('stream ' || stream_id || ' does not start with its only {created}') END
  FROM w LEFT JOIN d ON d.position = w.details_at
  WHERE is_last
"""

# Per (product, location): each movement's change there (a transfer or its reversal is two), summed by position.
# A stocktake must land on what it counted (else the Python replay, which follows the count, takes over);
# the last row of each pair with stock left is the level.
_LEVELS = """
WITH m AS (
  SELECT stream_id, position, coalesce(data->>'location', '{main}') AS location,
    CASE type WHEN '{received}' THEN (data->>'quantity')::bigint WHEN '{issued}' THEN -(data->>'quantity')::bigint
      WHEN '{reversed}' THEN (data->>'quantity')::bigint - coalesce((data->>'moved')::bigint, 0)
      WHEN '{fulfilled}' THEN -(data->>'quantity')::bigint ELSE (data->>'difference')::bigint END AS delta,
    CASE WHEN type = '{counted}' THEN (data->>'counted')::bigint + coalesce((data->>'moved_since')::bigint, 0)
      END AS counted
  FROM {events} WHERE type IN ('{received}', '{issued}', '{counted}', '{reversed}', '{fulfilled}')
  UNION ALL
  SELECT stream_id, position, data->>'from_location', -(data->>'quantity')::bigint, NULL
  FROM {events} WHERE type = '{transferred}'
  UNION ALL
  SELECT stream_id, position, data->>'to_location', (data->>'quantity')::bigint, NULL
  FROM {events} WHERE type = '{transferred}'
  UNION ALL
  SELECT stream_id, position, data->>'to_location', (data->>'moved')::bigint, NULL
  FROM {events} WHERE type = '{reversed}' AND data->>'to_location' IS NOT NULL
), r AS (
  SELECT stream_id, location, position, counted, sum(delta) OVER l AS on_hand, lead(position) OVER l IS NULL AS is_last
  FROM m
  WINDOW l AS (PARTITION BY stream_id, location ORDER BY position ROWS UNBOUNDED PRECEDING)
)
INSERT INTO {levels} (product_id, location, on_hand)
SELECT stream_id, location, on_hand FROM r
WHERE CASE WHEN counted IS NOT NULL AND counted <> on_hand
  THEN pg_temp.replay_mismatch('the stocktake at position ' || position || ' counted ' || counted
    || ', but its difference leads to ' || on_hand) > 0
  ELSE is_last AND on_hand <> 0 END
"""

# Every details event's price and reorder level, and each archival with the details it kept,
# as projections.details_entry writes them (an archived product never changes again).
_DETAILS_HISTORY = """
INSERT INTO {details_history} (position, product_id, price, reorder_level, archived, occurred_at)
SELECT position, stream_id, (data->>'price')::numeric, (data->>'reorder_level')::integer, false, occurred_at
FROM {events} WHERE type IN ({details})
UNION ALL
SELECT a.position, a.stream_id, d.price, d.reorder_level, true, a.occurred_at
FROM {events} a CROSS JOIN LATERAL (
  SELECT (data->>'price')::numeric AS price, (data->>'reorder_level')::integer AS reorder_level FROM {events} x
  WHERE x.stream_id = a.stream_id AND x.type IN ({details}) AND x.stream_version < a.stream_version
  ORDER BY x.stream_version DESC LIMIT 1
) d
WHERE a.type = '{archived}'
"""

_STATS = """
INSERT INTO {stats} (shard, active_products, in_stock, low, out, archived, total_units, total_value,
  reserved_units, reserved_value, last_position)
SELECT get_byte(uuid_send(product_id), 15) % {shards},
  count(*) FILTER (WHERE NOT archived),
  count(*) FILTER (WHERE NOT archived AND status = '{in_stock}'),
  count(*) FILTER (WHERE NOT archived AND status = '{low}'),
  count(*) FILTER (WHERE NOT archived AND status = '{out}'),
  count(*) FILTER (WHERE archived),
  coalesce(sum(on_hand) FILTER (WHERE NOT archived), 0),
  coalesce(sum(stock_value) FILTER (WHERE NOT archived), 0),
  coalesce(sum(reserved) FILTER (WHERE NOT archived), 0),
  coalesce(sum(price * reserved) FILTER (WHERE NOT archived), 0),
  max(last_position)
FROM {summaries}
GROUP BY 1
"""

# Each reservation from its own events: the opening one (quantity, reference, who, when), the last one
# (how it ended, when) and the sum of its fulfilments; version counts its events, as the projections do.
_RESERVATIONS = """
INSERT INTO {reservations} (reservation_id, product_id, quantity, fulfilled, reference, status, expires_at,
  reserved_by, reserved_at, updated_at, version, last_position)
SELECT r.reservation_id, o.stream_id, (o.data->>'quantity')::bigint, r.fulfilled, o.data->>'reference',
  CASE WHEN l.type = '{released}' THEN '{state_released}' WHEN l.type = '{expired}' THEN '{state_expired}'
    WHEN r.fulfilled = (o.data->>'quantity')::bigint THEN '{state_fulfilled}' ELSE '{state_active}' END,
  (o.data->>'expires_at')::timestamptz, o.actor, o.occurred_at, l.occurred_at, r.events, l.position
FROM (
  SELECT (data->>'reservation_id')::uuid AS reservation_id,
    min(position) FILTER (WHERE type = '{reserved}') AS opened_at,
    max(position) AS last_at,
    count(*) AS events,
    coalesce(sum((data->>'quantity')::bigint) FILTER (WHERE type = '{fulfilled}'), 0) AS fulfilled
  FROM {events} WHERE type IN ({reservation_events})
  GROUP BY 1
) r
JOIN {events} o ON o.position = r.opened_at
JOIN {events} l ON l.position = r.last_at
"""

_NON_ASCII = """
SELECT product_id, sku, name, search_text FROM {summaries}
WHERE octet_length(sku || name) <> char_length(sku || name)
"""

_PRIMARY_KEY = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'
"""

_SET_SEARCH_TEXT = "UPDATE {summaries} SET search_text = %s WHERE product_id = %s"


def replay(progress: Callable[[int], None] | None = None) -> Counts:
    """Fill the emptied read-model tables from the whole log (inside the caller's transaction).

    The statement's intermediate results stay in memory up to WORK_MEM; JIT compiling it
    costs more than it saves.
    """
    names = _names()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(_MISMATCH_FUNCTION)
        started = time.perf_counter()
        with _primary_keys_deferred(cursor, StockMovementEntry, ProductSummary, DetailsHistoryEntry):
            try:
                cursor.execute(_LEVELS.format(**names))
                cursor.execute(_REPLAY.format(**names))
            except InternalError as exc:
                if MISMATCH in str(exc):
                    raise ReplayNeedsPython(str(exc).split(MISMATCH, 1)[1].strip().splitlines()[0]) from exc
                raise
            products = cursor.rowcount
            cursor.execute(_DETAILS_HISTORY.format(**names))
        replay_seconds = time.perf_counter() - started
        _correct_search_text(cursor, names)
        cursor.execute(f"SELECT count(*) FROM {names['events']}")  # noqa: S608 (our table)
        (events,) = cursor.fetchone()
        if progress:
            progress(events)
        cursor.execute(_STATS.format(**names))
        cursor.execute(_RESERVATIONS.format(**names))
    return Counts(events=int(events), products=products, replay_seconds=round(replay_seconds, 2))


@contextmanager
def _primary_keys_deferred(cursor, *models):
    """Load the emptied tables without their primary keys: one index build beats a million inserts into it.

    deferred_indexes (bulk.py) already holds back the other indexes; the caller's transaction
    (or its savepoint) puts the keys back as they were if the load fails.
    """
    saved = []
    for model in models:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(_PRIMARY_KEY, [model._meta.db_table])
        for name, definition in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            saved.append(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
    yield
    for statement in saved:
        cursor.execute(statement)


def _correct_search_text(cursor, names: dict) -> None:
    """Python's str.lower() is the reference; a database lower() differs on a few letters (İ, final Σ)."""
    fixes = []
    with connection.chunked_cursor() as rows:
        rows.execute(_NON_ASCII.format(**names))
        while chunk := rows.fetchmany(5000):
            fixes += [
                (expected, product_id)
                for product_id, sku, name, search_text in chunk
                if (expected := f"{sku} {name}".lower()) != search_text
            ]
    if fixes:
        cursor.executemany(_SET_SEARCH_TEXT.format(**names), fixes)
