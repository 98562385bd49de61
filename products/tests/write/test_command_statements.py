"""What one command costs the database, and the shortcuts that keep it cheap stay correct."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products.read.projections import SUMMARY_FIELDS, summary_as_of
from products.read.queries import GetProductStock
from products.read.tables import ProductSummary
from products.read.verify import verify
from products.write import bus
from products.write.aggregates import Product
from products.write.commands import (
    ArchiveProduct,
    CountStock,
    IssueStock,
    ReceiveStock,
    TransferStock,
    UpdateProductDetails,
)
from products.write.log import Event

TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")
# Lock the product, then its location (shared) and its stock there in one statement, write both, append the
# event, move the summary, add to a stats shard. The ledger and the per-location level are the projectors'.
STOCK_COMMAND_STATEMENTS = [
    "SELECT products_product",
    "SELECT products_location",
    "UPDATE products_product",
    "UPDATE products_locationstock",
    "INSERT products_event",
    "UPDATE products_productsummary",
    "UPDATE products_inventorystats",
]
# In process (the tests' mode), each projector's catch-up follows the commit: lock its checkpoint, read the log
# after it, write its rows, move the checkpoint.
LEDGER_CATCH_UP = [
    "SELECT products_projectorcheckpoint",
    "SELECT products_event",
    "SELECT products_ledgerproductstate",
    "INSERT products_stockmovemententry",
    "INSERT products_ledgerproductstate",
    "UPDATE products_projectorcheckpoint",
]
LEVELS_CATCH_UP = [
    "SELECT products_projectorcheckpoint",
    "SELECT products_event",
    "SELECT products_stockbylocation",
    "INSERT products_stockbylocation",
    "UPDATE products_projectorcheckpoint",
]
TABLE = re.compile(r'^(?:(SELECT) .*? FROM|(UPDATE)|(INSERT) INTO) "?(\w+)"?', re.DOTALL)


def _statements(captured) -> list[str]:
    """Each statement as 'VERB table', transaction control left out."""
    shown = []
    for query in captured:
        sql = query["sql"]
        if TRANSACTION_CONTROL.match(sql):
            continue
        match = TABLE.match(sql)
        shown.append(f"{match.group(1) or match.group(2) or match.group(3)} {match.group(4)}" if match else sql)
    return shown


def _command_part(captured) -> list[str]:
    """The command's own statements: those before the projectors' catch-up (which starts at a checkpoint)."""
    shown = _statements(captured)
    return shown[: shown.index("SELECT products_projectorcheckpoint")]


def _run(command) -> list[dict]:
    with CaptureQueriesContext(connection) as captured:
        bus.dispatch(command)
    return captured.captured_queries


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        lambda p: ReceiveStock(product_id=p.product_id, quantity=3),
        lambda p: IssueStock(product_id=p.product_id, quantity=3),
        lambda p: CountStock(product_id=p.product_id, quantity=3),
    ],
    ids=["receive", "issue", "count"],
)
def test_a_stock_command_is_seven_statements_then_the_projectors_catch_up(product, make):
    """No read-back of the summary, no up-front idempotency read: the unique command_id index is the guard."""
    captured = _run(make(product))
    assert _statements(captured) == STOCK_COMMAND_STATEMENTS + LEDGER_CATCH_UP + LEVELS_CATCH_UP
    lock, place = [q["sql"] for q in captured if q["sql"].startswith("SELECT")][:2]
    assert lock.endswith("FOR UPDATE") == connection.features.has_select_for_update
    if connection.vendor == "postgresql":  # the stock row locked, the location held so it cannot be archived
        assert "FOR UPDATE) s ON true" in place and place.endswith("FOR SHARE OF l")


@pytest.mark.django_db
def test_stock_a_location_never_had_is_inserted_once_and_a_transfer_is_nine_statements(product, make_location):
    """No INSERT at 0 then UPDATE: the new row is written once, on commit, with what the command put there."""
    make_location("A-01")
    first = _command_part(_run(ReceiveStock(product_id=product.product_id, quantity=3, location="A-01")))
    assert first.count("INSERT products_locationstock") == 1 and "UPDATE products_locationstock" not in first
    assert first[:3] == STOCK_COMMAND_STATEMENTS[:3] and len(first) == 7
    moved = TransferStock(product_id=product.product_id, quantity=2, from_location="A-01", to_location="MAIN")
    transfer = _command_part(_run(moved))
    assert transfer.count("SELECT products_location") == 2 and transfer.count("UPDATE products_locationstock") == 2
    assert len(transfer) == 9, transfer  # two locations: two more than one place (the levels are the projector's)
    assert verify().total == 0


@pytest.mark.django_db(transaction=True)
def test_a_command_is_one_transaction_without_savepoints(make_product):
    product = make_product(sku="TX-1", on_hand=5)
    captured = _run(ReceiveStock(product_id=product.product_id, quantity=1))
    control = [q["sql"].split()[0] for q in captured if TRANSACTION_CONTROL.match(q["sql"])]
    command = control[: control.index("COMMIT") + 1]  # the projectors' catch-up follows in transactions of its own
    assert command == ["BEGIN", "COMMIT"]
    assert control[-1] == "COMMIT"


@pytest.mark.django_db
def test_a_retried_command_that_would_now_be_refused_still_succeeds(product):
    """The first try issued the last 20: a retry is not 'only 0 on hand', it is done."""
    command = IssueStock(product_id=product.product_id, quantity=20)
    bus.dispatch(command)
    bus.dispatch(command)
    assert GetProductStock(product_id=product.product_id).execute().on_hand == 0
    assert Event.objects.filter(command_id=command.command_id).count() == 1
    assert verify().total == 0


@pytest.mark.django_db
def test_a_retried_command_leaves_no_trace_of_its_second_try(product, snapshot):
    command = ReceiveStock(product_id=product.product_id, quantity=4)
    bus.dispatch(command)
    after_first = snapshot()
    bus.dispatch(command)
    assert snapshot() == after_first


@pytest.mark.django_db
def test_the_summary_built_from_the_locked_product_is_the_stored_one(make_product):
    """The premise that lets a command skip reading the summary back, after every kind of change."""
    product = make_product(sku="AS-1", name="Widget", price="2.50", reorder_level=5, on_hand=7)
    other = make_product(sku="AS-2", name="Gadget", price="0.10", reorder_level=0)
    bus.dispatch(IssueStock(product_id=product.product_id, quantity=3))
    bus.dispatch(CountStock(product_id=product.product_id, quantity=0))
    bus.dispatch(
        UpdateProductDetails(
            product_id=product.product_id,
            expected_version=4,
            sku="AS-1B",
            name="Widget II",
            description="new",
            price="3.10",
            reorder_level=1,
        )
    )
    bus.dispatch(ReceiveStock(product_id=product.product_id, quantity=2))
    bus.dispatch(ArchiveProduct(product_id=other.product_id))
    known = [name for name in SUMMARY_FIELDS if name not in ("last_movement_at", "last_position")]
    for row in Product.objects.all():
        stored = ProductSummary.objects.get(pk=row.id)
        built = summary_as_of(row)
        assert {name: getattr(built, name) for name in known} == {name: getattr(stored, name) for name in known}
    assert verify().total == 0
