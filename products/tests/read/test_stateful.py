"""Random command sequences: after every step read models == fresh replay == write model."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from products.read import replay
from products.read.queries import GetInventoryStats, GetStockBadges, GetStockByLocation
from products.read.verify import verify
from products.write import bus, errors
from products.write.commands import (
    ArchiveLocation,
    ArchiveProduct,
    CountStock,
    CreateLocation,
    CreateProduct,
    IssueStock,
    ReceiveStock,
    TransferStock,
    UpdateProductDetails,
)
from products.write.log import Event

SKUS = st.sampled_from(["ACC-1", "CBL-2", "TLS-3", "OFF-4"]).flatmap(lambda s: st.sampled_from([s, s.lower()]))
NAMES = st.sampled_from(["Blue widget", "Red gadget", "Hex key set"])
PRICES = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)
LEVELS = st.integers(min_value=0, max_value=30)
# MAIN (built in), two bins made at the start (one named in lower case) and one archived at the start.
ACTIVE_PLACES = ["MAIN", "A-01", "B-02"]
ARCHIVED_PLACE = "OLD"
PLACES = st.sampled_from([*ACTIVE_PLACES, "a-01", ARCHIVED_PLACE])


class Expected:
    """What the model of the world says one product looks like."""

    def __init__(self, sku, name, price, reorder_level):
        self.details = {"sku": sku, "name": name, "description": "", "price": price, "reorder_level": reorder_level}
        self.levels: dict[str, int] = {}  # upper-cased code -> on hand, only where there is some
        self.version = 1
        self.archived = False

    @property
    def on_hand(self) -> int:
        return sum(self.levels.values())

    def at(self, place: str) -> int:
        return self.levels.get(place.upper(), 0)

    def put(self, place: str, quantity: int) -> None:
        self.levels[place.upper()] = quantity
        if not quantity:
            del self.levels[place.upper()]


class Inventory(RuleBasedStateMachine):
    """Dispatches commands and keeps a plain dict of what every product should now be."""

    product_ids = Bundle("product_ids")

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.products: dict = {}
        self.applied: list = []
        for code in (*ACTIVE_PLACES[1:], ARCHIVED_PLACE):
            bus.dispatch(CreateLocation(code=code, name=f"Bin {code}"))
        bus.dispatch(ArchiveLocation(code=ARCHIVED_PLACE))
        self.events = Event.objects.count()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def run(self, command, error=None):
        """Dispatch; the refusal must be exactly `error`, and a success exactly one new event."""
        before = Event.objects.count()
        if error is None:
            bus.dispatch(command)
            self.applied.append(command)
            self.events += 1
            assert Event.objects.count() == before + 1
        else:
            with pytest.raises(error):
                bus.dispatch(command)
            assert Event.objects.count() == before

    def sku_taken(self, sku, exclude=None) -> bool:
        return any(p.details["sku"].lower() == sku.lower() for pid, p in self.products.items() if pid != exclude)

    def refusal_for_change(self, product_id):
        return errors.ProductArchived if self.products[product_id].archived else None

    @rule(target=product_ids, sku=SKUS, name=NAMES, price=PRICES, reorder_level=LEVELS)
    def create(self, sku, name, price, reorder_level):
        command = CreateProduct(sku=sku, name=name, price=price, reorder_level=reorder_level)
        if self.sku_taken(sku):
            self.run(command, errors.DuplicateSku)
            return multiple()
        self.run(command)
        self.products[command.product_id] = Expected(sku, name, price, reorder_level)
        return command.product_id

    @rule(product_id=product_ids, stale=st.booleans(), sku=SKUS, name=NAMES, price=PRICES, reorder_level=LEVELS)
    def update(self, product_id, stale, sku, name, price, reorder_level):
        expected = self.products[product_id]
        version = expected.version
        if stale:  # someone else saved meanwhile, or the caller sends a version from nowhere
            version = version - 1 if version > 1 else version + 1
        new = {"sku": sku, "name": name, "description": "", "price": price, "reorder_level": reorder_level}
        command = UpdateProductDetails(product_id=product_id, expected_version=version, **new)
        if expected.archived:
            self.run(command, errors.ProductArchived)
        elif stale:
            self.run(command, errors.StaleVersion)
        elif new == expected.details:
            bus.dispatch(command)  # nothing to change: nothing recorded
        elif sku.lower() != expected.details["sku"].lower() and self.sku_taken(sku, exclude=product_id):
            self.run(command, errors.DuplicateSku)
        else:
            self.run(command)
            expected.details = new
            expected.version += 1

    def refusal_at(self, product_id, *places):
        """The product's refusal first (it is locked first), then an archived place's."""
        error = self.refusal_for_change(product_id)
        if error is None and any(place.upper() == ARCHIVED_PLACE for place in places):
            error = errors.LocationArchived
        return error

    @rule(product_id=product_ids, quantity=st.integers(min_value=1, max_value=40), place=PLACES)
    def receive(self, product_id, quantity, place):
        expected = self.products[product_id]
        error = self.refusal_at(product_id, place)
        self.run(ReceiveStock(product_id=product_id, quantity=quantity, location=place), error)
        if error is None:
            expected.put(place, expected.at(place) + quantity)
            expected.version += 1

    @rule(product_id=product_ids, quantity=st.integers(min_value=1, max_value=60), place=PLACES)
    def issue(self, product_id, quantity, place):
        expected = self.products[product_id]
        error = self.refusal_at(product_id, place)
        if error is None and quantity > expected.at(place):
            error = errors.InsufficientStock
        self.run(IssueStock(product_id=product_id, quantity=quantity, location=place), error)
        if error is None:
            expected.put(place, expected.at(place) - quantity)
            expected.version += 1

    @rule(product_id=product_ids, quantity=st.integers(min_value=0, max_value=50), place=PLACES)
    def count(self, product_id, quantity, place):
        expected = self.products[product_id]
        error = self.refusal_at(product_id, place)
        self.run(CountStock(product_id=product_id, quantity=quantity, location=place), error)
        if error is None:
            expected.put(place, quantity)
            expected.version += 1

    @rule(product_id=product_ids, quantity=st.integers(min_value=1, max_value=40), source=PLACES, destination=PLACES)
    def transfer(self, product_id, quantity, source, destination):
        if source.upper() == destination.upper():
            with pytest.raises(errors.InvalidCommand):
                TransferStock(product_id=product_id, quantity=quantity, from_location=source, to_location=destination)
            return
        expected = self.products[product_id]
        error = self.refusal_at(product_id, source, destination)
        if error is None and quantity > expected.at(source):
            error = errors.InsufficientStock
        command = TransferStock(product_id=product_id, quantity=quantity, from_location=source, to_location=destination)
        self.run(command, error)
        if error is None:
            expected.put(source, expected.at(source) - quantity)
            expected.put(destination, expected.at(destination) + quantity)
            expected.version += 1

    @rule(product_id=consumes(product_ids))
    def archive(self, product_id):
        expected = self.products[product_id]
        self.run(ArchiveProduct(product_id=product_id), self.refusal_for_change(product_id))
        if not expected.archived:
            expected.archived = True
            expected.version += 1

    @rule(data=st.data())
    def repeat_an_applied_command(self, data):
        if not self.applied:
            return
        command = data.draw(st.sampled_from(self.applied), label="repeated")
        before = Event.objects.count()
        bus.dispatch(command)
        assert Event.objects.count() == before

    @rule()
    def rebuild_read_models(self):
        """On PostgreSQL the rebuild runs in SQL: the invariants then hold its rows to the Python replay's."""
        counts = replay.rebuild()
        assert counts.events == self.events
        assert counts.method == ("sql" if connection.vendor == "postgresql" else "python")

    @invariant()
    def read_models_equal_replay_and_write_model(self):
        differences = verify()
        assert differences.total == 0, list(differences)
        assert Event.objects.count() == self.events

    @invariant()
    def stock_matches_the_model(self):
        badges = GetStockBadges(product_ids=list(self.products)).execute()
        assert badges.keys() == self.products.keys()
        for product_id, expected in self.products.items():
            stock = badges[product_id]
            assert (stock.on_hand, stock.version, stock.archived) == (
                expected.on_hand,
                expected.version,
                expected.archived,
            )
            assert stock.sku == expected.details["sku"]
            levels = GetStockByLocation(product_id=product_id).execute()
            assert {level.location: level.on_hand for level in levels} == expected.levels
        stats = GetInventoryStats().execute()
        active = [p for p in self.products.values() if not p.archived]
        assert stats.active_products == len(active)
        assert stats.archived == len(self.products) - len(active)
        assert stats.total_units == sum(p.on_hand for p in active)
        assert stats.total_value == sum((p.on_hand * p.details["price"] for p in active), Decimal("0.00"))


@pytest.mark.django_db
def test_random_command_sequences_keep_every_model_in_step():
    run_state_machine_as_test(
        Inventory,
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
