"""Random command sequences: after every step read models == fresh replay == write model == as of then,
and nothing is ever oversold (on hand >= reserved >= 0)."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.utils import timezone
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
from products.read.queries import (
    GetInventoryAsOf,
    GetInventoryStats,
    GetStockAsOf,
    GetStockBadges,
    GetStockByLocation,
)
from products.read.verify import verify
from products.write import bus, errors
from products.write.aggregates import Product
from products.write.commands import (
    ArchiveLocation,
    ArchiveProduct,
    CountStock,
    CreateLocation,
    CreateProduct,
    ExpireReservation,
    FulfilReservation,
    IssueStock,
    ReceiveStock,
    ReleaseReservation,
    ReserveStock,
    ReverseMovement,
    TransferStock,
    UpdateProductDetails,
)
from products.write.log import Event

SKUS = st.sampled_from(["ACC-1", "CBL-2", "TLS-3", "OFF-4"]).flatmap(lambda s: st.sampled_from([s, s.lower()]))
NAMES = st.sampled_from(["Blue widget", "Red gadget", "Hex key set"])
PRICES = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)
LEVELS = st.integers(min_value=0, max_value=30)
# MAIN (built in), two bins made at the start (one also named in lower case), and one archived at the start.
ACTIVE_PLACES = ["MAIN", "A-01", "B-02"]
ARCHIVED_PLACE = "OLD"
PLACES = st.sampled_from([*ACTIVE_PLACES, "a-01", ARCHIVED_PLACE])


class Expected:
    """What the model of the world says one product looks like."""

    def __init__(self, sku, name, price, reorder_level):
        self.details = {"sku": sku, "name": name, "description": "", "price": price, "reorder_level": reorder_level}
        self.on_hand = 0
        self.version = 1
        self.archived = False
        self.moves: list = []  # (version, kind, delta, place) of every movement (a transfer twice), for late counts
        self.levels: dict[str, int] = {}  # upper-cased place -> on hand there
        self.holds: dict = {}  # reservation id -> what it still holds (active ones only)

    @property
    def reserved(self) -> int:
        return sum(self.holds.values())

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved

    def at(self, place: str) -> int:
        return self.levels.get(place.upper(), 0)


class Held:
    """What the model says one reservation is: its product, when it lapses (None: never), and its status."""

    def __init__(self, product_id, expires_at):
        self.product_id = product_id
        self.expires_at = expires_at
        self.status = "active"


class Movement:
    """A movement the machine made: where it is in the log, whose it is, where and what it did to on hand.

    A transfer changes no total (delta 0): it `moved` units from `source` to `place`.
    """

    def __init__(self, position, product_id, delta, place, *, reversal=False, moved=0, source=None):
        self.position, self.product_id, self.delta, self.place = position, product_id, delta, place
        self.reversal, self.moved, self.source = reversal, moved, source
        self.reversed_by = None


class Inventory(RuleBasedStateMachine):
    """Dispatches commands and keeps a plain dict of what every product should now be."""

    product_ids = Bundle("product_ids")
    reservation_ids = Bundle("reservation_ids")

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.products: dict = {}
        self.reservations: dict = {}
        self.applied: list = []
        self.movements: list[Movement] = []
        self.moments: list = []  # (time, {product id: (on hand, archived)}) after every applied command
        self.events = Event.objects.count()
        # Every command happens a minute after the one before, a day ago onwards: as of is asked about those times.
        self.now = timezone.now() - timedelta(days=1)
        self.real_timezone, bus.timezone = bus.timezone, SimpleNamespace(now=lambda: self.now)
        for code in (*ACTIVE_PLACES[1:], ARCHIVED_PLACE):
            self.run(CreateLocation(code=code, name=f"Bin {code}", parent="MAIN"))
        self.run(ArchiveLocation(code=ARCHIVED_PLACE))
        self.applied.clear()  # the location commands are set-up, not steps to repeat

    def teardown(self):
        bus.timezone = self.real_timezone
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def run(self, command, error=None):
        """Dispatch; the refusal must be exactly `error`, and a success exactly one new event."""
        self.now += timedelta(minutes=1)
        before = Event.objects.count()
        if error is None:
            result = bus.dispatch(command)
            self.applied.append(command)
            self.events += 1
            assert Event.objects.count() == before + 1
            return result.position
        with pytest.raises(error):
            bus.dispatch(command)
        assert Event.objects.count() == before
        return None

    def moved(self, product_id, position, delta, kind, place="MAIN", *, reversal=False) -> None:
        expected = self.products[product_id]
        expected.on_hand += delta
        expected.version += 1
        place = place.upper()
        expected.levels[place] = expected.at(place) + delta
        expected.moves.append((expected.version, kind, delta, place))
        self.movements.append(Movement(position, product_id, delta, place, reversal=reversal))

    def refusal_at(self, product_id, *places):
        """The product's refusal first (it is locked first), then an archived place's."""
        error = self.refusal_for_change(product_id)
        if error is None and any(place.upper() == ARCHIVED_PLACE for place in places):
            error = errors.LocationArchived
        return error

    def remember_the_moment(self) -> None:
        """After each rule: what every product was at this minute, for the as-of invariant."""
        state = {pid: (p.on_hand, p.archived) for pid, p in self.products.items()}
        if not self.moments or self.moments[-1][1] != state or self.moments[-1][0] != self.now:
            self.moments.append((self.now, state))

    def sku_taken(self, sku, exclude=None) -> bool:
        return any(p.details["sku"].lower() == sku.lower() for pid, p in self.products.items() if pid != exclude)

    def refusal_for_change(self, product_id):
        return errors.ProductArchived if self.products[product_id].archived else None

    def refusal_for_closed(self, held):
        """A closed reservation's command: the product is locked (and an archived one refused) before the
        reservation's status is looked at (UnitOfWork.load_reservation), so archived wins over closed."""
        return self.refusal_for_change(held.product_id) or errors.ReservationClosed

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

    @rule(product_id=product_ids, quantity=st.integers(min_value=1, max_value=40))
    def receive(self, product_id, quantity):
        error = self.refusal_for_change(product_id)
        position = self.run(ReceiveStock(product_id=product_id, quantity=quantity), error)
        if error is None:
            self.moved(product_id, position, quantity, "received")

    @rule(product_id=product_ids, quantity=st.integers(min_value=1, max_value=60))
    def issue(self, product_id, quantity):
        expected = self.products[product_id]
        error = self.refusal_for_change(product_id)
        if error is None and expected.reserved and quantity > expected.free:
            error = errors.StockPromised
        elif error is None and quantity > expected.at("MAIN"):
            error = errors.InsufficientStock
        position = self.run(IssueStock(product_id=product_id, quantity=quantity), error)
        if error is None:
            self.moved(product_id, position, -quantity, "issued")

    @rule(product_id=product_ids, quantity=st.integers(min_value=0, max_value=50))
    def count(self, product_id, quantity):
        expected = self.products[product_id]
        error = self.refusal_for_change(product_id)
        if error is None and expected.on_hand + quantity - expected.at("MAIN") < expected.reserved:
            error = errors.StockPromised  # a count may not take on hand below what is promised
        position = self.run(CountStock(product_id=product_id, quantity=quantity), error)
        if error is None:
            self.moved(product_id, position, quantity - expected.at("MAIN"), "counted")

    @rule(product_id=product_ids, quantity=st.integers(min_value=0, max_value=50), data=st.data())
    def late_count(self, product_id, quantity, data):
        """A count taken when the product was at an earlier version: moves recorded since stay on top."""
        expected = self.products[product_id]
        seen = data.draw(st.integers(min_value=1, max_value=expected.version), label="seen_version")
        later = [(kind, delta) for version, kind, delta, place in expected.moves if version > seen and place == "MAIN"]
        error = self.refusal_for_change(product_id)
        if error is None and any(kind == "counted" for kind, _ in later):
            error = errors.CountSuperseded
        on_hand = max(0, quantity + sum(delta for _, delta in later))
        if error is None and expected.on_hand + on_hand - expected.at("MAIN") < expected.reserved:
            error = errors.StockPromised
        command = CountStock(product_id=product_id, quantity=quantity, seen_version=seen)
        position = self.run(command, error)
        if error is None:
            self.moved(product_id, position, on_hand - expected.at("MAIN"), "counted")

    @rule(data=st.data())
    def reverse(self, data):
        if not self.movements:
            return
        movement = data.draw(st.sampled_from(self.movements), label="reversed")
        expected = self.products[movement.product_id]
        error = self.refusal_for_change(movement.product_id)
        if error is None and movement.reversal:
            error = errors.MovementNotReversible
        elif error is None and movement.reversed_by is not None:
            error = errors.AlreadyReversed
        elif error is None and movement.moved:  # a transfer: its quantity goes back from where it went
            error = errors.ReversalRefused if expected.at(movement.place) < movement.moved else None
        elif error is None and (expected.on_hand - movement.delta < 0 or expected.at(movement.place) < movement.delta):
            error = errors.ReversalRefused
        elif error is None and expected.on_hand - movement.delta < expected.reserved:
            error = errors.StockPromised
        position = self.run(ReverseMovement(position=movement.position, reason="wrong"), error)
        if error is None and movement.moved:
            movement.reversed_by = position
            self.shifted(movement.product_id, position, movement.moved, movement.place, movement.source, reversal=True)
        elif error is None:
            movement.reversed_by = position
            self.moved(movement.product_id, position, -movement.delta, "reversal", movement.place, reversal=True)

    @rule(product_id=product_ids, quantity=st.integers(min_value=1, max_value=40), place=PLACES)
    def receive_at(self, product_id, quantity, place):
        error = self.refusal_at(product_id, place)
        position = self.run(ReceiveStock(product_id=product_id, quantity=quantity, location=place), error)
        if error is None:
            self.moved(product_id, position, quantity, "received", place)

    @rule(product_id=product_ids, quantity=st.integers(min_value=0, max_value=40), place=PLACES)
    def count_at(self, product_id, quantity, place):
        expected = self.products[product_id]
        error = self.refusal_at(product_id, place)
        if error is None and expected.on_hand + quantity - expected.at(place) < expected.reserved:
            error = errors.StockPromised
        position = self.run(CountStock(product_id=product_id, quantity=quantity, location=place), error)
        if error is None:
            self.moved(product_id, position, quantity - expected.at(place), "counted", place)

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
        if (position := self.run(command, error)) is not None:
            self.shifted(product_id, position, quantity, source.upper(), destination.upper())

    def shifted(self, product_id, position, quantity, source, destination, *, reversal=False) -> None:
        """A transfer, or a transfer's reversal (from its destination back to its source): the total stays."""
        expected = self.products[product_id]
        expected.version += 1
        for place, delta in ((source, -quantity), (destination, quantity)):
            expected.levels[place] = expected.at(place) + delta
            expected.moves.append((expected.version, "transfer", delta, place))
        movement = Movement(position, product_id, 0, destination, reversal=reversal, moved=quantity, source=source)
        self.movements.append(movement)

    @rule(product_id=consumes(product_ids))
    def archive(self, product_id):
        expected = self.products[product_id]
        error = self.refusal_for_change(product_id)
        if error is None and expected.reserved:
            error = errors.ArchiveWithReservations
        self.run(ArchiveProduct(product_id=product_id), error)
        if error is None:
            expected.archived = True
            expected.version += 1

    @rule(target=reservation_ids, product_id=product_ids, quantity=st.integers(1, 30), lapses=st.booleans())
    def reserve(self, product_id, quantity, lapses):
        expected = self.products[product_id]
        # An hour on the machine's clock, which the command's own "in the future" check reads too.
        expires_at = self.now + timedelta(hours=1) if lapses else None
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timezone, "now", lambda: self.now)
            command = ReserveStock(product_id=product_id, quantity=quantity, reference="SO-1", expires_at=expires_at)
        error = self.refusal_for_change(product_id)
        if error is None and quantity > expected.free:
            error = errors.InsufficientAvailable
        self.run(command, error)
        if error is not None:
            return multiple()
        expected.holds[command.reservation_id] = quantity
        expected.version += 1
        self.reservations[command.reservation_id] = Held(product_id, expires_at)
        return command.reservation_id

    def close(self, reservation_id, command, status, *, error=None):
        held = self.reservations[reservation_id]
        if held.status != "active":
            error = self.refusal_for_closed(held)
        self.run(command, error)
        if error is None:
            expected = self.products[held.product_id]
            del expected.holds[reservation_id]
            expected.version += 1
            held.status = status

    @rule(reservation_id=reservation_ids)
    def release(self, reservation_id):
        self.close(reservation_id, ReleaseReservation(reservation_id=reservation_id), "released")

    @rule(reservation_id=reservation_ids, lapsed=st.booleans())
    def expire(self, reservation_id, lapsed):
        """The sweep's command: refused before expires_at (and always without one), applied after it."""
        held = self.reservations[reservation_id]
        if lapsed and held.expires_at is not None:
            self.now = max(self.now, held.expires_at)  # the clock moves on to it (run adds a minute); still the past
        due = held.expires_at is not None and self.now + timedelta(minutes=1) >= held.expires_at
        error = None if due else errors.NotYetExpired
        self.close(reservation_id, ExpireReservation(reservation_id=reservation_id), "expired", error=error)

    @rule(reservation_id=reservation_ids, quantity=st.none() | st.integers(1, 12))
    def fulfil(self, reservation_id, quantity):
        held = self.reservations[reservation_id]
        expected = self.products[held.product_id]
        command = FulfilReservation(reservation_id=reservation_id, quantity=quantity)
        if held.status != "active":
            self.run(command, self.refusal_for_closed(held))
            return
        rest = expected.holds[reservation_id]
        taken = rest if quantity is None else quantity
        if taken > rest:
            self.run(command, errors.FulfilBeyondReserved)
            return
        if taken > expected.at("MAIN"):  # it takes from MAIN, where transfers may have left too little
            self.run(command, errors.InsufficientStock)
            return
        position = self.run(command)
        self.moved(held.product_id, position, -taken, "issued")
        if taken == rest:
            del expected.holds[reservation_id]
            held.status = "fulfilled"
        else:
            expected.holds[reservation_id] = rest - taken

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
    def as_of_every_step_is_the_state_then(self):
        self.remember_the_moment()
        for moment, state in self.moments:
            for product_id, (on_hand, archived) in state.items():
                then = GetStockAsOf(product_id=product_id, at=moment).execute()
                assert (then.on_hand, then.archived) == (on_hand, archived), moment
            inventory = {row.product_id: row.on_hand for row in GetInventoryAsOf(at=moment).iterate(chunk=3)}
            assert inventory == {pid: on_hand for pid, (on_hand, archived) in state.items() if not archived}, moment

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
            assert (stock.on_hand, stock.reserved, stock.available, stock.version, stock.archived) == (
                expected.on_hand,
                expected.reserved,
                expected.free,
                expected.version,
                expected.archived,
            )
            assert stock.sku == expected.details["sku"]
            levels = GetStockByLocation(product_id=product_id).execute()
            assert {level.location: level.on_hand for level in levels} == {
                place: on_hand for place, on_hand in expected.levels.items() if on_hand
            }
        stats = GetInventoryStats().execute()
        active = [p for p in self.products.values() if not p.archived]
        assert stats.active_products == len(active)
        assert stats.archived == len(self.products) - len(active)
        assert stats.total_units == sum(p.on_hand for p in active)
        assert stats.total_value == sum((p.on_hand * p.details["price"] for p in active), Decimal("0.00"))
        assert stats.reserved_units == sum(p.reserved for p in active)

    @invariant()
    def never_oversold(self):
        """on hand >= reserved >= 0 on every product, after every step (write model and read model alike)."""
        for on_hand, reserved in Product.objects.values_list("on_hand", "reserved"):
            assert on_hand >= reserved >= 0
        badges = GetStockBadges(product_ids=list(self.products)).execute()
        assert all(stock.on_hand >= stock.reserved >= 0 for stock in badges.values())


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
