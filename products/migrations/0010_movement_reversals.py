"""Corrections: ledger rows that reverse another (linked both ways), and the managers' permission to reverse.

Adding two nullable columns rewrites nothing; the two new indexes are partial and start empty.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

MANAGER = "Inventory manager"


def grant(apps, schema_editor):
    config = apps.get_app_config("products")
    config.models_module = True  # as in 0003: historical app configs lack it
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="products", codename="reverse_movement")
    for group in Group.objects.filter(name=MANAGER):
        group.permissions.add(*permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="products", codename="reverse_movement").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0009_history_as_of"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="product",
            options={
                "permissions": [
                    ("receive_stock", "Can receive stock"),
                    ("issue_stock", "Can issue stock"),
                    ("count_stock", "Can count stock (stocktake)"),
                    ("archive_product", "Can archive products"),
                    ("reverse_movement", "Can reverse stock movements"),
                ]
            },
        ),
        migrations.AddField(
            model_name="stockmovemententry",
            name="reversed_by",
            field=models.BigIntegerField(blank=True, help_text="Position of the reversal of this one.", null=True),
        ),
        migrations.AddField(
            model_name="stockmovemententry",
            name="reverses",
            field=models.BigIntegerField(blank=True, help_text="Position of the movement this reverses.", null=True),
        ),
        migrations.AlterField(
            model_name="stockmovemententry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("issued", "Issued"),
                    ("counted", "Counted"),
                    ("reversal", "Reversal"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddIndex(
            model_name="stockmovemententry",
            index=models.Index(
                condition=models.Q(("kind", "reversal")), fields=["-position"], name="movement_reversal_pos"
            ),
        ),
        migrations.AddIndex(
            model_name="stockmovemententry",
            index=models.Index(
                condition=models.Q(("reverses__isnull", False)), fields=["reverses"], name="movement_reverses"
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
