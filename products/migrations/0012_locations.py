"""Locations: MAIN and per-location stock, consistent with the event log.

Every event from before locations happened at MAIN (events.upcast), so each product's stock is
all at MAIN: one set-based INSERT ... SELECT per side fills the write model's per-location rows and
the read model's levels (a 1M-product database in seconds, no Python loop per product). The staff
roles gain the new permissions (clerks move stock, managers run locations).
"""

import uuid

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# The write side's DEFAULT_LOCATION and its stream id (events.location_stream_id), as they were here.
MAIN = "MAIN"
MAIN_ID = uuid.uuid5(uuid.UUID("3f0b7c1e-6a52-4a8e-9d0e-6c1f4c2b9a11"), MAIN)
ROLE_GRANTS = {
    "Viewer": ["view_location"],
    "Stock clerk": ["view_location", "transfer_stock"],
    "Inventory manager": ["view_location", "transfer_stock", "add_location", "change_location", "archive_location"],
}


def put_stock_at_main(apps, schema_editor):
    Location = apps.get_model("products", "Location")
    now = django.utils.timezone.now()
    Location.objects.get_or_create(
        pk=MAIN_ID, defaults={"code": MAIN, "name": "Main", "created_at": now, "updated_at": now}
    )
    quote = schema_editor.connection.ops.quote_name
    tables = {
        name: quote(apps.get_model("products", name)._meta.db_table)
        for name in ("Product", "LocationStock", "ProductSummary", "StockByLocation")
    }
    main = MAIN_ID.hex if schema_editor.connection.vendor == "sqlite" else str(MAIN_ID)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tables['LocationStock']} (product_id, location_id, on_hand)"  # noqa: S608 (our tables)
            f" SELECT id, %s, on_hand FROM {tables['Product']} WHERE on_hand > 0",
            [main],
        )
        cursor.execute(
            f"INSERT INTO {tables['StockByLocation']} (product_id, location, on_hand)"  # noqa: S608 (our tables)
            f" SELECT product_id, %s, on_hand FROM {tables['ProductSummary']} WHERE on_hand > 0",
            [MAIN],
        )


def grant(apps, schema_editor):
    config = apps.get_app_config("products")
    config.models_module = True  # as in 0003: historical app configs lack it
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLE_GRANTS):
        codenames = ROLE_GRANTS[group.name]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="products", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0011_reservations"),
    ]

    operations = [
        migrations.CreateModel(
            name="Location",
            fields=[
                ("id", models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ("code", models.CharField(max_length=32)),
                ("name", models.CharField(max_length=200)),
                ("archived", models.BooleanField(default=False)),
                ("version", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
            ],
            options={
                "permissions": [("archive_location", "Can archive locations")],
            },
        ),
        migrations.CreateModel(
            name="LocationStock",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "product", "location", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="products.product"
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="products.location"
                    ),
                ),
                ("on_hand", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="LocationSummary",
            fields=[
                ("location_id", models.UUIDField(primary_key=True, serialize=False)),
                ("code", models.CharField(max_length=32, unique=True)),
                ("name", models.CharField(max_length=200)),
                (
                    "parent",
                    models.CharField(blank=True, default="", help_text="The parent's code, if any.", max_length=32),
                ),
                (
                    "path",
                    models.CharField(
                        help_text="\"MAIN / A-01-03\": the parent's code, then this one's.", max_length=80
                    ),
                ),
                ("archived", models.BooleanField(default=False)),
                ("version", models.PositiveIntegerField()),
                ("updated_at", models.DateTimeField()),
                ("last_position", models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="StockByLocation",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "product_id", "location", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("product_id", models.UUIDField()),
                ("location", models.CharField(help_text="The location's code.", max_length=32)),
                ("on_hand", models.BigIntegerField()),
            ],
        ),
        migrations.AlterModelOptions(
            name="product",
            options={
                "permissions": [
                    ("receive_stock", "Can receive stock"),
                    ("issue_stock", "Can issue stock"),
                    ("count_stock", "Can count stock (stocktake)"),
                    ("transfer_stock", "Can move stock between locations"),
                    ("archive_product", "Can archive products"),
                ]
            },
        ),
        migrations.AddField(
            model_name="stockmovemententry",
            name="location",
            field=models.CharField(default="MAIN", help_text="Where it happened; a transfer's source.", max_length=32),
        ),
        migrations.AddField(
            model_name="stockmovemententry",
            name="moved",
            field=models.BigIntegerField(default=0, help_text="Units a transfer moved from location to to_location."),
        ),
        migrations.AddField(
            model_name="stockmovemententry",
            name="to_location",
            field=models.CharField(blank=True, default="", help_text="A transfer's destination.", max_length=32),
        ),
        migrations.AlterField(
            model_name="stockmovemententry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("issued", "Issued"),
                    ("counted", "Counted"),
                    ("transferred", "Transferred"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="stockmovemententry",
            name="quantity",
            field=models.BigIntegerField(help_text="Signed change to on hand (a transfer's is 0: see moved)."),
        ),
        migrations.AddIndex(
            model_name="stockmovemententry",
            index=models.Index(
                condition=models.Q(("kind", "transferred")), fields=["-position"], name="movement_transferred_pos"
            ),
        ),
        migrations.AddField(
            model_name="location",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="products.location",
            ),
        ),
        migrations.AddIndex(
            model_name="stockbylocation",
            index=models.Index(fields=["location", "product_id"], name="stock_by_location_loc"),
        ),
        migrations.AddConstraint(
            model_name="location",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Upper("code"), name="location_code_unique_ci"
            ),
        ),
        migrations.AddIndex(
            model_name="locationstock",
            index=models.Index(fields=["location", "product"], name="location_stock_by_location"),
        ),
        migrations.AddConstraint(
            model_name="locationstock",
            constraint=models.CheckConstraint(
                condition=models.Q(("on_hand__gte", 0)), name="location_stock_not_negative"
            ),
        ),
        migrations.RunPython(put_stock_at_main, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
