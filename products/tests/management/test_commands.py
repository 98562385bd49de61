"""seed_demo, rebuild_read_models and verify_read_models, as an operator runs them."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F

from products.read.queries import GetInventoryStats, GetProduct
from products.read.tables import InventoryStats, ProductSummary, StockMovementEntry
from products.read.verify import verify
from products.write import bus, roles
from products.write.aggregates import Product
from products.write.commands import CreateProduct, ReceiveStock
from products.write.log import Event

pytestmark = pytest.mark.django_db


def run(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


class TestSeedDemo:
    def test_seeds_users_and_a_catalogue_that_verifies(self):
        out, _ = run("seed_demo", products=30, movements_per_product=3)
        assert "Demo users created: admin, manager, clerk, viewer (password = username)." in out
        assert "Seeded 30 products and" in out
        assert Product.objects.count() == ProductSummary.objects.count() == 30
        assert StockMovementEntry.objects.exists()
        assert GetInventoryStats().execute().counts["all"] + GetInventoryStats().execute().archived == 30
        assert verify().total == 0
        out, _ = run("verify_read_models")
        assert "Read models match a replay of" in out

    def test_every_demo_product_is_described_as_the_thing_its_name_says(self):
        from products.seeding import CATEGORIES

        run("seed_demo", products=200, movements_per_product=0)
        nouns = [noun for names, _ in CATEGORIES.values() for noun in names]
        for name, description in ProductSummary.objects.values_list("name", "description"):
            named = [noun for noun in nouns if noun in name]
            described = [noun for noun in nouns if noun.lower() in description.lower()]
            assert named and described == named, (name, description)  # "Battery pack" is never a "Smart plug"

    def test_demo_users_have_their_roles(self):
        run("seed_demo", products=0)
        users = {u.username: u for u in get_user_model().objects.all()}
        assert users["admin"].is_superuser and users["admin"].check_password("admin")
        for username, role in (
            ("manager", roles.INVENTORY_MANAGER),
            ("clerk", roles.STOCK_CLERK),
            ("viewer", roles.VIEWER),
        ):
            assert [g.name for g in users[username].groups.all()] == [role]
            assert users[username].check_password(username)
            assert not users[username].is_superuser
        assert users["manager"].has_perm("products.archive_product")
        assert users["clerk"].has_perm("products.issue_stock") and not users["clerk"].has_perm("products.add_product")
        assert not users["viewer"].has_perm("products.receive_stock")

    def test_if_empty_leaves_an_existing_catalogue_alone(self):
        run("seed_demo", products=5, no_users=True)
        out, _ = run("seed_demo", products=5, if_empty=True, no_users=True)
        assert "Products exist already; catalogue not seeded." in out
        assert Product.objects.count() == 5
        assert not get_user_model().objects.exists()

    def test_a_second_run_adds_and_commands_still_work(self):
        run("seed_demo", products=5, no_users=True)
        run("seed_demo", products=5, no_users=True)
        assert Product.objects.values("sku").distinct().count() == 10
        last = Event.objects.order_by("-position").first().position
        command = CreateProduct(sku="AFTER-SEED", name="Made after seeding")
        bus.dispatch(command)
        bus.dispatch(ReceiveStock(product_id=command.product_id, quantity=3))
        assert Event.objects.filter(stream_id=command.product_id).earliest("position").position > last
        assert verify().total == 0

    def test_negative_size_is_refused(self):
        with pytest.raises(CommandError, match="--products must be 0 or more"):
            run("seed_demo", products=-1, no_users=True)


@pytest.fixture
def seeded():
    """A small demo catalogue with movements, verified clean."""
    run("seed_demo", products=12, movements_per_product=3, no_users=True)
    assert verify().total == 0


def a_movement() -> StockMovementEntry:
    return StockMovementEntry.objects.order_by("position").first()


TAMPERING = {
    "summary": (
        lambda: ProductSummary.objects.filter(pk=a_movement().product_id).update(name="Tampered"),
        ".name: live 'Tampered', replay",
    ),
    "missing summary": (
        lambda: ProductSummary.objects.filter(pk=a_movement().product_id).delete(),
        ": missing from the live table",
    ),
    "movement": (
        lambda: StockMovementEntry.objects.filter(pk=a_movement().pk).update(quantity=F("quantity") + 1),
        ".quantity: live",
    ),
    "extra movement": (
        lambda: StockMovementEntry.objects.create(
            **{name: getattr(a_movement(), name) for name in ("product_id", "sku", "kind", "occurred_at")},
            product_name="Ghost",
            quantity=1,
            on_hand_after=1,
            position=10**9,
        ),
        f"movement #{10**9}: present in the live table but not in a replay",
    ),
    "stats": (
        lambda: InventoryStats.objects.filter(pk=InventoryStats.objects.first().pk).update(
            total_units=F("total_units") + 7
        ),
        ".total_units: live",
    ),
    "write model": (
        lambda: Product.objects.filter(pk=a_movement().product_id).update(on_hand=F("on_hand") + 1),
        ".on_hand: write model",
    ),
}


@pytest.mark.parametrize("what", TAMPERING)
def test_verify_exits_non_zero_and_names_the_difference(seeded, what):
    tamper, expected_text = TAMPERING[what]
    tamper()
    err = StringIO()
    with pytest.raises(CommandError, match=r"difference\(s\) found after replaying \d+ events"):
        call_command("verify_read_models", stdout=StringIO(), stderr=err)
    assert expected_text in err.getvalue()


def test_verify_caps_a_long_list(seeded):
    StockMovementEntry.objects.update(note="tampered", actor="tampered")
    total = 2 * StockMovementEntry.objects.count()
    assert total > 50
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_read_models", stdout=StringIO(), stderr=err)
    assert f"{total:,} difference(s) found" in str(caught.value)
    listed = err.getvalue().splitlines()
    assert len(listed) == 51
    assert listed[-1].strip() == f"... and {total - 50:,} more"


def test_rebuild_restores_corrupted_read_models(seeded):
    product_id = a_movement().product_id
    good = GetProduct(product_id=product_id).execute()
    ProductSummary.objects.filter(pk=product_id).update(on_hand=999, name="Corrupt")
    StockMovementEntry.objects.filter(pk=a_movement().pk).delete()
    InventoryStats.objects.all().delete()
    assert verify().total > 0

    out, _ = run("rebuild_read_models")
    events = Event.objects.count()
    assert f"replayed {events:,}/{events:,} events" in out
    assert f"Rebuilt read models for 12 products from {events:,} events in" in out
    assert verify().total == 0
    restored = GetProduct(product_id=product_id).execute()
    assert (restored.on_hand, restored.name) == (good.on_hand, good.name)
    assert GetInventoryStats().execute().active_products + GetInventoryStats().execute().archived == 12


def test_rebuild_cannot_mend_the_write_model(seeded):
    """Events are the truth: a write-model row that disagrees stays reported after a rebuild."""
    Product.objects.filter(pk=a_movement().product_id).update(name="Edited behind our back")
    run("rebuild_read_models")
    with pytest.raises(CommandError):
        run("verify_read_models")


def test_rebuild_of_an_empty_log(db):
    out, _ = run("rebuild_read_models")
    assert "Rebuilt read models for 0 products from 0 events" in out
    assert verify().total == 0
