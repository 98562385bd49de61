"""The published feed never lets a follower skip an event that commits late."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from products.read import feed as event_feed
from products.read.feed import GAP_GRACE, ReadEventFeed
from products.write.log import Event

pytestmark = pytest.mark.django_db


def _event_at(position: int, age: timedelta) -> Event:
    """An event row with an explicit position, as if another transaction had inserted it."""
    return Event.objects.create(
        position=position,
        stream_id=uuid.uuid4(),
        stream_version=1,
        type="ProductArchived",
        data={},
        actor="test",
        command_id=uuid.uuid4(),
        occurred_at=timezone.now() - age,
    )


def test_feed_returns_events_in_order_and_follows_with_last_position(make_product, quiet_database):
    make_product(sku="FEED-1", on_hand=3)
    make_product(sku="FEED-2")
    first = ReadEventFeed(after=0, limit=2).execute()
    assert [e.type for e in first.events] == ["ProductCreated", "StockReceived"]
    assert first.has_more
    rest = ReadEventFeed(after=first.last_position).execute()
    assert [e.type for e in rest.events] == ["ProductCreated"]
    assert not rest.has_more


@pytest.fixture
def busy_database(monkeypatch):
    """Another transaction is running, so a fresh gap may still fill."""
    monkeypatch.setattr(event_feed, "_writers_in_flight", lambda: True)


@pytest.fixture
def quiet_database(monkeypatch):
    """No other session is writing to this database (a busy test run could say otherwise)."""
    monkeypatch.setattr(event_feed, "_writers_in_flight", lambda: False)


def test_feed_stops_before_a_fresh_gap_a_late_commit_may_still_fill(make_product, busy_database):
    make_product(sku="FEED-3")
    last = Event.objects.order_by("-position").first().position
    _event_at(last + 2, age=timedelta(0))  # last + 1 is "still committing"
    page = ReadEventFeed(after=last - 1).execute()
    assert [e.position for e in page.events] == [last]
    assert page.last_position == last
    assert page.has_more

    _event_at(last + 1, age=timedelta(0))  # the late commit lands
    page = ReadEventFeed(after=page.last_position).execute()
    assert [e.position for e in page.events] == [last + 1, last + 2]


def test_feed_passes_an_old_gap_left_by_a_rolled_back_insert(make_product, busy_database):
    make_product(sku="FEED-4")
    last = Event.objects.order_by("-position").first().position
    _event_at(last + 2, age=GAP_GRACE + timedelta(seconds=1))
    page = ReadEventFeed(after=last - 1).execute()
    assert [e.position for e in page.events] == [last, last + 2]


def test_feed_passes_a_fresh_gap_when_no_other_transaction_runs(make_product, quiet_database):
    make_product(sku="FEED-7")
    last = Event.objects.order_by("-position").first().position
    _event_at(last + 2, age=timedelta(0))
    page = ReadEventFeed(after=last - 1).execute()
    assert [e.position for e in page.events] == [last, last + 2]


def test_feed_for_one_product_advances_past_other_products(make_product, quiet_database):
    wanted = make_product(sku="FEED-5")
    make_product(sku="FEED-6", on_hand=2)
    page = ReadEventFeed(after=0, product_id=wanted.product_id).execute()
    assert [e.product_id for e in page.events] == [wanted.product_id]
    assert page.last_position == Event.objects.order_by("-position").first().position
    assert not page.has_more


@pytest.mark.pg_only
@pytest.mark.django_db(transaction=True)
def test_an_open_transaction_that_inserted_an_event_counts_as_in_flight():
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_current_xact_id()")  # a transaction id alone: it wrote elsewhere
            assert not event_feed._writers_in_flight()
            cursor.execute(
                "INSERT INTO products_event (stream_id, stream_version, type, data, actor, command_id, occurred_at,"
                " command_type, request_digest) VALUES (%s, 1, 'ProductArchived', '{}', '', %s, now(), '', '')",
                [str(uuid.uuid4()), str(uuid.uuid4())],
            )
            assert event_feed._writers_in_flight()
            cursor.execute("ROLLBACK")
            assert not event_feed._writers_in_flight()
    finally:
        other.close()
